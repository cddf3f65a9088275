import Foundation
import XCTest
@testable import OpenAIAPI
import StandIn
import Support
import TestSupport

/// The OpenAI-compatible face: Chat Completions ↔ Converse both ways as tables, then end to end against the stand-in
/// through the gateway (plain, streamed, tool calls, errors, models, the ledger).
final class OpenAITranslationTests: XCTestCase {
    private func converse(_ body: String) throws -> JSONValue {
        try ChatCompletionsRequest(body: try JSONValue.parse(body)).converse
    }

    func testMessagesToolsAndSettingsBecomeConverse() throws {
        let converse = try converse("""
        {"model": "m", "max_tokens": 64, "temperature": 0.2, "top_p": 0.9, "stop": "END",
         "messages": [
           {"role": "system", "content": "Be brief."},
           {"role": "user", "content": [{"type": "text", "text": "Look at"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBOR"}}]},
           {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{\\"q\\": \\"x\\"}"}}]},
           {"role": "tool", "tool_call_id": "call_1", "content": "found"},
           {"role": "user", "content": "and?"}
         ],
         "tools": [{"type": "function", "function": {"name": "lookup", "description": "Looks up", "parameters": {"type": "object"}}}],
         "tool_choice": "required", "user": "ignored"}
        """)
        XCTAssertEqual(converse["system"], [["text": "Be brief."]])
        let messages = try XCTUnwrap(converse["messages"]?.arrayValue)
        XCTAssertEqual(messages.compactMap { $0["role"]?.stringValue }, ["user", "assistant", "user"], "the tool result and the next user turn merge")
        XCTAssertEqual(messages[0]["content"]?[1]?["image"]?["format"], "png")
        XCTAssertEqual(messages[0]["content"]?[1]?["image"]?["source"]?["bytes"], "iVBOR")
        XCTAssertEqual(messages[1]["content"]?[0]?["toolUse"]?["input"]?["q"], "x")
        XCTAssertEqual(messages[2]["content"]?[0]?["toolResult"]?["toolUseId"], "call_1")
        XCTAssertEqual(messages[2]["content"]?[1]?["text"], "and?")
        XCTAssertEqual(converse["inferenceConfig"]?["maxTokens"]?.intValue, 64)
        XCTAssertEqual(converse["inferenceConfig"]?["stopSequences"], ["END"])
        XCTAssertEqual(converse["toolConfig"]?["tools"]?[0]?["toolSpec"]?["name"], "lookup")
        XCTAssertEqual(converse["toolConfig"]?["toolChoice"], ["any": [:]])
    }

