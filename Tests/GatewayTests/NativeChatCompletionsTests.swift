import Foundation
import XCTest
import StandIn
import Support
import TestSupport

/// Models Bedrock serves at its own `/openai/v1/chat/completions` (`provider_config.api: "chat_completions"`): the
/// OpenAI face forwards the client's request there as it came (only `model` renamed), signed, passes the answer back
/// as it came, and meters it from OpenAI's `usage`.
final class NativeChatCompletionsTests: XCTestCase {
    private var harness: GatewayHarness!

    private static func native(_ id: String, upstream: String, failover: String? = nil) -> String {
        """
        {"id": "\(id)", "type": "completion", "capabilities": {"streaming": true},
         "provider_config": {"provider": "bedrock", "model_id": "\(upstream)", "region": "us-east-1", "credentials": "standin",
                             "api": "chat_completions"},
         "pricing": {"currency": "USD", "input_cost": 0.15, "output_cost": 0.6, "cache_read": {"cost": 0.05, "per": 1000000, "unit": "tokens"}}\(failover.map { #", "failover": "\#($0)""# } ?? "")}
        """
    }

    override func setUpWithError() throws {
        harness = try GatewayHarness(models: GatewayHarness.defaultModels + [
            Self.native("test/oss", upstream: "openai.gpt-oss-120b-1:0", failover: "test/oss-small"),
            Self.native("test/oss-small", upstream: "openai.gpt-oss-20b-1:0", failover: "test/c"),
        ])
    }

    override func tearDown() {
        harness?.shutdown()
    }

    private func chat(_ body: String) throws -> TestHTTPClient.Response {
        try TestHTTPClient(port: harness.port).request("POST", "/openai/v1/chat/completions",
                                                       headers: [("Authorization", "Bearer \(GatewayHarness.clientKey)"), ("Content-Type", "application/json")],
                                                       body: Array(body.utf8))
    }

    private func events(_ response: TestHTTPClient.Response) throws -> (chunks: [JSONValue], done: Bool) {
        let events = response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let done = events.last == "data: [DONE]"
        let chunks = try events.filter { $0 != "data: [DONE]" }.map { try JSONValue.parse(Array($0.dropFirst("data: ".count).utf8)) }
        return (chunks, done)
    }

