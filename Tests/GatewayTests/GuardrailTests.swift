import Foundation
import XCTest
import AWS
import Support
import TestSupport

/// ApplyGuardrail end to end: configured guardrails only, the org rule of the models (an invisible one is a 404 like a
/// missing one), signed for the stand-in, relayed as it answered, recorded with its text units and priced.
final class GuardrailTests: XCTestCase {
    private var harness: GatewayHarness!

    override func setUpWithError() throws {
        harness = try GatewayHarness(extraConfig: #"""
        "guardrails": {"support": {"guardrail_id": "gr-support01", "credentials": "standin", "price_per_1000_text_units": "0.15"},
                       "acme-only": {"credentials": "standin", "org_slugs": ["acme"]}},
        """#)
    }

    override func tearDown() {
        harness?.shutdown()
        harness = nil
    }

    private func apply(_ id: String, text: String = "Hello there", key: String? = GatewayHarness.clientKey) throws -> TestHTTPClient.Response {
        let body = #"{"source": "INPUT", "content": [{"text": {"text": "\#(text)"}}]}"#
        var headers = [("Content-Type", "application/json")]
        if let key { headers.append(("Authorization", "Bearer \(key)")) }
        return try TestHTTPClient(port: harness.port).request("POST", "/guardrail/\(id)/version/1/apply", headers: headers, body: Array(body.utf8))
    }

    func testAGuardrailIsAppliedSignedRecordedAndPriced() throws {
        let response = try apply("support")
        XCTAssertEqual(response.status, 200, response.text)
        let answer = try JSONValue.parse(response.body)
        XCTAssertEqual(answer["action"], "NONE")
        XCTAssertEqual(answer["usage"]?["topicPolicyUnits"], 1)
        let call = try XCTUnwrap(harness.standIn.stats.calls.last)
        XCTAssertEqual(call.operation, "apply")
        XCTAssertEqual(call.model, "gr-support01", "the configured upstream id is what Bedrock sees")
        XCTAssertEqual(harness.standIn.stats.rejected, 0, "signed")

        XCTAssertEqual(try JSONValue.parse(try apply("support", text: "BLOCKME please").body)["action"], "GUARDRAIL_INTERVENED")
        let records = try harness.ledgerRecords(count: 2).filter { $0["operation"]?.stringValue == "ApplyGuardrail" }
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(records[0]["guardrail_text_units"], 4, "one unit for each of four policies")
        XCTAssertEqual(records[0]["cost"], "0.0006", "0.15 per 1,000 text units")
        XCTAssertEqual(records[0]["requested_model"], "support")
    }

    func testGuardrailsFollowTheOrgRuleAndAnswerLikeBedrock() throws {
        for id in ["acme-only", "not-configured"] {
            let refused = try apply(id)
            XCTAssertEqual(refused.status, 404, id)
            XCTAssertEqual(refused.header("x-amzn-ErrorType")?.split(separator: ":").first, "ResourceNotFoundException")
        }
        XCTAssertEqual(try apply("acme-only", key: GatewayHarness.acmeKey).status, 200)
        XCTAssertEqual(try apply("support", key: nil).status, 403)
        let get = try TestHTTPClient(port: harness.port).request("GET", "/guardrail/support/version/1/apply")
        XCTAssertEqual(get.status, 405)
        XCTAssertEqual(GuardrailPath(parsing: "/guardrail/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aguardrail%2Fabc/version/DRAFT/apply"),
                       GuardrailPath(identifier: "arn:aws:bedrock:us-east-1:1:guardrail/abc", version: "DRAFT"))
        XCTAssertNil(GuardrailPath(parsing: "/guardrail/x/version/0/apply"))
        XCTAssertNil(BedrockPath(parsing: "/model/x/apply"), "ApplyGuardrail is not a model path")
    }
}
