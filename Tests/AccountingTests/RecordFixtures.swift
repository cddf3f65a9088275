import AWS
import Foundation
import Support
@testable import Accounting

enum RecordFixtures {
    /// 2025-03-14T12:00:00Z.
    static let noon = Date(timeIntervalSince1970: 1_741_953_600)

    static func record(_ i: Int = 0, time: Date = noon, key: String = "k1", org: String? = "acme",
                       model: String = "anthropic.claude-3-haiku", cost: String = "0.000375", usage: Usage? = nil) -> UsageRecord {
        UsageRecord(time: time, requestID: "req-\(i)", keyID: key, org: org, requestedModel: model, answeringModel: model,
                    attempts: [.init(model: model, status: 200, outcome: "ok")], operation: .invokeModel, status: 200,
                    usage: usage ?? Usage(input: 100, output: 50, cacheRead: 10), cost: Money(cost)!,
                    currency: "USD", latencyMs: 120, ttfbMs: 30)
    }
}