    func testEmptyTextIsNoBlock() throws {
        // OpenAI clients send `"content": ""` beside tool calls; Converse refuses a blank text block.
        let converse = try converse(#"{"model": "m", "messages": [{"role": "user", "content": "Look it up"}, {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "c1", "content": ""}]}"#)
        let assistant = try XCTUnwrap(converse["messages"]?[1]?["content"]?.arrayValue)
        XCTAssertEqual(assistant.count, 1)
        XCTAssertNotNil(assistant[0]["toolUse"])
        XCTAssertEqual(converse["messages"]?[2]?["content"]?[0]?["toolResult"]?["content"], [])
    }

    func testWhatCannotBeHonouredIsRefusedNamingTheField() {
        for (body, param) in [(#"{"messages": [{"role": "user", "content": "x"}]}"#, "model"),
                              (#"{"model": "m", "messages": []}"#, "messages"),
                              (#"{"model": "m", "n": 2, "messages": [{"role": "user", "content": "x"}]}"#, "n"),
                              (#"{"model": "m", "messages": [{"role": "robot", "content": "x"}]}"#, "messages[0].role"),
                              (#"{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]}"#, "messages[0].content[0].image_url.url")] {
            XCTAssertThrowsError(try ChatCompletionsRequest(body: try JSONValue.parse(body)), body) { error in
                XCTAssertEqual((error as? OpenAIError)?.param, param, body)
                XCTAssertEqual((error as? OpenAIError)?.status, 400, body)
            }
        }
    }

    func testConverseAnswersBecomeCompletions() throws {
        let body = Array(#"""
        {"output": {"message": {"role": "assistant", "content": [{"text": "Let me check."},
            {"toolUse": {"toolUseId": "t1", "name": "lookup", "input": {"q": "x"}}}]}},
         "stopReason": "tool_use", "usage": {"inputTokens": 10, "outputTokens": 5, "cacheReadInputTokens": 4, "cacheWriteInputTokens": 2}}
        """#.utf8)
        let completion = ChatCompletionsTranslation.completion(from: body, id: "chatcmpl-1", created: 7, model: "m")
        XCTAssertEqual(completion["object"], "chat.completion")
        XCTAssertEqual(completion["choices"]?[0]?["finish_reason"], "tool_calls")
        XCTAssertEqual(completion["choices"]?[0]?["message"]?["content"], "Let me check.")
        XCTAssertEqual(completion["choices"]?[0]?["message"]?["tool_calls"]?[0]?["function"]?["arguments"], #"{"q":"x"}"#)
        XCTAssertEqual(completion["usage"]?["prompt_tokens"]?.intValue, 16, "cached tokens count inside the prompt")
        XCTAssertEqual(completion["usage"]?["prompt_tokens_details"]?["cached_tokens"]?.intValue, 4)
        XCTAssertEqual(completion["usage"]?["total_tokens"]?.intValue, 21)
        for (stop, finish) in [("end_turn", "stop"), ("max_tokens", "length"), ("guardrail_intervened", "content_filter")] {
            XCTAssertEqual(ChatCompletionsTranslation.finishReason(stop), finish)
        }
    }
}

final class OpenAIFaceTests: XCTestCase {
    private var harness: GatewayHarness!

    override func setUpWithError() throws {
        harness = try GatewayHarness()
    }

    override func tearDown() {
        harness?.shutdown()
    }

    private func chat(_ body: String, key: String = GatewayHarness.clientKey) throws -> TestHTTPClient.Response {
        try TestHTTPClient(port: harness.port).request("POST", "/openai/v1/chat/completions",
                                                       headers: [("Authorization", "Bearer \(key)"), ("Content-Type", "application/json")],
                                                       body: Array(body.utf8))
    }

    func testAChatCompletionThroughConverse() throws {
        let response = try chat(#"{"model": "test/a", "messages": [{"role": "user", "content": "Hello"}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        let completion = try JSONValue.parse(response.body)
        XCTAssertEqual(completion["object"], "chat.completion")
        XCTAssertEqual(completion["model"], "test/a")
        XCTAssertNotNil(completion["choices"]?[0]?["message"]?["content"]?.stringValue)
        XCTAssertEqual(completion["choices"]?[0]?["finish_reason"], "stop")
        XCTAssertGreaterThan(completion["usage"]?["prompt_tokens"]?.intValue ?? 0, 0)
        XCTAssertEqual(harness.standIn.stats.calls.last?.operation, "converse")
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        XCTAssertEqual(record["requested_model"], "test/a")
        XCTAssertEqual(record["status"]?.intValue, 200)
        XCTAssertEqual(record["operation"], "ChatCompletions")
        XCTAssertEqual(record["bedrock_operation"], "Converse")
        XCTAssertEqual(record["tokens"]?["input"]?.intValue, completion["usage"]?["prompt_tokens"]?.intValue, "the record counts what the client was told")
        XCTAssertEqual(record["tokens"]?["output"]?.intValue, completion["usage"]?["completion_tokens"]?.intValue)
        XCTAssertNotEqual(record["cost"], "0")
    }

    func testAStreamedCompletionIsServerSentEventsEndingWithDone() throws {
        let response = try chat(#"{"model": "test/a", "stream": true, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "Hello"}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.header("Content-Type"), "text/event-stream")
        let events = response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(events.last, "data: [DONE]")
        let chunks = try events.dropLast().map { try JSONValue.parse(Array($0.dropFirst("data: ".count).utf8)) }
        XCTAssertEqual(chunks.first?["choices"]?[0]?["delta"]?["role"], "assistant")
        let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
        XCTAssertFalse(text.isEmpty)
        XCTAssertEqual(chunks.compactMap { $0["choices"]?[0]?["finish_reason"]?.stringValue }, ["stop"])
        XCTAssertGreaterThan(chunks.last?["usage"]?["completion_tokens"]?.intValue ?? 0, 0, "the usage chunk comes last")
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        XCTAssertEqual(record["bedrock_operation"], "ConverseStream")
        XCTAssertEqual(record["tokens"]?["output"]?.intValue, chunks.last?["usage"]?["completion_tokens"]?.intValue, "metered from the stream's usage")
        XCTAssertEqual(record["partial"], false)
    }

    func testAStreamBrokenByBedrocksExceptionEndsWithAnErrorEventAndNoDone() throws {
        var rule = StandInRule()
        rule.operation = "converse-stream"
        rule.exceptionAfterFrames = 3
        harness.standIn.script([rule])
        let response = try chat(#"{"model": "test/a", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        let events = response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertTrue(events.last?.hasPrefix("event: error\ndata: ") ?? false, response.text)
        XCTAssertFalse(response.text.contains("[DONE]"), "a failed stream never looks complete")
        XCTAssertEqual(try XCTUnwrap(try harness.ledgerRecords(count: 1).last)["partial"], true)
    }

    func testToolCallsComeBackAsOpenAIToolCalls() throws {
        let response = try chat(#"{"model": "test/a", "messages": [{"role": "user", "content": "Weather?"}], "tools": [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}]}"#)
        XCTAssertEqual(response.status, 200, response.text)
        let choice = try JSONValue.parse(response.body)["choices"]?[0]
        XCTAssertEqual(choice?["finish_reason"], "tool_calls")
        XCTAssertEqual(choice?["message"]?["tool_calls"]?[0]?["function"]?["name"], "weather")
    }

    func testErrorsAreOpenAIsShapeWithTheSDKsStatuses() throws {
        for model in ["nowhere", "test/disabled", "test/restricted"] {
            let response = try chat(#"{"model": "\#(model)", "messages": [{"role": "user", "content": "x"}]}"#)
            XCTAssertEqual(response.status, 404, model)
            XCTAssertEqual(try JSONValue.parse(response.body)["error"]?["code"], "model_not_found", model)
        }
        let badKey = try chat(#"{"model": "test/a", "messages": [{"role": "user", "content": "x"}]}"#, key: "tg-nope-000000000000000000000000")
        XCTAssertEqual(badKey.status, 401)
        XCTAssertEqual(try JSONValue.parse(badKey.body)["error"]?["code"], "invalid_api_key")
        let embed = try chat(#"{"model": "test/embed", "messages": [{"role": "user", "content": "x"}]}"#)
        XCTAssertEqual(embed.status, 400)
        XCTAssertEqual(try JSONValue.parse(embed.body)["error"]?["type"], "invalid_request_error")
    }

    private func embed(_ body: String) throws -> TestHTTPClient.Response {
        try TestHTTPClient(port: harness.port).request("POST", "/openai/v1/embeddings",
                                                       headers: [("Authorization", "Bearer \(GatewayHarness.clientKey)"), ("Content-Type", "application/json")],
                                                       body: Array(body.utf8))
    }

    func testEmbeddingsThroughInvokeModelAsFloatsOrBase64() throws {
        let floats = try embed(#"{"model": "test/embed", "input": "hello"}"#)
        XCTAssertEqual(floats.status, 200, floats.text)
        let list = try JSONValue.parse(floats.body)
        XCTAssertEqual(list["object"], "list")
        let vector = try XCTUnwrap(list["data"]?[0]?["embedding"]?.arrayValue)
        XCTAssertEqual(vector.count, 8)
        XCTAssertGreaterThan(list["usage"]?["prompt_tokens"]?.intValue ?? 0, 0)
        XCTAssertEqual(harness.standIn.stats.calls.last?.operation, "invoke")

        let packed = try embed(#"{"model": "test/embed", "input": ["hello"], "encoding_format": "base64"}"#)
        XCTAssertEqual(packed.status, 200, packed.text)
        let text = try XCTUnwrap(try JSONValue.parse(packed.body)["data"]?[0]?["embedding"]?.stringValue)
        let bytes = try XCTUnwrap(Data(base64Encoded: text))
        XCTAssertEqual(bytes.count, 8 * 4, "eight little-endian float32s")
        let first = Float(bitPattern: UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        XCTAssertEqual(Double(first), vector[0].numberValue?.double ?? .nan, accuracy: 1e-6)

        let record = try XCTUnwrap(try harness.ledgerRecords(count: 2).last)
        XCTAssertEqual(record["operation"], "Embeddings")
        XCTAssertEqual(record["bedrock_operation"], "InvokeModel")

        let titanMany = try embed(#"{"model": "test/embed", "input": ["a", "b"]}"#)
        XCTAssertEqual(titanMany.status, 400)
        XCTAssertEqual(try JSONValue.parse(titanMany.body)["error"]?["param"], "input")
        let notEmbeddings = try embed(#"{"model": "test/a", "input": "x"}"#)
        XCTAssertEqual(notEmbeddings.status, 400)
        XCTAssertEqual(try JSONValue.parse(notEmbeddings.body)["error"]?["param"], "model")
    }

    func testAnUpstreamRefusalIsPassedOnInOpenAIsShapeAndRecordedAsSent() throws {
        var rule = StandInRule()
        rule.operation = "converse"
        rule.status = 400
        rule.errorType = "ValidationException"
        rule.message = "messages: the conversation must start with a user turn"
        harness.standIn.script([rule])
        let response = try chat(#"{"model": "test/a", "messages": [{"role": "user", "content": "x"}]}"#)
        XCTAssertEqual(response.status, 400, response.text)
        let error = try JSONValue.parse(response.body)["error"]
        XCTAssertEqual(error?["type"], "invalid_request_error")
        XCTAssertEqual(error?["message"], "messages: the conversation must start with a user turn")
        XCTAssertEqual(response.header("x-tollgate-model"), "test/a")
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).last)
        XCTAssertEqual(record["status"]?.intValue, 400)
        XCTAssertEqual(record["operation"], "ChatCompletions")
    }

    func testModelsListsTheCompletionModelsTheCallerMayUse() throws {
        let response = try TestHTTPClient(port: harness.port).request("GET", "/openai/v1/models",
                                                                     headers: [("Authorization", "Bearer \(GatewayHarness.clientKey)")])
        XCTAssertEqual(response.status, 200)
        let ids = try JSONValue.parse(response.body)["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        XCTAssertTrue(ids.contains("test/a"))
        XCTAssertFalse(ids.contains("test/restricted"), "another org's model")
        XCTAssertFalse(ids.contains("test/embed"), "not a completion model")
        let one = try TestHTTPClient(port: harness.port).request("GET", "/openai/v1/models/test%2Fa",
                                                                headers: [("Authorization", "Bearer \(GatewayHarness.clientKey)")])
        XCTAssertEqual(try JSONValue.parse(one.body)["object"], "model")
    }
}
