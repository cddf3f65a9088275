import XCTest
import AWS
import Support
@testable import Accounting

/// Bodies in the shapes the stand-in (`StandInReplies`) and Bedrock emit for every family.
final class UsageExtractorTests: XCTestCase {
    private func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testInvokeModelHeadersWin() {
        let headers = [(name: "x-amzn-bedrock-input-token-count", value: "12"),
                       (name: "X-Amzn-Bedrock-Output-Token-Count", value: " 7 "),
                       (name: "X-Amzn-Bedrock-Cache-Read-Input-Token-Count", value: "100"),
                       (name: "X-Amzn-Bedrock-Cache-Write-Input-Token-Count", value: "0")]
        let usage = UsageExtractor.usage(operation: .invokeModel, headers: headers, body: [])
        XCTAssertEqual(usage, Usage(input: 12, output: 7, cacheRead: 100))
        XCTAssertFalse(UsageExtractor.needsBody(operation: .invokeModel, headers: headers, modelType: .completion))
        XCTAssertTrue(UsageExtractor.needsBody(operation: .invokeModel, headers: headers, modelType: .imageGeneration))
        XCTAssertTrue(UsageExtractor.needsBody(operation: .invokeModel, headers: [], modelType: .completion))
        XCTAssertTrue(UsageExtractor.needsBody(operation: .converse, headers: headers, modelType: nil))
        XCTAssertFalse(UsageExtractor.needsBody(operation: .converseStream, headers: [], modelType: nil))
        // A body that disagrees does not override the headers' counts.
        let other = UsageExtractor.usage(operation: .invokeModel, headers: headers,
                                         body: body(#"{"usage":{"input_tokens":1,"output_tokens":1}}"#))
        XCTAssertEqual(other, Usage(input: 12, output: 7, cacheRead: 100))
    }

    func testTokenCountHeaderValues() {
        XCTAssertEqual(UsageExtractor.count("245"), 245)
        XCTAssertEqual(UsageExtractor.count("  0 "), 0)
        for bad in ["", " ", "1 2", "-1", "+1", "12a", "0x10", "1234567890123456789"] {
            XCTAssertNil(UsageExtractor.count(bad), bad)
        }
        // A malformed count is not a count: the header is as good as absent.
        let headers = [(name: UsageExtractor.inputTokenHeader, value: "1 2"), (name: UsageExtractor.outputTokenHeader, value: "x")]
        XCTAssertNil(UsageExtractor.usage(headers: headers))
    }

    func testHeaderCacheWritesSplitByBodyTTL() {
        let headers = [(name: UsageExtractor.inputTokenHeader, value: "5"), (name: UsageExtractor.outputTokenHeader, value: "6"),
                       (name: UsageExtractor.cacheWriteTokenHeader, value: "300")]
        XCTAssertTrue(UsageExtractor.needsBody(operation: .invokeModel, headers: headers, modelType: .completion))
        let b = body(#"{"usage":{"input_tokens":5,"output_tokens":6,"cache_creation_input_tokens":300,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200}}}"#)
        XCTAssertEqual(UsageExtractor.usage(operation: .invokeModel, headers: headers, body: b),
                       Usage(input: 5, output: 6, cacheWrite5m: 100, cacheWrite1h: 200))
        XCTAssertEqual(UsageExtractor.usage(operation: .invokeModel, headers: headers, body: []),
                       Usage(input: 5, output: 6, cacheWrite5m: 300))
    }

    func testInvokeModelBodiesPerFamily() {
        let cases: [(String, String, Usage?)] = [
            ("anthropic", #"{"id":"msg","type":"message","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":11,"output_tokens":4,"cache_read_input_tokens":20,"cache_creation_input_tokens":30}}"#,
             Usage(input: 11, output: 4, cacheRead: 20, cacheWrite5m: 30)),
            ("anthropic ttl", #"{"usage":{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_1h_input_tokens":30}}}"#,
             Usage(input: 1, output: 2, cacheWrite1h: 30)),
            ("titan text", #"{"inputTextTokenCount":9,"results":[{"tokenCount":3,"outputText":"a"},{"tokenCount":2,"outputText":"b"}]}"#,
             Usage(input: 9, output: 5)),
            ("titan embed", #"{"embedding":[0.125,0.25],"inputTextTokenCount":8}"#, Usage(input: 8)),
            ("nova", #"{"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":"end_turn","usage":{"inputTokens":13,"outputTokens":6,"totalTokens":19,"cacheReadInputTokenCount":4,"cacheWriteInputTokenCount":2}}"#,
             Usage(input: 13, output: 6, cacheRead: 4, cacheWrite5m: 2)),
            ("llama", #"{"generation":"x","prompt_token_count":17,"generation_token_count":3,"stop_reason":"stop"}"#,
             Usage(input: 17, output: 3)),
            ("openai", #"{"choices":[],"usage":{"prompt_tokens":50,"completion_tokens":40,"prompt_tokens_details":{"cached_tokens":10},"completion_tokens_details":{"reasoning_tokens":15}}}"#,
             Usage(input: 40, output: 25, cacheRead: 10, reasoning: 15)),
            ("cohere billed", #"{"generations":[],"meta":{"billed_units":{"input_tokens":7,"output_tokens":1}}}"#, Usage(input: 7, output: 1)),
            ("stability", #"{"result":"success","artifacts":[{"seed":42,"base64":"iVBO","finishReason":"SUCCESS"},{"seed":1,"base64":"iVBO"}]}"#,
             Usage(images: 2)),
            ("titan image", #"{"images":["iVBO","iVBO","iVBO"]}"#, Usage(images: 3)),
            ("cohere embed (headers only)", #"{"embeddings":[[0.125]],"id":"r","response_type":"embeddings_floats","texts":[]}"#, nil),
            ("mistral (headers only)", #"{"outputs":[{"text":"x","stop_reason":"stop"}]}"#, nil),
        ]
        for (name, text, expected) in cases {
            XCTAssertEqual(UsageExtractor.usage(operation: .invokeModel, headers: [], body: body(text)), expected, name)
        }
    }

    func testImageModelKeepsHeaderTokensAndCountsImages() {
        let headers = [(name: UsageExtractor.inputTokenHeader, value: "20")]
        let usage = UsageExtractor.usage(operation: .invokeModel, headers: headers, body: body(#"{"images":["a","b"]}"#))
        XCTAssertEqual(usage, Usage(input: 20, images: 2))
    }

    func testConverseUsageWithCacheDetails() {
        let b = body(#"{"output":{},"stopReason":"end_turn","usage":{"inputTokens":10,"outputTokens":20,"totalTokens":330,"cacheReadInputTokens":100,"cacheWriteInputTokens":200,"cacheDetails":[{"ttl":"1h","inputTokens":150},{"ttl":"5m","inputTokens":50}]},"metrics":{"latencyMs":5}}"#)
        XCTAssertEqual(UsageExtractor.usage(operation: .converse, headers: [], body: b),
                       Usage(input: 10, output: 20, cacheRead: 100, cacheWrite5m: 50, cacheWrite1h: 150))
        let plain = body(#"{"usage":{"inputTokens":10,"outputTokens":20,"totalTokens":30,"cacheReadInputTokens":3,"cacheWriteInputTokens":4}}"#)
        XCTAssertEqual(UsageExtractor.usage(operation: .converse, headers: [], body: plain),
                       Usage(input: 10, output: 20, cacheRead: 3, cacheWrite5m: 4))
        XCTAssertNil(UsageExtractor.usage(operation: .converse, headers: [], body: body("not json")))
        XCTAssertNil(UsageExtractor.usage(operation: .converse, headers: [], body: body(#"{"output":{}}"#)))
    }

    func testNegativeOrBrokenCountsAreIgnored() {
        XCTAssertNil(UsageExtractor.usage(headers: [(name: UsageExtractor.inputTokenHeader, value: "-3")]))
        XCTAssertNil(UsageExtractor.usage(headers: [(name: UsageExtractor.inputTokenHeader, value: "12x")]))
        XCTAssertEqual(UsageExtractor.usage(operation: .invokeModel, headers: [], body: body(#"{"usage":{"input_tokens":-1,"output_tokens":2}}"#)),
                       Usage(output: 2))
    }
}
