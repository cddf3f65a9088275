import Foundation
import XCTest
import Accounting
import IO
import Redis
import Support
import TestSupport
@testable import Fleet

/// A sync whose reply is lost is sent again as it is: Redis counts each batch once (budgets and usage alike).
final class FleetBatchTests: XCTestCase {
    func testABatchSentTwiceCountsOnce() throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        let client = RedisClient(configuration: RedisConfiguration(port: server.port, prefix: "once:"), loop: EventLoop(index: 0, label: "batch-test"),
                                 logger: Logger(level: .error, fileDescriptor: 2))
        client.start()
        defer { client.stop() }
        XCTAssertTrue(waitUntil { client.isReady })

        let usage = FleetUsage.command(prefix: "once:", batch: "b-1", ["2026-12-07": ["k\u{1F}o\u{1F}m\u{1F}requests": 3]])
        XCTAssertEqual(try client.sendAndWait(usage).get(), .integer(1))
        XCTAssertEqual(try client.sendAndWait(usage).get(), .integer(0), "the second time, nothing is added")
        XCTAssertEqual(try client.sendAndWait(RedisCommand("HGET", "once:usage:2026-12-07", "k\u{1F}o\u{1F}m\u{1F}requests")).get().integer, 3)

        let gate = BudgetGate(config: BudgetConfig(keys: ["k": BudgetLimits(requestsPerMinute: 100)]))
        gate.enableFleet()
        let now = Date()
        XCTAssertNil(gate.check(keyID: "k", org: nil, now: now))
        XCTAssertNil(gate.check(keyID: "k", org: nil, now: now))
        let sync = FleetBudgetSync(gate: gate, client: client, prefix: "once:", logger: Logger(level: .error, fileDescriptor: 2))
        let batch = sync.command(gate.takeFleetDeltas(now: now), batch: "b-2", now: now)
        let first = try client.sendAndWait(batch).get().array
        let second = try client.sendAndWait(batch).get().array
        XCTAssertEqual(first?[2].integer, 2, "two requests in the minute")
        XCTAssertEqual(second?[2].integer, 2, "still two: the batch was applied once")
    }
}
