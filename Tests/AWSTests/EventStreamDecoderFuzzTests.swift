import XCTest
@testable import AWS
import TestSupport

/// Seeded mutation fuzzing of the eventstream decoder, on the third-party vectors and frames Bedrock sends. Half the
/// mutated frames get their length and both CRCs repaired, so the header and payload parsing is reached rather than
/// stopped at the checksum. Oracles: the same outcome whatever the split, and every decoded message re-encodes to
/// exactly the bytes it came from.
final class EventStreamDecoderFuzzTests: XCTestCase {
    static func corpus() throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        for name in try EventStreamDecoderTests.names("positive") {
            frames.append(Array(try EventStreamDecoderTests.vector("encoded", "positive", name)))
        }
        let chunk = EventStreamMessage(headers: [
            EventStreamHeader(":event-type", .string("chunk")),
            EventStreamHeader(":content-type", .string("application/json")),
            EventStreamHeader(":message-type", .string("event")),
        ], payload: Array(#"{"bytes":"eyJ0eXBlIjoiY29udGVudF9ibG9ja19kZWx0YSJ9"}"#.utf8))
        frames.append(try EventStreamEncoder.encode(chunk))
        return frames
    }

    /// Rewrites the total length and both CRCs so the frame passes the framing checks.
    static func repair(_ bytes: inout [UInt8]) {
        guard bytes.count >= 16 else { return }
        func put(_ v: UInt32, at i: Int) {
            bytes[i] = UInt8(v >> 24); bytes[i + 1] = UInt8(v >> 16 & 0xFF); bytes[i + 2] = UInt8(v >> 8 & 0xFF); bytes[i + 3] = UInt8(v & 0xFF)
        }
        put(UInt32(bytes.count), at: 0)
        put(CRC32.checksum(bytes[0..<8]), at: 8)
        put(CRC32.checksum(bytes[0..<(bytes.count - 4)]), at: bytes.count - 4)
    }

    private func decode(_ pieces: [[UInt8]]) -> (messages: [EventStreamMessage], error: EventStreamError?, leftover: Int) {
        var decoder = EventStreamDecoder(maxMessageLength: 64 * 1024, maxHeadersLength: 8 * 1024)
        var messages: [EventStreamMessage] = []
        for piece in pieces {
            decoder.append(piece)
            do {
                while let m = try decoder.next() { messages.append(m) }
            } catch {
                return (messages, error, decoder.bufferedByteCount)
            }
        }
        return (messages, nil, decoder.bufferedByteCount)
    }

    func testMutatedFramesDecodeTheSameWhateverTheSplitAndReencodeExactly() throws {
        var mutator = Mutator(seed: Mutator.seed(default: 0xE7E4_7572), corpus: try Self.corpus())
        var decodedCount = 0
        for i in 0..<Mutator.iterations(default: 10_000) {
            var input = mutator.next()
            if i % 2 == 0 { Self.repair(&input) }
            let whole = decode([input])
            let split = decode(mutator.split(input))
            XCTAssertEqual(whole.messages, split.messages, "seed \(mutator.seed) iteration \(i)")
            XCTAssertEqual(whole.error.map { "\($0)" }, split.error.map { "\($0)" }, "seed \(mutator.seed) iteration \(i)")
            if whole.error == nil { XCTAssertEqual(whole.leftover, split.leftover, "seed \(mutator.seed) iteration \(i)") }
            if whole.error == nil, whole.leftover == 0, let message = whole.messages.first, whole.messages.count == 1 {
                decodedCount += 1
                XCTAssertEqual(try EventStreamEncoder.encode(message), input, "seed \(mutator.seed) iteration \(i): re-encoding")
            }
        }
        XCTAssertGreaterThan(decodedCount, 0, "some mutated frames decode, so header parsing was reached")
    }
}
