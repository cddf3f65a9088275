import XCTest
@testable import Accounting

final class TollgateMetricsTests: XCTestCase {
    func testTollgateSeriesParseAndCountRecords() throws {
        let metrics = TollgateMetrics()
        var r = RecordFixtures.record(1, cost: "0.25")
        r.usage = Usage(input: 10, output: 5, cacheWrite1h: 3, images: 1, partial: true)
        r.operation = .converseStream
        metrics.record(r)
        metrics.record(RecordFixtures.record(2, org: nil))
        metrics.rejected(GateRejection(scope: .org, subject: "acme", gate: .dailySpend, limit: "10", retryAfterSeconds: 5))
        metrics.observeUpstream(operation: "InvokeModel", latencySeconds: 0.2, ttfbSeconds: 0.05)
        metrics.failovers.increment(["a", "b"])
        metrics.catalogueReloads.increment()
        metrics.inFlightStreams.increment()

        let parsed = try ExpositionParser(String(decoding: metrics.render(), as: UTF8.self))
        for name in ["tollgate_requests_total", "tollgate_tokens_total", "tollgate_cost_total", "tollgate_upstream_latency_seconds",
                     "tollgate_upstream_ttfb_seconds", "tollgate_inflight_requests", "tollgate_inflight_streams", "tollgate_failovers_total",
                     "tollgate_budget_rejections_total", "tollgate_catalogue_reloads_total", "tollgate_catalogue_reload_errors_total"] {
            XCTAssertNotNil(parsed.types[name], name)
        }
        let model = "anthropic.claude-3-haiku"
        XCTAssertEqual(parsed.value("tollgate_requests_total", ["model": model, "org": "acme", "status": "200", "operation": "ConverseStream"]), 1)
        XCTAssertEqual(parsed.value("tollgate_requests_total", ["model": model, "org": "", "status": "200", "operation": "InvokeModel"]), 1)
        XCTAssertEqual(parsed.value("tollgate_tokens_total", ["model": model, "kind": "input"]), 110)
        XCTAssertEqual(parsed.value("tollgate_tokens_total", ["model": model, "kind": "cache_write_1h"]), 3)
        XCTAssertEqual(parsed.value("tollgate_tokens_total", ["model": model, "kind": "images"]), 1)
        XCTAssertEqual(parsed.value("tollgate_cost_total", ["currency": "USD"]), 0.250375)
        XCTAssertEqual(parsed.value("tollgate_partial_usage_total", ["operation": "ConverseStream"]), 1)
        XCTAssertEqual(parsed.value("tollgate_budget_rejections_total", ["scope": "org", "gate": "daily_spend"]), 1)
        XCTAssertEqual(parsed.value("tollgate_upstream_ttfb_seconds_count", ["operation": "InvokeModel"]), 1)
        XCTAssertEqual(parsed.value("tollgate_catalogue_reload_errors_total"), 0)
        XCTAssertEqual(parsed.value("tollgate_inflight_streams"), 1)
    }
}
