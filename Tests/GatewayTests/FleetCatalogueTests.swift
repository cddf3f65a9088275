import Foundation
import XCTest
import Accounting
import Fleet
import IO
import Redis
import Support
import TestSupport

/// Three gateway replicas sharing one real `redis-server` (`store.redis`): a change on any replica is served by the
/// others within milliseconds, `If-Match` holds across replicas, concurrent writers on different replicas both land,
/// and while Redis is down every replica keeps serving its last catalogue.
final class FleetCatalogueTests: XCTestCase {
    private var redis: RedisServerProcess!
    private var replicas: [GatewayHarness] = []
    private let logger = Logger(level: .error, fileDescriptor: 2)

    override func setUpWithError() throws {
        redis = try RedisServerProcess()
        let store = #""store": {"redis": {"url": "redis://127.0.0.1:\#(redis.port)/0", "prefix": "fleet-test:", "command_timeout_ms": 2000}},"#
        // The first replica's files go into Redis; every replica then serves them.
        replicas = [try GatewayHarness(extraConfig: store)]
        let imported = try FleetTransfer.importFiles(cataloguePath: replicas[0].cataloguePath, keysPath: replicas[0].path("keys.json"),
                                                     endpoints: nil, redis: redisConfiguration, logger: logger)
        XCTAssertEqual(imported.revision, 1)
        replicas += [try GatewayHarness(extraConfig: store), try GatewayHarness(extraConfig: store)]
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.store.snapshot.version == 1 } }, "every replica serves the import")
    }

    override func tearDown() {
        replicas.forEach { $0.shutdown() }
        redis?.stop()
    }

    private var redisConfiguration: RedisConfiguration { RedisConfiguration(port: redis.port, prefix: "fleet-test:") }

    private func admin(_ replica: GatewayHarness, _ method: String, _ path: String, body: String? = nil,
                       headers: [(String, String)] = []) throws -> TestHTTPClient.Response {
        try TestHTTPClient(port: replica.port).request(method, path,
                                                      headers: [("Authorization", "Bearer \(GatewayHarness.adminKey)"), ("Content-Type", "application/json")] + headers,
                                                      body: body.map { Array($0.utf8) } ?? [])
    }

    private func metrics(_ replica: GatewayHarness) throws -> String {
        try admin(replica, "GET", "/metrics").text
    }

    func testAChangeOnOneReplicaIsServedByTheOthers() throws {
        var delays: [Double] = []
        for (i, label) in ["first", "second", "third", "fourth", "fifth"].enumerated() {
            let writer = replicas[i % 3]
            let response = try admin(writer, "PATCH", "/v1/models/test%2Fa", body: #"{"display": {"label": "\#(label)"}}"#)
            XCTAssertEqual(response.status, 200, response.text)
            let written = Date()
            XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.store.snapshot.model("test/a")?.document.display?.label == label } },
                          "every replica serves the change")
            delays.append(Date().timeIntervalSince(written) * 1000)
        }
        delays.sort()
        print("fleet propagation: \(delays.map { String(format: "%.1f", $0) }) ms from the writer's answer to every replica serving it")
        XCTAssertLessThan(delays[2], 100, "median propagation \(delays[2]) ms (all: \(delays))")

        // Disabled on one replica: refused on another, in Bedrock's shape, as a missing model.
        XCTAssertEqual(try admin(replicas[0], "PATCH", "/v1/models/test%2Fa", body: #"{"enabled": false}"#).status, 200)
        XCTAssertTrue(waitUntil { self.replicas[2].store.snapshot.model("test/a")?.document.enabled == false })
        let refused = try replicas[2].call("converse", model: "test/a")
        XCTAssertEqual(refused.status, 404, refused.text)
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.store.snapshot.version == 7 } },
                      "one revision per change, the same everywhere: \(replicas.map { $0.store.snapshot.version })")
    }

    func testIfMatchHoldsAcrossReplicas() throws {
        let read = try admin(replicas[1], "GET", "/v1/models/test%2Fb")
        let tag = try XCTUnwrap(read.header("ETag"))
        let first = try admin(replicas[0], "PATCH", "/v1/models/test%2Fb", body: #"{"description": "changed on A"}"#, headers: [("If-Match", tag)])
        XCTAssertEqual(first.status, 200, first.text)
        // C may not have heard A's change yet: its answer must still be the store's, not its possibly stale view.
        let stale = try admin(replicas[2], "PATCH", "/v1/models/test%2Fb", body: #"{"description": "changed on C"}"#, headers: [("If-Match", tag)])
        XCTAssertEqual(stale.status, 412, stale.text)
        let fresh = try XCTUnwrap(first.header("ETag"))
        let second = try admin(replicas[2], "PATCH", "/v1/models/test%2Fb", body: #"{"description": "changed on C"}"#, headers: [("If-Match", fresh)])
        XCTAssertEqual(second.status, 200, "the new tag is good on every replica, at once: \(second.text)")
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.store.snapshot.model("test/b")?.document.description == "changed on C" } })
    }

    func testWritersOnDifferentReplicasAllLand() throws {
        // Each replica creates models at once; replicas that were behind catch up and write again on top.
        let group = DispatchGroup()
        let statuses = Locked<[Int]>([])
        for (r, replica) in replicas.enumerated() {
            let port = replica.port
            for n in 0..<4 {
                group.enter()
                DispatchQueue.global().async {
                    let body = GatewayHarness.model("fleet/r\(r)-\(n)", upstream: "anthropic.claude-3-haiku-20240307-v1:0")
                    let status = (try? TestHTTPClient(port: port).request("POST", "/v1/models",
                        headers: [("Authorization", "Bearer \(GatewayHarness.adminKey)"), ("Content-Type", "application/json")],
                        body: Array(body.utf8)).status) ?? 0
                    statuses.withLock { $0.append(status) }
                    group.leave()
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(statuses.get(), Array(repeating: 201, count: 12))
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { replica in (0..<3).allSatisfy { r in (0..<4).allSatisfy { replica.store.snapshot.model("fleet/r\(r)-\($0)") != nil } } } })
        XCTAssertEqual(Set(replicas.map { $0.store.snapshot.version }), [13], "twelve commits after the import, seen alike")
    }

    func testWhileRedisIsDownReplicasServeTheirLastCatalogueAndRefuseWrites() throws {
        redis.stop()
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { !($0.service.gateway.fleet?.isConnected ?? true) } })
        for replica in replicas {
            let call = try replica.call("converse", model: "test/a")
            XCTAssertEqual(call.status, 200, "routing never waits on Redis: \(call.text)")
        }
        let write = try admin(replicas[0], "PATCH", "/v1/models/test%2Fa", body: #"{"description": "x"}"#)
        XCTAssertEqual(write.status, 503, write.text)
        XCTAssertEqual(try JSONValue.parse(write.body)["error"]?["code"], "store_unavailable")
        let ready = try TestHTTPClient(port: replicas[1].port).request("GET", "/readyz")
        XCTAssertEqual(ready.status, 200)
        XCTAssertEqual(try JSONValue.parse(ready.body)["store"], "redis_down")
        XCTAssertTrue(try metrics(replicas[1]).contains("tollgate_store_redis_up 0"))

        // Redis comes back empty (no persistence here): replicas keep their catalogue; an import brings the fleet's
        // store back and every replica serves it, though its revision starts again at 1.
        try redis.restart()
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.service.gateway.fleet?.isConnected ?? false } })
        XCTAssertTrue(waitUntil { (try? self.metrics(self.replicas[1]).contains("tollgate_store_redis_up 1")) ?? false })
        XCTAssertNotNil(replicas[2].store.snapshot.model("test/a"))
        let empty = try admin(replicas[0], "PATCH", "/v1/models/test%2Fa", body: #"{"description": "x"}"#)
        XCTAssertEqual(empty.status, 500, "nothing to compare against until an import: \(empty.text)")
        let catalogue = #"{"models": [\#(GatewayHarness.model("test/a", upstream: "anthropic.claude-3-haiku-20240307-v1:0"))]}"#
        try replicas[0].write("reimport.json", catalogue)
        _ = try FleetTransfer.importFiles(cataloguePath: replicas[0].path("reimport.json"), keysPath: nil, endpoints: nil,
                                          redis: redisConfiguration, logger: logger)
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.store.snapshot.models.count == 1 && $0.store.snapshot.version == 1 } })
        XCTAssertEqual(try admin(replicas[1], "PATCH", "/v1/models/test%2Fa", body: #"{"description": "y"}"#).status, 200)
    }

    func testUsageOnAnyReplicaIsTheWholeFleets() throws {
        for (i, replica) in replicas.enumerated() {
            for _ in 0..<(2 + 2 * i) { XCTAssertEqual(try replica.call("converse", model: "test/a").status, 200) }
            XCTAssertEqual(try replica.call("converse-stream", model: "test/b", key: GatewayHarness.acmeKey).status, 200)
            XCTAssertEqual(try replica.call("converse", model: "nowhere").status, 404)
        }
        let calls = [4, 6, 8]
        for (i, replica) in replicas.enumerated() { _ = try replica.ledgerRecords(count: calls[i]) }
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.service.gateway.fleetUsage?.isFlushed ?? false } })

        // The sum of the three ledgers, as each replica's own ledger reports it.
        let query = UsageQuery(from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(60), groupBy: .key)
        var ledgers = UsageTotals()
        var byKey: [String: UsageTotals] = [:]
        for replica in replicas {
            let report = try replica.service.gateway.context.accountant.ledger.query(query)
            ledgers.merge(report.total)
            for group in report.groups { byKey[group.key ?? "", default: UsageTotals()].merge(group.totals) }
        }
        XCTAssertEqual(ledgers.requests, 18)
        for replica in replicas {
            let answer = try JSONValue.parse(try admin(replica, "GET", "/v1/usage?group_by=key").body)
            XCTAssertEqual(answer["total"], ledgers.json, "every replica answers for the fleet")
            let groups = try XCTUnwrap(answer["groups"]?.arrayValue)
            XCTAssertEqual(groups.count, byKey.count)
            for group in groups {
                var totals = group
                if case .object(var o) = totals { o["group"] = nil; totals = .object(o) }
                XCTAssertEqual(totals, byKey[group["group"]?.stringValue ?? ""]?.json)
            }
        }
    }

    func testAnInvalidKeysDocumentInRedisKeepsTheKeysInForce() throws {
        let client = RedisClient(configuration: redisConfiguration, loop: EventLoop(index: 0, label: "keys-test"), logger: logger)
        client.start()
        defer { client.stop() }
        XCTAssertTrue(waitUntil { client.isReady })
        XCTAssertEqual(try client.sendAndWait(RedisCommand("SET", "fleet-test:keys", #"{"keys": [{"id": "x", "role": "sorcerer"}]}"#)).get(), .simpleString("OK"))
        XCTAssertEqual(try client.sendAndWait(RedisCommand("PUBLISH", "fleet-test:keys:changes", "edit")).get().integer, 3, "heard by the three replicas")
        XCTAssertTrue(waitUntil { self.replicas.allSatisfy { $0.log().contains("keys_reload_failed") } }, "each replica says why")
        for replica in replicas {
            XCTAssertEqual(try replica.call("converse", model: "test/a").status, 200, "the last good keys stay in force")
        }
    }

    func testExportWritesTheFleetsCatalogueBack() throws {
        XCTAssertEqual(try admin(replicas[1], "PATCH", "/v1/models/test%2Fc", body: #"{"description": "from the fleet"}"#).status, 200)
        let out = replicas[0].path("exported.json")
        let exported = try FleetTransfer.exportFiles(cataloguePath: out, keysPath: nil, redis: redisConfiguration, logger: logger)
        XCTAssertEqual(exported.revision, 2)
        let models = try XCTUnwrap(try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out))))["models"]?.arrayValue)
        XCTAssertEqual(models.count, GatewayHarness.defaultModels.count)
        XCTAssertEqual(models.first { $0["id"] == "test/c" }?["description"], "from the fleet")
    }
}
