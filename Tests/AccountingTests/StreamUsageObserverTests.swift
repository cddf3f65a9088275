import XCTest
import AWS
import Foundation
@testable import Accounting

final class StreamUsageObserverTests: XCTestCase {
    private func observe(_ bytes: [UInt8], operation: BedrockOperation = .invokeModelWithResponseStream,
                         split: Int = 4096) -> StreamUsageObserver {
        var observer = StreamUsageObserver(operation: operation)
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + split)
            bytes[i..<end].withUnsafeBytes { observer.observe($0) }
            i = end
        }
        return observer
    }

    func testAnthropicFinalMetricsAtAnySplit() {
        let bytes = StreamFixtures.frames(StreamFixtures.anthropic(deltas: 3))
        let expected = Usage(input: 25, output: 9, cacheRead: 40, cacheWrite5m: 60)
        for split in [1, 2, 3, 7, 13, 64, 1000, bytes.count] {
            let o = observe(bytes, split: split)
            XCTAssertEqual(o.usage, expected, "split \(split)")
            XCTAssertTrue(o.isComplete)
            XCTAssertEqual(o.frameCount, 8)
            XCTAssertNil(o.exception)
            XCTAssertNil(o.decodeError)
        }
        // Through the generic Collection entry point too.
        var o = StreamUsageObserver(operation: .invokeModelWithResponseStream)
        o.observe(bytes[...])
        XCTAssertEqual(o.usage, expected)
    }

    /// Bedrock's compact JSON is recognised by its base64 prefix; JSON with spaces (as Python writes it) is decoded
    /// and read the same way: both give the same usage, and a spaced delta that quotes usage does not count.
    func testAnthropicChunksCompactOrSpaced() throws {
        let compact = StreamFixtures.anthropic(deltas: 3, final: false)
        let spaced = try compact.map { message -> EventStreamMessage in
            let outer = try JSONSerialization.jsonObject(with: Data(message.payload)) as! [String: String]
            let inner = try XCTUnwrap(Data(base64Encoded: outer["bytes"]!))
            let text = String(decoding: inner, as: UTF8.self).replacingOccurrences(of: #"":"#, with: #"": "#)
                .replacingOccurrences(of: #"{""#, with: #"{ ""#)
            return StreamFixtures.chunk(text)
        }
        let expected = Usage(input: 25, output: 9, cacheRead: 40, cacheWrite5m: 60, partial: true)
        XCTAssertEqual(observe(StreamFixtures.frames(compact)).usage, expected)
        XCTAssertEqual(observe(StreamFixtures.frames(spaced)).usage, expected)
    }

    func testAnthropicTTLSplitAppliesToFinalCacheWrites() {
        let o = observe(StreamFixtures.frames(StreamFixtures.anthropic(deltas: 2, ttl1h: true)))
        XCTAssertEqual(o.usage, Usage(input: 25, output: 9, cacheRead: 40, cacheWrite5m: 20, cacheWrite1h: 40))
    }

    func testAnthropicCutStreamKeepsChunkUsageAndIsPartial() {
        let messages = StreamFixtures.anthropic(deltas: 4, final: false)
        let o = observe(StreamFixtures.frames(messages))
        XCTAssertFalse(o.isComplete)
        XCTAssertEqual(o.usage, Usage(input: 25, output: 9, cacheRead: 40, cacheWrite5m: 60, partial: true),
                       "text deltas that quote \"output_tokens\" must not count")
        // Cut by the client right after message_start and half a frame.
        let start = StreamFixtures.frames(Array(messages.prefix(3)))
        let cut = observe(Array(start.dropLast(5)))
        XCTAssertEqual(cut.usage, Usage(input: 25, output: 1, cacheRead: 40, cacheWrite5m: 60, partial: true))
        XCTAssertEqual(cut.frameCount, 2)
        // Nothing at all.
        XCTAssertEqual(observe([]).usage, Usage(partial: true))
    }

    func testTitanAndLlamaFinalAndPartial() {
        XCTAssertEqual(observe(StreamFixtures.frames(StreamFixtures.titan(words: 6, final: true))).usage, Usage(input: 7, output: 6))
        XCTAssertEqual(observe(StreamFixtures.frames(StreamFixtures.titan(words: 6, final: false))).usage,
                       Usage(input: 7, output: 6, partial: true))
        XCTAssertEqual(observe(StreamFixtures.frames(StreamFixtures.llama(words: 5, final: true))).usage, Usage(input: 13, output: 5))
        XCTAssertEqual(observe(StreamFixtures.frames(StreamFixtures.llama(words: 5, final: false)), split: 3).usage,
                       Usage(input: 13, output: 5, partial: true))
        XCTAssertEqual(observe(StreamFixtures.frames(StreamFixtures.llama(words: 1, final: false))).usage,
                       Usage(input: 13, output: 1, partial: true))
    }

    func testChunkWithBedrockPaddingMember() {
        let model = Array(#"{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":3,"outputTokenCount":4}}"#.utf8)
        let payload = Array(#"{"bytes":"\#(Data(model).base64EncodedString())","p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"}"#.utf8)
        let o = observe(StreamFixtures.frames([BedrockEventStream.event("chunk", payload: payload)]))
        XCTAssertEqual(o.usage, Usage(input: 3, output: 4))
    }

    func testConverseStreamMetadata() {
        let full = observe(StreamFixtures.frames(StreamFixtures.converseStream(metadata: true)), operation: .converseStream, split: 5)
        XCTAssertEqual(full.usage, Usage(input: 30, output: 5, cacheRead: 100, cacheWrite1h: 200))
        XCTAssertTrue(full.isComplete)
        let cut = observe(StreamFixtures.frames(StreamFixtures.converseStream(metadata: false)), operation: .converseStream)
        XCTAssertEqual(cut.usage, Usage(partial: true))
    }

    func testRecordsFirstExceptionAndStaysPartial() {
        var messages = Array(StreamFixtures.anthropic(deltas: 2, final: false).prefix(3))
        messages.append(BedrockEventStream.exception(BedrockError(name: "ModelStreamErrorException", message: "boom")))
        messages.append(BedrockEventStream.exception(.throttling("later")))
        let o = observe(StreamFixtures.frames(messages))
        XCTAssertEqual(o.exception?.name, "ModelStreamErrorException")
        XCTAssertEqual(o.exception?.message, "boom")
        XCTAssertEqual(o.usage, Usage(input: 25, output: 1, cacheRead: 40, cacheWrite5m: 60, partial: true))
    }

    func testCorruptStreamStopsObservingButKeepsWhatWasSeen() {
        var bytes = StreamFixtures.frames(Array(StreamFixtures.anthropic(deltas: 1, final: false).prefix(1)))
        let good = bytes.count
        bytes += StreamFixtures.frames(StreamFixtures.anthropic(deltas: 1))
        bytes[good + 20] ^= 0xFF
        let o = observe(bytes)
        XCTAssertNotNil(o.decodeError)
        XCTAssertFalse(o.isComplete)
        XCTAssertEqual(o.usage, Usage(input: 25, output: 1, cacheRead: 40, cacheWrite5m: 60, partial: true))
    }

    /// 1000 content frames: linear work, reported rather than asserted.
    func testThousandFrameStream() {
        let bytes = StreamFixtures.frames(StreamFixtures.anthropic(deltas: 1000))
        let titan = StreamFixtures.frames(StreamFixtures.titan(words: 1000, final: true))
        let start = DispatchTime.now().uptimeNanoseconds
        let o = observe(bytes, split: 1500)
        let t = observe(titan, split: 1500)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        XCTAssertEqual(o.usage, Usage(input: 25, output: 9, cacheRead: 40, cacheWrite5m: 60))
        XCTAssertEqual(t.usage, Usage(input: 7, output: 1000))
        XCTAssertEqual(o.frameCount, 1005)
        print("StreamUsageObserver: 2 × ~1000 frames (\(bytes.count + titan.count) bytes) in \(elapsed) ms")
    }
}
