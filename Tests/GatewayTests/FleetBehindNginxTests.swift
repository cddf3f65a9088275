import Foundation
import XCTest
import Accounting
import Fleet
import Redis
import Support
import TestSupport

/// The fleet as users meet it: three replicas behind nginx round-robin, one address. A change made through the
/// balancer is served on every replica, a fleet limit holds whichever replica a call lands on, and `/v1/usage`
/// through the balancer is the sum of the three ledgers.
final class FleetBehindNginxTests: XCTestCase {
    private var redis: RedisServerProcess!
    private var replicas: [GatewayHarness] = []
    private var nginx: NginxProcess!

    override func setUpWithError() throws {
        redis = try RedisServerProcess()
        let config = """
        "store": {"redis": {"url": "redis://127.0.0.1:\(redis.port)/0", "prefix": "lb:"}},
        "budgets": {"keys": {"acme": {"requests_per_minute": 12}}},
        """
        replicas = try (0..<3).map { _ in try GatewayHarness(extraConfig: config) }
        nginx = try NginxProcess(backends: replicas.map(\.port))
    }

    override func tearDown() {
        nginx?.stop()
        replicas.forEach { $0.shutdown() }
        redis?.stop()
    }

    private func through(_ method: String, _ path: String, key: String, body: String? = nil) throws -> TestHTTPClient.Response {
        // A new connection each time, so round-robin spreads the calls.
        try TestHTTPClient(port: nginx.port).request(method, path, headers: [("Authorization", "Bearer \(key)"), ("Content-Type", "application/json")],
                                                     body: body.map { Array($0.utf8) } ?? [])
    }

    func testOneAddressForTheFleet() throws {
        // The catalogue goes into Redis through the balancer's replicas: imported once, served by all.
        let imported = try FleetTransfer.importFiles(cataloguePath: replicas[0].cataloguePath, keysPath: nil, endpoints: nil,
                                                     redis: RedisConfiguration(port: redis.port, prefix: "lb:"),
                                                     logger: Logger(level: .error, fileDescriptor: 2))
        XCTAssertEqual(imported.revision, 1)
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.store.snapshot.version == 1 } })

        let patched = try through("PATCH", "/v1/models/test%2Fa", key: GatewayHarness.adminKey, body: #"{"display": {"label": "via nginx"}}"#)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.store.snapshot.model("test/a")?.document.display?.label == "via nginx" } })
        for _ in 0..<3 {
            let read = try through("GET", "/v1/models/test%2Fa", key: GatewayHarness.adminKey)
            XCTAssertEqual(try JSONValue.parse(read.body)["display"]?["label"], "via nginx", "whichever replica answers")
        }

        // A fleet limit of 12 a minute: calls spread over three replicas, paced by waiting for each sync, admit 12.
        var admitted = 0
        for _ in 0..<4 {
            for _ in 0..<3 where try through("POST", "/model/test%2Fa/converse", key: GatewayHarness.acmeKey,
                                             body: GatewayHarness.body(for: "converse")).status == 200 { admitted += 1 }
            let seen = admitted
            XCTAssertTrue(waitUntil { self.replicas.allSatisfy { replica in
                let gate = replica.service.gateway.context.accountant.gate
                return gate.fleetShare(key: "acme").requests + gate.requestsInLastMinute(key: "acme", now: Date()) == seen
            } })
        }
        XCTAssertEqual(admitted, 12)
        for _ in 0..<3 {
            XCTAssertEqual(try through("POST", "/model/test%2Fa/converse", key: GatewayHarness.acmeKey, body: GatewayHarness.body(for: "converse")).status, 429)
        }

        // Usage through the balancer: the three ledgers together.
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.service.gateway.fleetUsage?.isFlushed ?? false } })
        let query = UsageQuery(from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(60))
        var ledgers = UsageTotals()
        for replica in replicas {
            ledgers.merge(try replica.service.gateway.context.accountant.ledger.query(query).total)
        }
        XCTAssertEqual(ledgers.requests, 15, "12 answered and 3 refused, each in one replica's ledger")
        let usage = try JSONValue.parse(try through("GET", "/v1/usage", key: GatewayHarness.adminKey).body)
        XCTAssertEqual(usage["total"], ledgers.json)
    }
}
