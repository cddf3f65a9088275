import Foundation
import XCTest
import Support
import TestSupport

/// The top-level `region` of a model document (`001_…`: "Hosting region", free text up to 128 characters): when it is
/// an AWS region code, calls are signed for and sent to it unless `provider_config.region` overrides it; inheritance
/// through `base_model` applies to both; admin answers show the effective `routing_region`.
final class RegionRoutingTests: XCTestCase {
    private var harness: GatewayHarness!

    private static func model(_ id: String, _ extra: String) -> String {
        #"{"id": "\#(id)", "type": "completion", "capabilities": {"streaming": true}, "pricing": {"currency": "USD", "input_cost": 1, "output_cost": 2}, \#(extra)}"#
    }

    private static let provider = #""provider_config": {"provider": "bedrock", "model_id": "anthropic.claude-3-haiku-20240307-v1:0", "credentials": "standin""#

    override func setUpWithError() throws {
        harness = try GatewayHarness(models: [
            Self.model("regional", #""region": "eu-west-1", \#(Self.provider)}"#),
            Self.model("overridden", #""region": "eu-west-1", \#(Self.provider), "region": "ap-northeast-1"}"#),
            Self.model("described", #""region": "Paris, France (EU data boundary)", \#(Self.provider)}"#),
            Self.model("inheriting", #""base_model": "regional""#),
        ])
    }

    override func tearDown() {
        harness?.shutdown()
    }

    /// The credential scope's region of the last call the stand-in accepted (`Credential=AKID/date/REGION/bedrock/…`).
    private func lastSigningRegion() throws -> String? {
        let authorization = try XCTUnwrap(harness.standIn.stats.calls.last?.headers.first { $0.name.lowercased() == "authorization" }?.value)
        let scope = authorization.components(separatedBy: "Credential=").last?.split(separator: ",").first ?? ""
        let parts = scope.split(separator: "/")
        return parts.count >= 3 ? String(parts[2]) : nil
    }

    private func routingRegion(_ id: String) throws -> String? {
        let response = try harness.request("GET", "/v1/models/\(id)", key: GatewayHarness.adminKey)
        XCTAssertEqual(response.status, 200, response.text)
        return try JSONValue.parse(response.body)["routing_region"]?.stringValue
    }

    func testARegionCodeRoutesAndSignsTheCall() throws {
        XCTAssertEqual(try harness.call("invoke", model: "regional").status, 200)
        XCTAssertEqual(try lastSigningRegion(), "eu-west-1")
        XCTAssertEqual(try routingRegion("regional"), "eu-west-1")
    }

    func testProviderConfigRegionOverridesTheTopLevelOne() throws {
        XCTAssertEqual(try harness.call("invoke", model: "overridden").status, 200)
        XCTAssertEqual(try lastSigningRegion(), "ap-northeast-1")
        XCTAssertEqual(try routingRegion("overridden"), "ap-northeast-1")
    }

    func testFreeTextIsDescriptiveAndTheDefaultRegionRoutes() throws {
        XCTAssertEqual(try harness.call("invoke", model: "described").status, 200)
        XCTAssertEqual(try lastSigningRegion(), "us-east-1", "upstream.region")
        XCTAssertEqual(try routingRegion("described"), "us-east-1")
        let stored = try harness.request("GET", "/v1/models/described", key: GatewayHarness.adminKey)
        XCTAssertEqual(try JSONValue.parse(stored.body)["region"]?.stringValue, "Paris, France (EU data boundary)")
    }

    func testTheRegionIsInheritedThroughBaseModel() throws {
        XCTAssertEqual(try harness.call("invoke", model: "inheriting").status, 200)
        XCTAssertEqual(try lastSigningRegion(), "eu-west-1")
    }

    func testAPatchedRegionMovesTheNextCall() throws {
        XCTAssertEqual(try harness.call("invoke", model: "regional").status, 200)
        XCTAssertEqual(try lastSigningRegion(), "eu-west-1")
        let patched = try harness.request("PATCH", "/v1/models/regional", key: GatewayHarness.adminKey, body: #"{"region": "ca-central-1"}"#)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(try JSONValue.parse(patched.body)["routing_region"]?.stringValue, "ca-central-1")
        XCTAssertEqual(try harness.call("invoke", model: "regional").status, 200)
        XCTAssertEqual(try lastSigningRegion(), "ca-central-1")
    }

    func testAServedDocumentCanBePutBackAsIs() throws {
        let served = try harness.request("GET", "/v1/models/regional", key: GatewayHarness.adminKey)
        let put = try harness.request("PUT", "/v1/models/regional", key: GatewayHarness.adminKey, body: served.text)
        XCTAssertEqual(put.status, 200, put.text)
    }

    func testARegionLongerThan128CharactersIsRefusedNamingTheField() throws {
        let long = String(repeating: "r", count: 129)
        let response = try harness.request("PATCH", "/v1/models/regional", key: GatewayHarness.adminKey, body: #"{"region": "\#(long)"}"#)
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(try JSONValue.parse(response.body)["error"]?["field"]?.stringValue, "region")
    }
}
