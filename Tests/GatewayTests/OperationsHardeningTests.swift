import Foundation
import XCTest
import Accounting
@testable import Server
@testable import Identity
import Support
import TestSupport

/// What operators expose and rely on: who may read `/metrics`, the key-less operations port, where signed calls
/// may be sent, and what the gateway does when its ledger cannot write.
final class OperationsHardeningTests: XCTestCase {
    static let metricsKey = "tg-test-metrics-scraper-key-0000000"
    private var harness: GatewayHarness!

    override func tearDown() {
        harness?.shutdown()
        harness = nil
    }

    private func start(extraConfig: String = "") throws {
        harness = try GatewayHarness(extraConfig: extraConfig)
        try harness.writeKeys(extra: #", {"id": "scraper", "role": "metrics", "hash": "\#(KeyHash.hash(Self.metricsKey))"}"#)
        harness.service.gateway.reload()
    }

    private func get(_ path: String, key: String?, port: UInt16? = nil) throws -> TestHTTPClient.Response {
        try TestHTTPClient(port: port ?? harness.port).request("GET", path, headers: key.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    /// `/metrics` names restricted models and orgs: admin and `metrics` keys only. A `metrics` key reads nothing else.
    /// Made-up model ids never become label values.
    func testMetricsNeedAnAdminOrMetricsKeyAndCarryOnlyCatalogueIDs() throws {
        try start()
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 200)
        for probe in ["probe/one", "probe/two", "test/restricted"] {
            XCTAssertEqual(try harness.call("invoke", model: probe).status, 404)
        }
        XCTAssertEqual(try get("/metrics", key: nil).status, 401)
        XCTAssertEqual(try get("/metrics", key: GatewayHarness.clientKey).status, 403)
        let byAdmin = try get("/metrics", key: GatewayHarness.adminKey)
        XCTAssertEqual(byAdmin.status, 200)
        XCTAssertTrue(waitUntil { ((try? self.get("/metrics", key: Self.metricsKey))?.status) == 200 }, "the metrics key is loaded")
        let text = try get("/metrics", key: Self.metricsKey).text
        XCTAssertTrue(text.contains(#"model="test/a""#), text)
        XCTAssertTrue(text.contains(#"tollgate_requests_total{model="unknown",org="t",status="404",operation="InvokeModel"} 2"#), text)
        XCTAssertFalse(text.contains("probe/"))
        XCTAssertEqual(try harness.call("invoke", model: "test/a", key: Self.metricsKey).status, 403, "a scraper key calls no model")
        XCTAssertEqual(try get("/foundation-models", key: Self.metricsKey).status, 403)
    }

    /// `admin_listen`: `/metrics`, `/healthz`, `/readyz` without a key; nothing else is served there.
    func testOperationsPortServesMetricsAndProbesOnly() throws {
        try start(extraConfig: #""admin_listen": "127.0.0.1:0","#)
        let port = try XCTUnwrap(harness.service.operationsServer?.localAddresses.first?.port)
        XCTAssertEqual(try get("/metrics", key: nil, port: port).status, 200)
        XCTAssertEqual(try get("/healthz", key: nil, port: port).status, 200)
        XCTAssertEqual(try get("/readyz", key: nil, port: port).status, 200)
        XCTAssertEqual(try get("/v1/models", key: GatewayHarness.adminKey, port: port).status, 404)
        let call = try TestHTTPClient(port: port).request("POST", "/model/test%2Fa/invoke",
                                                           headers: [("Authorization", "Bearer \(GatewayHarness.clientKey)")], body: Array("{}".utf8))
        XCTAssertEqual(call.status, 404)
        XCTAssertEqual(try get("/metrics", key: nil).status, 401, "the main port still needs a key")
    }

    /// `provider_config.endpoint` outside `upstream.allowed_endpoints` is refused at write time, naming the field;
    /// a catalogue file with one keeps the last good catalogue serving.
    func testEndpointsOutsideTheAllowListAreRefused() throws {
        try start()
        for endpoint in ["http://169.254.169.254", "https://bedrock-runtime.us-east-1.amazonaws.com@169.254.169.254",
                         "http://127.0.0.1:2", "https://evil.example/bedrock-runtime.us-east-1.amazonaws.com"] {
            let body = #"{"id": "x/metadata", "type": "completion", "provider_config": {"model_id": "anthropic.claude-3-haiku-20240307-v1:0", "endpoint": "\#(endpoint)"}}"#
            let response = try TestHTTPClient(port: harness.port).request(
                "POST", "/v1/models", headers: [("Authorization", "Bearer \(GatewayHarness.adminKey)"), ("Content-Type", "application/json")],
                body: Array(body.utf8))
            XCTAssertEqual(response.status, 400, endpoint)
            XCTAssertEqual(try JSONValue.parse(response.body)["error"]?["field"]?.stringValue, "provider_config.endpoint", endpoint)
        }
        let allowed = #"{"id": "x/regional", "type": "completion", "provider_config": {"model_id": "anthropic.claude-3-haiku-20240307-v1:0", "endpoint": "https://bedrock-runtime.eu-west-3.amazonaws.com"}}"#
        XCTAssertEqual(try TestHTTPClient(port: harness.port).request(
            "POST", "/v1/models", headers: [("Authorization", "Bearer \(GatewayHarness.adminKey)"), ("Content-Type", "application/json")],
            body: Array(allowed.utf8)).status, 201)

        let before = harness.service.gateway.context.catalogue.snapshot.version
        try harness.write("catalogue.json", #"{"models": [\#(GatewayHarness.model("test/a", upstream: "anthropic.claude-3-haiku-20240307-v1:0", endpoint: "http://10.0.0.1"))]}"#)
        guard case .failed(let error) = harness.service.gateway.context.catalogue.reload() else { return XCTFail("the reload is refused") }
        XCTAssertEqual(error.field, "models[0].provider_config.endpoint")
        XCTAssertEqual(harness.service.gateway.context.catalogue.snapshot.version, before)
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 200)
    }

    /// `ledger.on_failure: refuse`: while the ledger cannot write past `max_backlog_ms`, `/readyz` is 503 and new calls
    /// get 503 `ServiceUnavailableException` without reaching Bedrock; once it writes again both recover, and every
    /// answered call has exactly one record. The fault is real: today's ledger file is a directory, so `open(2)` fails.
    func testALedgerThatCannotWriteRefusesNewCallsUntilItRecovers() throws {
        try start(extraConfig: #""ledger": {"on_failure": "refuse", "max_backlog_ms": 100},"#)
        let ledger = harness.service.gateway.context.accountant.ledger
        let days = [Date(), Date().addingTimeInterval(86_400)].map { ledger.path(for: CivilDate($0)) }
        for path in days { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }

        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 200, "admitted before any failure is known")
        XCTAssertTrue(waitUntil { (try? self.get("/readyz", key: nil).status) == 503 })
        let refused = try harness.call("invoke", model: "test/a")
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.header("x-amzn-ErrorType")?.split(separator: ":").first, "ServiceUnavailableException")
        XCTAssertEqual(harness.standIn.stats.calls.count, 1, "a refused call is not attempted")
        let metrics = try get("/metrics", key: GatewayHarness.adminKey).text
        XCTAssertTrue(metrics.contains("tollgate_ledger_writing 0"), metrics)

        for path in days { try FileManager.default.removeItem(atPath: path) }
        XCTAssertTrue(waitUntil { (try? self.get("/readyz", key: nil).status) == 200 })
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 200)
        let records = try harness.ledgerRecords(count: 2)
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(Set(records.compactMap { $0["request_id"]?.stringValue }).count, 2)
        XCTAssertEqual(records.compactMap { $0["status"]?.intValue }, [200, 200])
    }
}
