import IO
import XCTest
import Dispatch
import Foundation
import Support
@testable import Accounting

final class BudgetGateTests: XCTestCase {
    private let t0 = RecordFixtures.noon  // 2025-03-14T12:00:00Z
    private func d(_ s: String) -> Money { Money(s)! }
    private func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    func testRequestsPerMinuteSlidingWindow() {
        let gate = BudgetGate(config: BudgetConfig(keys: ["k1": BudgetLimits(requestsPerMinute: 3)]))
        XCTAssertNil(gate.check(keyID: "k1", org: nil, now: at(0)))
        XCTAssertNil(gate.check(keyID: "k1", org: nil, now: at(10)))
        XCTAssertNil(gate.check(keyID: "k1", org: nil, now: at(20)))
        let r = gate.check(keyID: "k1", org: nil, now: at(59))
        XCTAssertEqual(r?.gate, .requestsPerMinute)
        XCTAssertEqual(r?.gateName, "key k1 requests per minute limit")
        XCTAssertEqual(r?.retryAfterSeconds, 1)
        XCTAssertEqual(r?.shortName, "key_requests_per_minute")
        XCTAssertNotNil(gate.check(keyID: "k1", org: nil, now: at(59.9)), "rejected requests do not count, but the window is still full")
        XCTAssertNil(gate.check(keyID: "k1", org: nil, now: at(60)), "the request at t=0 left the window")
        XCTAssertNotNil(gate.check(keyID: "k1", org: nil, now: at(61)))
        XCTAssertNil(gate.check(keyID: "other", org: nil, now: at(61)), "keys without limits pass")
    }

    func testTokensPerMinuteForOrg() {
        let gate = BudgetGate(config: BudgetConfig(orgs: ["acme": BudgetLimits(tokensPerMinute: 1000)]))
        XCTAssertNil(gate.check(keyID: "k1", org: "acme", now: at(0)))
        gate.record(keyID: "k1", org: "acme", cost: 0, tokens: 999, now: at(1))
        XCTAssertNil(gate.check(keyID: "k2", org: "acme", now: at(2)))
        gate.record(keyID: "k2", org: "acme", cost: 0, tokens: 1, now: at(2))
        let r = gate.check(keyID: "k3", org: "acme", now: at(3))
        XCTAssertEqual(r?.gateName, "org acme tokens per minute limit")
        XCTAssertEqual(r?.retryAfterSeconds, 58)
        XCTAssertNil(gate.check(keyID: "k3", org: "beta", now: at(3)))
        XCTAssertNil(gate.check(keyID: "k3", org: "acme", now: at(61)))
    }

    func testDailyAndMonthlySpend() {
        let gate = BudgetGate(config: BudgetConfig(orgs: ["acme": BudgetLimits(dailySpend: d("10.00"), monthlySpend: d("25"))]))
        gate.record(keyID: "k1", org: "acme", cost: d("9.99"), tokens: 10, now: at(0))
        XCTAssertNil(gate.check(keyID: "k1", org: "acme", now: at(1)))
        gate.record(keyID: "k1", org: "acme", cost: d("0.01"), tokens: 10, now: at(2))
        let r = gate.check(keyID: "k1", org: "acme", now: at(3))
        XCTAssertEqual(r?.gate, .dailySpend)
        XCTAssertEqual(r?.message, "org acme daily spend budget exhausted (limit 10)")
        XCTAssertEqual(r?.retryAfterSeconds, 12 * 3600 - 3, "until UTC midnight")
        // Next day: open again; the month keeps counting.
        XCTAssertNil(gate.check(keyID: "k1", org: "acme", now: at(12 * 3600)))
        gate.record(keyID: "k1", org: "acme", cost: d("9"), tokens: 1, now: at(12 * 3600))
        gate.record(keyID: "k1", org: "acme", cost: d("6"), tokens: 1, now: at(36 * 3600))
        let monthly = gate.check(keyID: "k1", org: "acme", now: at(36 * 3600))
        XCTAssertEqual(monthly?.gate, .monthlySpend)
        XCTAssertEqual(gate.spend(keyID: "k1", now: at(36 * 3600)).month, 25)
        // April opens the monthly gate again.
        XCTAssertNil(gate.check(keyID: "k1", org: "acme", now: Timestamp.parse("2025-04-01T00:00:00Z")!))
        XCTAssertNotNil(BudgetGate(config: BudgetConfig(keys: ["z": BudgetLimits(dailySpend: 0)])).check(keyID: "z", org: nil, now: t0),
                        "a zero budget blocks")
    }

    func testMostRestrictiveWins() {
        let gate = BudgetGate(config: BudgetConfig(keys: ["k1": BudgetLimits(requestsPerMinute: 1, tokensPerMinute: 5)],
                                                   orgs: ["acme": BudgetLimits(dailySpend: 1, monthlySpend: 1)]))
        XCTAssertNil(gate.check(keyID: "k1", org: "acme", now: at(0)))
        XCTAssertEqual(gate.check(keyID: "k1", org: "acme", now: at(1))?.shortName, "key_requests_per_minute")
        gate.record(keyID: "k1", org: "acme", cost: 1, tokens: 5, now: at(1))
        XCTAssertEqual(gate.check(keyID: "k1", org: "acme", now: at(2))?.gateName, "org acme monthly spend budget")
    }

