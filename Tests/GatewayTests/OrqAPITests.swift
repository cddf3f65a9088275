import Foundation
import XCTest
@testable import OrqAPI
import Support
import TestSupport

/// orq.ai's model API (`004_…` POST, `000_…` PATCH) over the same catalogue as `/v1/models`: the seeds' request
/// and response shapes, spread-merged `configuration` and `metadata`, `metadata` prices that price calls, one audit log.
final class OrqAPITests: XCTestCase {
    private var harness: GatewayHarness!

    /// The `004_…` request with real values in place of its placeholders.
    private static let created = #"""
    {
      "configuration": {"region": "us-east-1", "is_tuned_model": false},
      "display_name": "Claude 3 Haiku (orq)",
      "has_functions": true,
      "id": "orq/claude-haiku",
      "input_cost": 0.25,
      "metadata": {
        "is_private": true,
        "context_window": 200000,
        "max_output_tokens": 4096,
        "million_tokens_input_cost": 1000,
        "million_tokens_output_cost": 2000,
        "million_tokens_above_200k_input_cost": 3000,
        "supports_streaming": true,
        "supports_vision": true,
        "knowledge_cutoff": "2023-08"
      },
      "model_developer": "Anthropic",
      "model_family": "claude-3",
      "model_id": "anthropic.claude-3-haiku-20240307-v1:0",
      "model_type": "chat",
      "output_cost": 1.25,
      "parameters": [
        {"config": {"min": 0, "max": 1}, "name": "Temperature", "parameter": "temperature", "parameter_type": "number",
         "description": "Sampling temperature", "hints": "lower is steadier", "position": 0}
      ],
      "provider": "aws-bedrock"
    }
    """#

    override func setUpWithError() throws {
        harness = try GatewayHarness()
    }

    override func tearDown() {
        harness?.shutdown()
    }

    private func send(_ method: String, _ target: String, _ body: String) throws -> (Int, JSONValue) {
        let response = try harness.request(method, target, key: GatewayHarness.adminKey, body: body)
        return (response.status, try JSONValue.parse(response.body))
    }

    func testCreateAnswersEveryDocumentedField() throws {
        let (status, model) = try send("POST", "/v2/models", Self.created)
        XCTAssertEqual(status, 201, "\(model)")
        for field in ["id", "created", "updated", "display_name", "model_id", "is_active", "provider", "owner", "input_cost",
                      "input_currency", "output_cost", "output_currency", "description", "pricing_url", "docs_url", "model_type",
                      "has_functions", "has_cpu_pricing", "enabled_for_playground", "enabled_for_endpoints", "configuration",
                      "metadata", "parameters", "enabled", "refId"] {
            XCTAssertNotNil(model[field], "\(field) is documented as required")
        }
        XCTAssertEqual(model["id"], "orq/claude-haiku")
        XCTAssertEqual(model["model_id"], "anthropic.claude-3-haiku-20240307-v1:0")
        XCTAssertEqual(model["provider"], "aws-bedrock")
        XCTAssertEqual(model["configuration"]?["provider"], "aws-bedrock")
        XCTAssertEqual(model["input_cost"]?.serializedString(), "1000", "metadata's per-million price is the price")
        XCTAssertEqual(model["input_currency"], "USD")
        XCTAssertEqual(model["has_functions"], true)
        XCTAssertEqual(model["metadata"]?["knowledge_cutoff"], "2023-08")
        XCTAssertEqual(model["model_family"], "claude-3")
        let parameter = try XCTUnwrap(model["parameters"]?.arrayValue?.first)
        XCTAssertNotNil(parameter["id"]?.stringValue)
        XCTAssertEqual(parameter["is_active"], true)

        // One catalogue: the canonical document, with the tiers as variants and the flags as capabilities.
        let canonical = try JSONValue.parse(try harness.request("GET", "/v1/models/orq/claude-haiku", key: GatewayHarness.adminKey).body)
        XCTAssertEqual(canonical["pricing"]?["variants"]?[0]?["when"], "input_tokens > 200000")
        XCTAssertEqual(canonical["capabilities"]?["streaming"], true)
        XCTAssertEqual(canonical["capabilities"]?["vision"], true)
        XCTAssertEqual(canonical["limits"]?["context_window"]?.intValue, 200000)
    }

    func testMetadataPricesPriceTheCalls() throws {
        XCTAssertEqual(try send("POST", "/v2/models", Self.created).0, 201)
        // orq has no field for the upstream credentials: the operator names the set through the canonical API.
        XCTAssertEqual(try send("PATCH", "/v1/models/orq/claude-haiku", #"{"provider_config": {"credentials": "standin"}}"#).0, 200)
        let answer = try harness.call("invoke", model: "orq/claude-haiku")
        XCTAssertEqual(answer.status, 200, answer.text)
        let usage = try JSONValue.parse(answer.body)["usage"]
        let input = try XCTUnwrap(usage?["input_tokens"]?.intValue)
        let output = try XCTUnwrap(usage?["output_tokens"]?.intValue)
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        // 1,000 and 2,000 per million tokens: thousandths per token.
        let expected = Money(units: Int128(input) * 1_000_000_000_000_000 + Int128(output) * 2_000_000_000_000_000)
        XCTAssertEqual(record["cost"]?.stringValue.flatMap { Money($0) }, expected)
    }

    func testTheSeedsPatchSampleWorksVerbatimAndMergesAsDocumented() throws {
        XCTAssertEqual(try send("POST", "/v2/models", Self.created).0, 201)
        // `000_…`'s code sample: orq.models.updateAwsBedrock({id, display_name: "Updated name", region: "us-east-1"}).
        let (status, patched) = try send("PATCH", "/v2/models/aws-bedrock/orq/claude-haiku",
                                         #"{"id": "orq/claude-haiku", "display_name": "Updated name", "region": "us-east-1"}"#)
        XCTAssertEqual(status, 200, "\(patched)")
        XCTAssertEqual(patched["display_name"], "Updated name")
        XCTAssertEqual(patched["input_cost"]?.serializedString(), "1000", "prices not given stay")

        let merged = try send("PATCH", "/v2/models/aws-bedrock/orq/claude-haiku",
                              #"{"metadata": {"speed_rating": 4}, "configuration": {"auth_mode": "role"}, "parameters": [], "output_cost": 5}"#)
        XCTAssertEqual(merged.0, 200, "\(merged.1)")
        XCTAssertEqual(merged.1["metadata"]?["knowledge_cutoff"], "2023-08", "metadata is spread-merged")
        XCTAssertEqual(merged.1["metadata"]?["speed_rating"]?.intValue, 4)
        XCTAssertEqual(merged.1["configuration"]?["auth_mode"], "role")
        XCTAssertEqual(merged.1["configuration"]?["region"], "us-east-1")
        XCTAssertEqual(merged.1["parameters"]?.arrayValue?.count, 1, "an empty list does not replace the parameters")
        XCTAssertEqual(merged.1["output_cost"]?.serializedString(), "5")

        let audit = try JSONValue.parse(try harness.request("GET", "/v1/audit?model=orq/claude-haiku", key: GatewayHarness.adminKey).body)
        XCTAssertEqual(audit["events"]?.arrayValue?.compactMap { $0["event"]?.stringValue }, ["model.created", "model.updated", "model.updated"])
    }

    func testBadInputIsRefusedNamingOrqsField() throws {
        var missing = try JSONValue.parse(Self.created).objectValue!
        missing["model_family"] = nil
        let (status, error) = try send("POST", "/v2/models", JSONValue.object(missing).serializedString())
        XCTAssertEqual(status, 400)
        XCTAssertEqual(error["error"]?["field"], "model_family")
        XCTAssertEqual(try send("POST", "/v2/models", Self.created).0, 201)
        let badID = try send("PATCH", "/v2/models/aws-bedrock/orq/claude-haiku", #"{"model_id": "not a model"}"#)
        XCTAssertEqual(badID.0, 400)
        XCTAssertEqual(badID.1["error"]?["field"], "model_id")
        let unknown = try send("PATCH", "/v2/models/aws-bedrock/orq/claude-haiku", #"{"colour": "red"}"#)
        XCTAssertEqual(unknown.1["error"]?["field"], "colour")
        XCTAssertEqual(try send("PATCH", "/v2/models/aws-bedrock/nothing", #"{"display_name": "x"}"#).0, 404)
        XCTAssertEqual(try harness.request("GET", "/v2/models/aws-bedrock/orq/claude-haiku", key: GatewayHarness.clientKey).status, 403)
    }
}
