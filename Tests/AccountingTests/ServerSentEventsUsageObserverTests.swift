import XCTest
@testable import Accounting

/// Usage of a streamed OpenAI Chat Completion, from its usage chunk.
final class ServerSentEventsUsageObserverTests: XCTestCase {
    private func observe(_ text: String, split: Int? = nil) -> Usage {
        var observer = ServerSentEventsUsageObserver()
        let bytes = Array(text.utf8)
        let cut = split ?? bytes.count
        bytes[..<cut].withUnsafeBytes { observer.observe($0) }
        bytes[cut...].withUnsafeBytes { observer.observe($0) }
        return observer.usage
    }

    private let usageChunk = #"data: {"id":"c","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":20},"completion_tokens_details":{"reasoning_tokens":4}}}"# + "\n\n"
    private let textChunk = #"data: {"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null}"# + "\n\n"

    func testTheUsageChunkIsReadInEverySplit() {
        let stream = textChunk + usageChunk + "data: [DONE]\n\n"
        let expected = Usage(input: 30, output: 5, cacheRead: 20, reasoning: 4)
        for cut in 0...stream.utf8.count {
            XCTAssertEqual(observe(stream, split: cut), expected, "split at \(cut)")
        }
    }

    func testAStreamThatEndsEarlyIsPartial() {
        XCTAssertTrue(observe(textChunk).partial)
        XCTAssertTrue(observe(textChunk + usageChunk).partial, "no [DONE]")
        XCTAssertEqual(observe(textChunk + usageChunk).output, 5, "what was reported is kept")
        XCTAssertTrue(observe(textChunk + "data: [DONE]\n\n").partial, "no usage reported")
    }

    func testOnlyAUsageObjectIsParsed() {
        XCTAssertFalse(ServerSentEventsUsageObserver.carriesUsage(Array(#"{"usage":null}"#.utf8)))
        XCTAssertFalse(ServerSentEventsUsageObserver.carriesUsage(Array(#"{"content":"usage"}"#.utf8)))
        XCTAssertTrue(ServerSentEventsUsageObserver.carriesUsage(Array(#"{"usage" : {"prompt_tokens":1}}"#.utf8)))
    }
}