    func testTheRequestGoesToBedrocksChatCompletionsAsItCameWithTheModelRenamed() throws {
        // `reasoning_effort` and `n` are OpenAI fields the Converse translation would refuse; Bedrock's endpoint takes them.
        let response = try chat(#"{"model": "test/oss", "reasoning_effort": "low", "n": 1, "messages": [{"role": "user", "content": "Hello"}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        let completion = try JSONValue.parse(response.body)
        XCTAssertEqual(completion["object"], "chat.completion")
        XCTAssertEqual(completion["model"], "openai.gpt-oss-120b-1:0", "Bedrock's answer passes as it came")
        XCTAssertEqual(response.header("x-tollgate-model"), "test/oss")

        let call = try XCTUnwrap(harness.standIn.stats.calls.last)
        XCTAssertEqual(call.operation, "chat-completions")
        XCTAssertEqual(call.principal, GatewayHarness.upstreamKeyID, "signed with the upstream credentials, and the signature verified")
        let sent = try JSONValue.parse(try XCTUnwrap(call.body))
        XCTAssertEqual(sent["model"], "openai.gpt-oss-120b-1:0")
        XCTAssertEqual(sent["reasoning_effort"], "low")
        XCTAssertEqual(sent["n"]?.intValue, 1)
        XCTAssertEqual(sent["messages"]?[0]?["content"], "Hello")
        XCTAssertNil(sent["stream_options"], "a whole answer carries its usage without asking")

        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        XCTAssertEqual(record["operation"], "ChatCompletions")
        XCTAssertEqual(record["bedrock_operation"], "ChatCompletions")
        XCTAssertEqual(record["answering_model"], "test/oss")
        XCTAssertEqual(record["tokens"]?["input"]?.intValue, completion["usage"]?["prompt_tokens"]?.intValue)
        XCTAssertEqual(record["tokens"]?["output"]?.intValue, completion["usage"]?["completion_tokens"]?.intValue)
        XCTAssertNotEqual(record["cost"], "0")
    }

    func testCachedTokensArePricedAsCacheReads() throws {
        var rule = StandInRule()
        rule.operation = "chat-completions"
        rule.cacheReadTokens = 40
        harness.standIn.script([rule])
        let response = try chat(#"{"model": "test/oss", "messages": [{"role": "user", "content": "Hello"}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        let usage = try JSONValue.parse(response.body)["usage"]
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        XCTAssertEqual(record["tokens"]?["cache_read"]?.intValue, 40)
        XCTAssertEqual(record["tokens"]?["input"]?.intValue, (usage?["prompt_tokens"]?.intValue ?? 0) - 40,
                       "OpenAI counts cached tokens inside prompt_tokens; the ledger keeps the kinds apart")
    }

    func testAStreamTheClientDidNotAskUsageOfIsMeteredWithoutShowingTheUsageChunk() throws {
        let response = try chat(#"{"model": "test/oss", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.header("Content-Type"), "text/event-stream")
        let (chunks, done) = try events(response)
        XCTAssertTrue(done, response.text)
        XCTAssertFalse(chunks.contains { $0["choices"]?.arrayValue?.isEmpty ?? false }, "the usage chunk was the gateway's, not the client's")
        let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
        XCTAssertEqual(text, StandInTokens.reply(bytes: nil))

        let sent = try JSONValue.parse(try XCTUnwrap(harness.standIn.stats.calls.last?.body))
        XCTAssertEqual(sent["stream_options"]?["include_usage"], true)
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        XCTAssertEqual(record["bedrock_operation"], "ChatCompletionsStream")
        XCTAssertEqual(record["tokens"]?["output"]?.intValue, StandInTokens.output(StandInTokens.reply(bytes: nil)))
        XCTAssertGreaterThan(record["tokens"]?["input"]?.intValue ?? 0, 0)
        XCTAssertEqual(record["partial"], false, "the stream reached its usage and [DONE]")
    }

    func testAStreamThatAskedForUsageGetsTheUsageChunkTheLedgerAgreesWith() throws {
        let response = try chat(#"{"model": "test/oss", "stream": true, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "Hello"}]}"#)
        let (chunks, done) = try events(response)
        XCTAssertTrue(done, response.text)
        let usage = try XCTUnwrap(chunks.last?["usage"])
        XCTAssertEqual(chunks.last?["choices"], [])
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        XCTAssertEqual(record["tokens"]?["input"]?.intValue, usage["prompt_tokens"]?.intValue)
        XCTAssertEqual(record["tokens"]?["output"]?.intValue, usage["completion_tokens"]?.intValue)
    }

    func testFailoverStaysAmongNativeModels() throws {
        var rule = StandInRule()
        rule.model = "openai.gpt-oss-120b-1:0"
        rule.status = 503
        rule.errorType = "ServiceUnavailableException"
        harness.standIn.script([rule])
        let response = try chat(#"{"model": "test/oss", "messages": [{"role": "user", "content": "Hello"}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.header("x-tollgate-model"), "test/oss-small")
        XCTAssertEqual(try JSONValue.parse(response.body)["model"], "openai.gpt-oss-20b-1:0")
        XCTAssertEqual(harness.standIn.stats.calls.map(\.operation), ["chat-completions", "chat-completions", "chat-completions"],
                       "two attempts on test/oss, then test/oss-small; never a Converse model with an OpenAI body")
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        XCTAssertEqual(record["answering_model"], "test/oss-small")
        XCTAssertEqual(record["attempts"]?.arrayValue?.compactMap { $0["model"]?.stringValue }, ["test/oss", "test/oss", "test/oss-small"])
    }

    func testBedrocksErrorsComeBackInOpenAIsShape() throws {
        var rule = StandInRule()
        rule.operation = "chat-completions"
        rule.status = 400
        rule.errorType = "ValidationException"
        rule.message = "reasoning_effort must be low, medium or high"
        harness.standIn.script([rule])
        let response = try chat(#"{"model": "test/oss", "reasoning_effort": "max", "messages": [{"role": "user", "content": "x"}]}"#)
        XCTAssertEqual(response.status, 400, response.text)
        let error = try JSONValue.parse(response.body)["error"]
        XCTAssertEqual(error?["type"], "invalid_request_error")
        XCTAssertEqual(error?["message"], "reasoning_effort must be low, medium or high")
        XCTAssertEqual(try harness.ledgerRecords(count: 1).last?["status"]?.intValue, 400)

        var throttled = StandInRule()
        throttled.operation = "*"
        throttled.status = 429
        throttled.errorType = "ThrottlingException"
        throttled.message = "Too many requests"
        throttled.retryAfter = 3
        harness.standIn.script([throttled])
        let busy = try chat(#"{"model": "test/oss", "messages": [{"role": "user", "content": "x"}]}"#)
        XCTAssertEqual(busy.status, 429, busy.text)
        XCTAssertEqual(try JSONValue.parse(busy.body)["error"]?["type"], "rate_limit_error")
        XCTAssertNotNil(busy.header("Retry-After"))
    }

    func testAStreamBrokenOffEndsWithAnErrorEventAndAPartialRecord() throws {
        var rule = StandInRule()
        rule.operation = "chat-completions-stream"
        rule.exceptionAfterFrames = 3
        harness.standIn.script([rule])
        let response = try chat(#"{"model": "test/oss", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        let events = response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertTrue(events.last?.hasPrefix("event: error\ndata: ") ?? false, response.text)
        XCTAssertFalse(response.text.contains("[DONE]"))
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        XCTAssertEqual(record["partial"], true)
    }

    func testAConverseModelStillGoesThroughTheTranslation() throws {
        let response = try chat(#"{"model": "test/a", "messages": [{"role": "user", "content": "Hello"}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(harness.standIn.stats.calls.last?.operation, "converse")
    }
}
