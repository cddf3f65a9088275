import IO
import XCTest
import Catalogue
import Foundation
import Support
@testable import Accounting

final class AccountantTests: XCTestCase {
    func testAdmitPriceRecordAndGate() throws {
        let dir = try makeTemporaryDirectory()
        let errors = Locked(0)
        let ledger = try Ledger(directory: dir, onCommitError: { _ in errors.withLock { $0 += 1 } })
        let gate = BudgetGate(config: BudgetConfig(orgs: ["acme": BudgetLimits(dailySpend: Money("0.02")!)]))
        let accountant = Accountant(ledger: ledger, gate: gate, metrics: TollgateMetrics(), clock: { RecordFixtures.noon })
        var pricing = Pricing()
        pricing.base[.input] = Price(cost: 3)
        pricing.base[.output] = Price(cost: 15)
        pricing.base[.cacheWrite1h] = Price(cost: 6)

        XCTAssertNil(accountant.admit(keyID: "k1", org: "acme"))
        var record = RecordFixtures.record(1, cost: "0")
        record.usage = Usage(input: 1_000, output: 1_000, cacheWrite1h: 1_000)
        let (written, cost) = accountant.finish(record, pricing: pricing)
        XCTAssertEqual(cost.amount, Money("0.024"))
        XCTAssertEqual(written.cost, Money("0.024"))

        // A request where no model answered costs nothing, whatever usage it carries.
        var failed = RecordFixtures.record(2, cost: "0")
        failed.answeringModel = nil
        failed.status = 503
        XCTAssertEqual(accountant.finish(failed, pricing: pricing).record.cost, 0)

        let rejection = accountant.admit(keyID: "k1", org: "acme")
        XCTAssertEqual(rejection?.gateName, "org acme daily spend budget")
        XCTAssertEqual(accountant.metrics.budgetRejections.value(["org", "daily_spend"]), 1)
        try ledger.close()
        let records = try ledger.records(from: RecordFixtures.noon, to: RecordFixtures.noon.addingTimeInterval(1))
        XCTAssertEqual(records.map(\.cost), [Money("0.024")!, 0])
        XCTAssertEqual(errors.get(), 0)
    }
}
