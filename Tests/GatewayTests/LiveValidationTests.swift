import Foundation
import XCTest
import StandIn
import Support
import TestSupport

/// `POST /v1/models/{id}/validate` runs the live check against Bedrock's control plane (the stand-in plays it):
/// the read that finds the model's `provider_config.model_id`, in its region, with its credentials or assumed role.
final class LiveValidationTests: XCTestCase {
    private static let role = "arn:aws:iam::123456789012:role/Checked"
    private var harness: GatewayHarness!

    private static func model(_ id: String, upstream: String, region: String = "eu-west-1", extra: String = "") -> String {
        #"{"id": "\#(id)", "type": "completion", "provider_config": {"provider": "bedrock", "model_id": "\#(upstream)", "region": "\#(region)", "credentials": "standin"\#(extra)}}"#
    }

    override func setUpWithError() throws {
        harness = try GatewayHarness(models: GatewayHarness.defaultModels + [
            Self.model("known", upstream: "anthropic.claude-3-haiku-20240307-v1:0"),
            Self.model("unknown", upstream: "amazon.made-up-model-v1:0"),
            Self.model("profile", upstream: "us.anthropic.claude-3-5-sonnet-20240620-v1:0", region: "us-west-2"),
            Self.model("tuned", upstream: "arn:aws:bedrock:us-west-2:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abcdef012345", region: "us-west-2"),
            Self.model("as-role", upstream: "anthropic.claude-3-haiku-20240307-v1:0", extra: #", "assume_role_arn": "\#(Self.role)""#),
        ], standInRoles: [Self.role: nil])
    }

    override func tearDown() {
        harness?.shutdown()
    }

    private func validate(_ id: String) throws -> JSONValue {
        let response = try harness.request("POST", "/v1/models/\(id)/validate", key: GatewayHarness.adminKey)
        XCTAssertEqual(response.status, 200, response.text)
        return try JSONValue.parse(response.body)
    }

    func testAKnownFoundationModelExists() throws {
        let answer = try validate("known")
        XCTAssertEqual(answer["checks"]?["live"], "exists")
        XCTAssertEqual(answer["live_checks"]?["operation"], "GetFoundationModel")
        XCTAssertEqual(answer["live_checks"]?["region"], "eu-west-1")
        let read = try XCTUnwrap(harness.standIn.stats.controlPlaneReads.last)
        XCTAssertEqual(read.identifier, "anthropic.claude-3-haiku-20240307-v1:0")
        XCTAssertEqual(read.principal, GatewayHarness.upstreamKeyID)
        XCTAssertEqual(read.region, "eu-west-1")
    }

    func testAMissingModelIsNotFoundWithBedrocksMessage() throws {
        let answer = try validate("unknown")
        XCTAssertEqual(answer["checks"]?["live"], "not_found")
        XCTAssertEqual(answer["live_checks"]?["status"]?.intValue, 404)
        XCTAssertEqual(answer["live_checks"]?["message"], "The model amazon.made-up-model-v1:0 does not exist.")
    }

    func testAccessDeniedIsReportedAsSuch() throws {
        var rule = StandInRule()
        rule.model = "anthropic.claude-3-haiku-20240307-v1:0"
        rule.operation = "GetFoundationModel"
        rule.status = 403
        rule.errorType = "AccessDeniedException"
        rule.message = "You don't have access to the model with the specified model ID."
        harness.standIn.script([rule])
        let answer = try validate("known")
        XCTAssertEqual(answer["checks"]?["live"], "access_denied")
        XCTAssertEqual(answer["live_checks"]?["message"], "You don't have access to the model with the specified model ID.")
    }

    func testTheReadFollowsTheKindOfModelID() throws {
        XCTAssertEqual(try validate("profile")["live_checks"]?["operation"], "GetInferenceProfile")
        XCTAssertEqual(try validate("tuned")["live_checks"]?["operation"], "GetCustomModel")
        XCTAssertEqual(harness.standIn.stats.controlPlaneReads.map(\.operation), ["GetInferenceProfile", "GetCustomModel"])
        XCTAssertEqual(harness.standIn.stats.controlPlaneReads.map(\.region), ["us-west-2", "us-west-2"])
    }

    func testAModelWithARoleIsCheckedAsThatRole() throws {
        let answer = try validate("as-role")
        XCTAssertEqual(answer["checks"]?["live"], "exists")
        XCTAssertEqual(harness.standIn.stats.roleAssumptions.count, 1)
        XCTAssertTrue(harness.standIn.stats.controlPlaneReads.last?.principal.hasPrefix("ASIA") ?? false)
    }
}
