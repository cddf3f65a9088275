import Foundation
import XCTest
@testable import CustomModelsAPI
import Support
import TestSupport

/// The custom-model API of seed `003_…` over the same catalogue as `/v1/models`: the seed's request fields, replace
/// semantics, base-model inheritance, the documented response, and one audit log.
final class CustomModelsAPITests: XCTestCase {
    private var harness: GatewayHarness!

    override func setUpWithError() throws {
        harness = try GatewayHarness()
    }

    override func tearDown() {
        harness?.shutdown()
    }

    private func put(_ name: String, _ body: String, key: String = GatewayHarness.adminKey) throws -> (Int, JSONValue) {
        let response = try harness.request("PUT", "/v1/custom-models/\(name)", key: key, body: body)
        return (response.status, try JSONValue.parse(response.body))
    }

    func testTheSeedsFieldsAreStoredAndAnsweredInItsShape() throws {
        let (status, answer) = try put("acme/tuned-haiku", """
        {"base_model_name": "test/a", "display_name": "Tuned Haiku", "input_cost": 2.5, "cache_hit_input_cost": 0.25,
         "max_context_window": 100000, "streaming_support": 1, "function_call": 1, "image_support": 0,
         "supported_params_override": {"top_k": true, "stop": false}}
        """)
        XCTAssertEqual(status, 201, "\(answer)")
        XCTAssertEqual(answer["id"], "acme/tuned-haiku")
        XCTAssertEqual(answer["model_name"], "acme/tuned-haiku")
        XCTAssertEqual(answer["display_name"], "Tuned Haiku")
        XCTAssertEqual(answer["base_model_name"], "test/a")
        XCTAssertEqual(answer["input_cost"]?.serializedString(), "2.5")
        XCTAssertEqual(answer["output_cost"]?.serializedString(), "15", "inherited from the base model")
        XCTAssertEqual(answer["cache_hit_input_cost"]?.serializedString(), "0.25")
        XCTAssertEqual(answer["max_context_window"]?.intValue, 100000)
        XCTAssertEqual(answer["streaming_support"]?.intValue, 1)
        XCTAssertEqual(answer["function_call"]?.intValue, 1)
        XCTAssertEqual(answer["image_support"]?.intValue, 0)
        XCTAssertEqual(answer["is_called_by_custom_name"], false, "routed to the base's upstream model")
        XCTAssertEqual(answer["supported_params"]?["top_k"], true)
        XCTAssertEqual(answer["supported_params"]?["stop"], false)
        XCTAssertEqual(answer["supported_params"]?["tools"], true)
        XCTAssertEqual(answer["model_type"], "chat")
        XCTAssertNotNil(answer["created_at"]?.stringValue)

        // The same document through /v1/models, and the model serves calls like any other.
        let canonical = try JSONValue.parse(try harness.request("GET", "/v1/models/acme/tuned-haiku", key: GatewayHarness.adminKey).body)
        XCTAssertEqual(canonical["base_model"], "test/a")
        XCTAssertEqual(canonical["limits"]?["context_window"]?.intValue, 100000)
        XCTAssertEqual(try harness.call("invoke", model: "acme/tuned-haiku").status, 200)

        let got = try harness.request("GET", "/v1/custom-models/acme/tuned-haiku", key: GatewayHarness.adminKey)
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(try JSONValue.parse(got.body)["display_name"], "Tuned Haiku")
    }

    func testPutReplacesAndEveryChangeIsAudited() throws {
        XCTAssertEqual(try put("team/m", #"{"base_model_name": "test/a", "display_name": "First", "input_cost": 1}"#).0, 201)
        let (status, replaced) = try put("team/m", #"{"base_model_name": "test/a", "output_cost": 7}"#)
        XCTAssertEqual(status, 200, "\(replaced)")
        XCTAssertEqual(replaced["display_name"], "team/m", "replace: the label given before is gone")
        XCTAssertEqual(replaced["output_cost"]?.serializedString(), "7")
        XCTAssertEqual(replaced["input_cost"]?.serializedString(), "3", "back to the base's price")
        let audit = try JSONValue.parse(try harness.request("GET", "/v1/audit?model=team/m", key: GatewayHarness.adminKey).body)
        XCTAssertEqual(audit["events"]?.arrayValue?.compactMap { $0["event"]?.stringValue }, ["model.created", "model.updated"])
    }

    func testBadInputIsRefusedNamingThisAPIsField() throws {
        let flags = try put("x", #"{"streaming_support": 2}"#)
        XCTAssertEqual(flags.0, 400)
        XCTAssertEqual(flags.1["error"]?["field"], "streaming_support")
        let window = try put("x", #"{"max_context_window": -1}"#)
        XCTAssertEqual(window.0, 400)
        XCTAssertEqual(window.1["error"]?["field"], "max_context_window")
        let base = try put("x", #"{"base_model_name": "nowhere"}"#)
        XCTAssertEqual(base.0, 400)
        XCTAssertEqual(base.1["error"]?["field"], "base_model_name")
        let unknown = try put("x", #"{"colour": "red"}"#)
        XCTAssertEqual(unknown.1["error"]?["field"], "colour")
        XCTAssertNil(harness.store.snapshot.model("x"), "nothing was written")
        XCTAssertEqual(try put("x", "{}", key: GatewayHarness.clientKey).0, 403)
        XCTAssertEqual(try harness.request("GET", "/v1/custom-models/missing", key: GatewayHarness.adminKey).status, 404)
    }
}
