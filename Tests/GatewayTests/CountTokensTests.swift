import Foundation
import XCTest
import Support
import TestSupport

/// CountTokens end to end: authenticated, looked up and signed like every runtime call, answered by the stand-in,
/// never failed over (another model's count would be wrong), recorded with the count apart from usage, cost 0.
final class CountTokensTests: XCTestCase {
    private var harness: GatewayHarness!

    override func setUpWithError() throws {
        harness = try GatewayHarness()
    }

    override func tearDown() {
        harness?.shutdown()
        harness = nil
    }

    private static let converseInput = #"{"input": {"converse": {"messages": [{"role": "user", "content": [{"text": "How many tokens is this?"}]}]}}}"#

    func testCountTokensIsForwardedAndRecordedApartFromUsage() throws {
        let response = try harness.call("count-tokens", model: "test/a", body: Self.converseInput)
        XCTAssertEqual(response.status, 200, response.text)
        let counted = try XCTUnwrap(JSONValue.parse(response.body)["inputTokens"]?.intValue)
        XCTAssertGreaterThan(counted, 0)
        XCTAssertEqual(harness.standIn.stats.calls.last?.operation, "count-tokens")
        XCTAssertEqual(harness.standIn.stats.rejected, 0, "signed like every runtime call")

        let invokeBody = #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}"#
        // The InvokeModel body is a blob: base64 in the JSON, as the SDKs send it.
        let asInvoke = #"{"input": {"invokeModel": {"body": "\#(Data(invokeBody.utf8).base64EncodedString())"}}}"#
        let invokeCount = try harness.call("count-tokens", model: "test/a", body: asInvoke)
        XCTAssertEqual(try JSONValue.parse(invokeCount.body)["inputTokens"]?.intValue, (invokeBody.utf8.count + 3) / 4)
        let notBase64 = #"{"input": {"invokeModel": {"body": "{not base64}"}}}"#
        XCTAssertEqual(try harness.call("count-tokens", model: "test/a", body: notBase64).status, 400)

        let record = try XCTUnwrap(harness.ledgerRecords(count: 3).first { $0["operation"]?.stringValue == "CountTokens" })
        XCTAssertEqual(record["counted_tokens"]?.intValue, counted)
        XCTAssertEqual(record["cost"], "0")
        XCTAssertEqual(record["tokens"]?["input"], 0)
        XCTAssertEqual(record["answering_model"], "test/a")
    }

    /// A model that cannot answer is not replaced by its failover target for CountTokens (invoke would fail over).
    func testCountTokensNeverFailsOver() throws {
        let failed = try harness.call("count-tokens", model: "test/dead", body: Self.converseInput)
        XCTAssertEqual(failed.status, 503, failed.text)
        XCTAssertEqual(failed.header("x-tollgate-model"), "test/dead")
        XCTAssertEqual(try harness.call("invoke", model: "test/dead").header("x-tollgate-model"), "test/c")
    }

    /// The access rules of every runtime call: a model another org owns, a disabled one, or none at all, the same 404.
    func testCountTokensFollowsTheAccessRules() throws {
        for model in ["test/restricted", "test/disabled", "nope/none"] {
            let response = try harness.call("count-tokens", model: model, body: Self.converseInput)
            XCTAssertEqual(response.status, 404, model)
            XCTAssertEqual(response.header("x-amzn-ErrorType")?.split(separator: ":").first, "ResourceNotFoundException")
        }
        XCTAssertEqual(try harness.call("count-tokens", model: "test/restricted", body: Self.converseInput,
                                        key: GatewayHarness.acmeKey).status, 200)
        XCTAssertEqual(try harness.call("count-tokens", model: "test/a", body: Self.converseInput, key: nil).status, 403)
    }
}
