import AWS
@testable import StandIn
import Support
import XCTest

/// The stand-in's streamed answers: words found on bytes must match a character split, and the lazily made frames
/// must carry the whole reply in order.
final class StandInRepliesTests: XCTestCase {
    func testWordsMatchASplitOnSpaces() {
        for text in ["", "one", "two words", " leading", "trailing ", "double  space", "  ", "ünïcödé wörds ☃ x"] {
            let words = StandInWords(text)
            let expected = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual((0..<words.count).map { words.piece($0) },
                           expected.enumerated().map { $0.offset == 0 ? $0.element : " " + $0.element }, text)
            XCTAssertEqual(words.nonEmptyCount, text.split(separator: " ").count, text)
        }
    }

    func testLargeConverseStreamCarriesTheWholeReplyInOrder() throws {
        let text = StandInTokens.reply(bytes: 100_000)
        let usage = StandInReplies.Usage(input: 3, output: StandInTokens.output(text))
        let frames = StandInReplies.converseStream(words: StandInWords(text), usage: usage, latencyMs: 1)
        let events = (0..<frames.count).map { frames.frame($0) }
        XCTAssertEqual(events.first?.eventType, "messageStart")
        XCTAssertEqual(events.suffix(3).map(\.eventType), ["contentBlockStop", "messageStop", "metadata"])
        let joined = try events.filter { $0.eventType == "contentBlockDelta" }
            .map { try JSONValue.parse($0.payload)["delta"]?["text"]?.stringValue ?? "" }.joined()
        XCTAssertEqual(joined, text)
        XCTAssertEqual(try JSONValue.parse(events.last!.payload)["usage"]?["outputTokens"]?.intValue, 98)
    }

    func testAnthropicStreamFramesEveryWordBetweenStartAndStop() throws {
        let text = "alpha beta gamma"
        let frames = StandInReplies.streamChunks(.anthropic, modelID: "anthropic.claude", words: StandInWords(text),
                                                 usage: .init(input: 1, output: 3), latencyMs: 1)
        let types = try (0..<frames.count).map { index -> String in
            let chunk = try XCTUnwrap(BedrockEventStream.chunkBytes(of: frames.frame(index)))
            return try JSONValue.parse(chunk)["type"]?.stringValue ?? ""
        }
        XCTAssertEqual(types, ["message_start", "content_block_start", "content_block_delta", "content_block_delta",
                               "content_block_delta", "content_block_stop", "message_delta", "message_stop"])
    }
}