    func testConcurrentChecksAdmitExactlyTheLimit() {
        let gate = BudgetGate(config: BudgetConfig(orgs: ["acme": BudgetLimits(requestsPerMinute: 100)]))
        let admitted = Locked(0)
        let now = at(5)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<50 where gate.check(keyID: "k\(t)-\(i)", org: "acme", now: now) == nil { admitted.withLock { $0 += 1 } }
        }
        XCTAssertEqual(admitted.get(), 100)
    }

    func testSeedFromLedgerCountsThisMonthsSpend() throws {
        let dir = try makeTemporaryDirectory()
        let ledger = try Ledger(directory: dir)
        ledger.append(RecordFixtures.record(1, time: Timestamp.parse("2025-02-28T23:59:59Z")!, cost: "100"))
        ledger.append(RecordFixtures.record(2, time: Timestamp.parse("2025-03-01T00:00:00Z")!, cost: "3"))
        ledger.append(RecordFixtures.record(3, time: at(-60), cost: "4.5"))
        ledger.append(RecordFixtures.record(4, time: at(-30), cost: "0.5"))
        try ledger.close()
        let gate = BudgetGate(config: BudgetConfig(keys: ["k1": BudgetLimits(dailySpend: 5, monthlySpend: 9, requestsPerMinute: 2)]))
        try gate.seed(from: ledger, now: t0)
        let spend = gate.spend(keyID: "k1", now: t0)
        XCTAssertEqual(spend.day, 5)
        XCTAssertEqual(spend.month, 8)
        XCTAssertEqual(gate.check(keyID: "k1", org: "acme", now: t0)?.gate, .dailySpend)
        gate.update(config: BudgetConfig(keys: ["k1": BudgetLimits(requestsPerMinute: 2)]))
        XCTAssertNil(gate.check(keyID: "k1", org: "acme", now: t0), "one request of the last minute was replayed")
        XCTAssertEqual(gate.check(keyID: "k1", org: "acme", now: t0)?.gate, .requestsPerMinute)
    }

    func testConfigDecoding() throws {
        let config = try BudgetConfig(bytes: Array(#"""
        {"keys": {"key-1": {"requests_per_minute": 60}},
         "orgs": {"acme": {"daily_spend": "10.00", "monthly_spend": 200, "requests_per_minute": 60, "tokens_per_minute": 100000}}}
        """#.utf8))
        XCTAssertEqual(config.orgs["acme"], BudgetLimits(dailySpend: 10, monthlySpend: 200, requestsPerMinute: 60, tokensPerMinute: 100_000))
        XCTAssertEqual(config.keys["key-1"], BudgetLimits(requestsPerMinute: 60))
        XCTAssertEqual(try BudgetConfig(bytes: Array(#"{"orgs":{"a":{"daily_spend":"0.000001"}}}"#.utf8)).orgs["a"]?.dailySpend, d("0.000001"))

        let cases: [(String, String, String)] = [
            (#"{"orgs":{"acme":{"daily_spend":"-1"}}}"#, "budget_invalid_value", "orgs.acme.daily_spend"),
            (#"{"orgs":{"acme":{"daily_spend":"ten"}}}"#, "budget_invalid_value", "orgs.acme.daily_spend"),
            (#"{"orgs":{"acme":{"daily_spend":"0.0000000000000000001"}}}"#, "budget_invalid_value", "orgs.acme.daily_spend"),
            (#"{"orgs":{"acme":{"monthly_spend":1e21}}}"#, "budget_invalid_value", "orgs.acme.monthly_spend"),
            (#"{"orgs":{"acme":{"monthly_spend":true}}}"#, "budget_wrong_type", "orgs.acme.monthly_spend"),
            (#"{"orgs":{"acme":{"weekly_spend":"1"}}}"#, "budget_unknown_field", "orgs.acme.weekly_spend"),
            (#"{"keys":{"k.1":{"requests_per_minute":1.5}}}"#, "budget_invalid_value", #"keys["k.1"].requests_per_minute"#),
            (#"{"keys":{"k":{"tokens_per_minute":"9"}}}"#, "budget_wrong_type", "keys.k.tokens_per_minute"),
            (#"{"keys":[]}"#, "budget_wrong_type", "keys"),
            (#"{"teams":{}}"#, "budget_unknown_field", "teams"),
            (#"{"orgs":{"acme":5}}"#, "budget_wrong_type", "orgs.acme"),
            (#"{"orgs":"#, "budget_invalid_json", ""),
        ]
        for (text, code, field) in cases {
            XCTAssertThrowsError(try BudgetConfig(bytes: Array(text.utf8)), text) { error in
                let e = error as? BudgetConfigError
                XCTAssertEqual(e?.shortName, code, text)
                XCTAssertEqual(e?.field.description, field, text)
            }
        }
        XCTAssertThrowsError(try BudgetConfig(bytes: Array(#"{"orgs":{"acme":{"daily_spend":"1e-19"}}}"#.utf8))) { error in
            XCTAssertEqual((error as? BudgetConfigError)?.message, "must have at most 18 decimal places")
        }
        XCTAssertEqual(try BudgetConfig(bytes: Array(#"{"orgs":{"a":{"monthly_spend":"2.5e3"}}}"#.utf8)).orgs["a"]?.monthlySpend, 2500)
    }
}
