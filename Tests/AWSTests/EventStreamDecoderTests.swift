import Foundation
import XCTest
@testable import AWS

final class EventStreamDecoderTests: XCTestCase {
    static var root: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("eventstream")
    }

    static func vector(_ kind: String, _ polarity: String, _ name: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent("\(kind)/\(polarity)/\(name)"))
    }

    static func names(_ polarity: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("encoded/\(polarity)").path).sorted()
    }

    /// A frame with valid CRCs around arbitrary header bytes, for malformed-header tests.
    static func frame(rawHeaders: [UInt8], payload: [UInt8] = [], total: UInt32? = nil) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let length = total ?? UInt32(16 + rawHeaders.count + payload.count)
        var out = be(length) + be(UInt32(rawHeaders.count))
        out += be(CRC32.checksum(out))
        out += rawHeaders + payload
        out += be(CRC32.checksum(out))
        return out
    }

    private func decodeAll(_ bytes: [UInt8]) throws -> [EventStreamMessage] {
        var decoder = EventStreamDecoder()
        decoder.append(bytes)
        var messages: [EventStreamMessage] = []
        while let m = try decoder.next() { messages.append(m) }
        XCTAssertEqual(decoder.bufferedByteCount, 0)
        return messages
    }

    // MARK: Vectors

    func testPositiveVectorsDecodeAsExpected() throws {
        let names = try Self.names("positive")
        XCTAssertEqual(names.count, 5)
        for name in names {
            let bytes = [UInt8](try Self.vector("encoded", "positive", name))
            let expected = try JSONSerialization.jsonObject(with: Self.vector("decoded", "positive", name)) as! [String: Any]
            let messages = try decodeAll(bytes)
            XCTAssertEqual(messages.count, 1, name)
            let message = messages[0]
            XCTAssertEqual(bytes.count, expected["total_length"] as? Int, name)
            let be = { (i: Int) in UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3]) }
            XCTAssertEqual(Int(be(4)), expected["headers_length"] as? Int, name)
            XCTAssertEqual(Int(Int32(bitPattern: be(8))), expected["prelude_crc"] as? Int, name)
            XCTAssertEqual(Int(Int32(bitPattern: be(bytes.count - 4))), expected["message_crc"] as? Int, name)
            XCTAssertEqual(Data(message.payload), Data(base64Encoded: expected["payload"] as! String), name)

            let headers = expected["headers"] as! [[String: Any]]
            XCTAssertEqual(message.headers.count, headers.count, name)
            for (header, json) in zip(message.headers, headers) {
                XCTAssertEqual(header.name, json["name"] as? String, name)
                XCTAssertEqual(Int(header.value.typeCode), json["type"] as? Int, "\(name) \(header.name)")
                switch header.value {
                case .bool(let b): XCTAssertEqual(b, json["value"] as? Bool)
                case .byte(let v): XCTAssertEqual(Int(v), json["value"] as? Int)
                case .int16(let v): XCTAssertEqual(Int(v), json["value"] as? Int)
                case .int32(let v): XCTAssertEqual(Int(v), json["value"] as? Int)
                case .int64(let v), .timestamp(let v): XCTAssertEqual(Int(v), json["value"] as? Int)
                case .bytes(let b): XCTAssertEqual(Data(b), Data(base64Encoded: json["value"] as! String))
                case .string(let s): XCTAssertEqual(Data(s.utf8), Data(base64Encoded: json["value"] as! String))
                case .uuid(let u):
                    XCTAssertEqual(withUnsafeBytes(of: u.uuid) { Data($0) }, Data(base64Encoded: json["value"] as! String))
                }
            }
            // The encoder reproduces the vector byte for byte.
            XCTAssertEqual(try EventStreamEncoder.encode(message), bytes, name)
        }
    }

    func testNegativeVectorsFailWithTheRightChecksum() throws {
        let names = try Self.names("negative")
        XCTAssertEqual(names.count, 4)
        for name in names {
            let bytes = [UInt8](try Self.vector("encoded", "negative", name))
            let expected = String(decoding: try Self.vector("decoded", "negative", name), as: UTF8.self)
            let wanted = expected.hasPrefix("Prelude") ? "prelude_checksum_mismatch" : "message_checksum_mismatch"
            var decoder = EventStreamDecoder()
            decoder.append(bytes)
            XCTAssertThrowsError(try decoder.next(), name) { error in
                XCTAssertEqual((error as? EventStreamError)?.name, wanted, name)
                XCTAssertTrue((error as? EventStreamError)?.isChecksumMismatch ?? false)
            }
        }
    }

    // MARK: Incremental input

    private func bedrockStream() throws -> ([EventStreamMessage], [UInt8]) {
        let messages = [
            BedrockEventStream.messageStart(),
            BedrockEventStream.contentBlockDelta(index: 0, text: "Hello, \"world\"\n"),
            BedrockEventStream.contentBlockDelta(index: 0, text: "☃ snow"),
            BedrockEventStream.contentBlockStop(index: 0),
            BedrockEventStream.messageStop(),
            BedrockEventStream.metadata(inputTokens: 12, outputTokens: 34, latencyMs: 567),
            BedrockEventStream.chunk(Array(#"{"type":"content_block_delta","delta":{"text":"hi"}}"#.utf8)),
            EventStreamMessage(),
            BedrockEventStream.exception(.throttling("slow down")),
        ]
        var bytes = [UInt8]()
        for m in messages { try EventStreamEncoder.encode(m, into: &bytes) }
        return (messages, bytes)
    }

    func testMultiFrameStreamSplitAtEveryByte() throws {
        let (messages, bytes) = try bedrockStream()
        XCTAssertEqual(try decodeAll(bytes), messages)
        for split in 0...bytes.count {
            var decoder = EventStreamDecoder()
            var out: [EventStreamMessage] = []
            decoder.append(bytes[..<split])
            while let m = try decoder.next() { out.append(m) }
            decoder.append(bytes[split...])
            while let m = try decoder.next() { out.append(m) }
            XCTAssertEqual(out, messages, "split at \(split)")
        }
    }

    func testByteAtATime() throws {
        let (messages, bytes) = try bedrockStream()
        var decoder = EventStreamDecoder()
        var out: [EventStreamMessage] = []
        for byte in bytes {
            decoder.append(CollectionOfOne(byte))
            while let m = try decoder.next() { out.append(m) }
        }
        XCTAssertEqual(out, messages)
        XCTAssertEqual(decoder.bufferedByteCount, 0)
    }

    func testNeedMoreDataDoesNotConsume() throws {
        let (_, bytes) = try bedrockStream()
        var decoder = EventStreamDecoder()
        decoder.append(bytes[..<20])
        XCTAssertNil(try decoder.next())
        XCTAssertNil(try decoder.next())
        XCTAssertEqual(decoder.bufferedByteCount, 20)
    }

    // MARK: Corruption and bounds

    func testEverySingleByteCorruptionIsDetected() throws {
        let frame = try EventStreamEncoder.encode(BedrockEventStream.contentBlockDelta(index: 1, text: "abc"))
        for index in frame.indices {
            var bad = frame
            bad[index] ^= 0x40
            var decoder = EventStreamDecoder()
            decoder.append(bad)
            XCTAssertThrowsError(try decoder.next(), "byte \(index)") { error in
                XCTAssertTrue((error as? EventStreamError)?.isChecksumMismatch ?? false, "byte \(index): \(error)")
            }
        }
    }

    func testPreludeIsCheckedBeforeWaitingForTheBody() throws {
        // A valid prelude announcing 1000 bytes: the decoder waits. A corrupted one: it fails at once.
        let frame = Self.frame(rawHeaders: [], payload: [UInt8](repeating: 7, count: 984))
        var decoder = EventStreamDecoder()
        decoder.append(frame[..<12])
        XCTAssertNil(try decoder.next())
        var bad = Array(frame[..<12])
        bad[3] ^= 1
        var failing = EventStreamDecoder()
        failing.append(bad)
        XCTAssertThrowsError(try failing.next())
    }

    func testLengthBounds() throws {
        func error(_ bytes: [UInt8], _ decoder: EventStreamDecoder = EventStreamDecoder()) -> String? {
            var decoder = decoder
            decoder.append(bytes)
            do { _ = try decoder.next(); return nil } catch { return error.name }
        }
        XCTAssertEqual(error(Array(Self.frame(rawHeaders: [], total: 15)[..<12])), "message_too_short")
        XCTAssertEqual(error(Array(Self.frame(rawHeaders: [], total: 16 * 1024 * 1024 + 1)[..<12])), "message_too_long")
        XCTAssertNil(error(Array(Self.frame(rawHeaders: [], total: 16 * 1024 * 1024)[..<12])))
        XCTAssertEqual(error(Self.frame(rawHeaders: [], payload: [1, 2, 3]),
                             EventStreamDecoder(maxMessageLength: 18)), "message_too_long")
        // headers_length larger than the message.
        var prelude: [UInt8] = [0, 0, 0, 16, 0, 0, 0, 1]
        let crc = CRC32.checksum(prelude)
        prelude += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        XCTAssertEqual(error(prelude), "headers_too_long")
        let bigHeaders = [UInt8](repeating: 0, count: 200)
        XCTAssertEqual(error(Self.frame(rawHeaders: bigHeaders), EventStreamDecoder(maxHeadersLength: 100)),
                       "headers_too_long")
    }

    func testMalformedHeadersAreRejected() {
        let cases: [[UInt8]] = [
            [0, 0],  // empty name
            [3, 0x61, 0x62],  // name runs past the headers
            [1, 0x61, 10],  // unknown type
            [1, 0x61, 4, 0, 0],  // truncated int32
            [1, 0x61, 7, 0, 5, 0x61],  // string longer than what is left
            [1, 0x61, 7, 0, 2, 0xC3, 0x28],  // invalid UTF-8
            [1, 0x61, 9, 1, 2, 3],  // truncated uuid
        ]
        for raw in cases {
            var decoder = EventStreamDecoder()
            decoder.append(Self.frame(rawHeaders: raw))
            XCTAssertThrowsError(try decoder.next(), "\(raw)") { error in
                XCTAssertEqual((error as? EventStreamError)?.name, "malformed_header", "\(raw)")
            }
            // Read in place, the same frame fails the same way, before the reader sees it.
            var inPlace = EventStreamDecoder()
            inPlace.append(Self.frame(rawHeaders: raw))
            XCTAssertThrowsError(try inPlace.nextFrame { _ in XCTFail("a malformed frame reached the reader") }, "\(raw)") { error in
                XCTAssertEqual((error as? EventStreamError)?.name, "malformed_header", "\(raw)")
            }
        }
    }

    /// A frame read in place shows the same headers and payload as the decoded message, for every vector and for a
    /// Bedrock chunk, split across appends.
    func testFramesReadInPlaceAgreeWithMessages() throws {
        var streams = try Self.names("positive").map { [UInt8](try Self.vector("encoded", "positive", $0)) }
        streams.append(try EventStreamEncoder.encode(BedrockEventStream.messageStop()))
        for bytes in streams {
            let message = try XCTUnwrap(try decodeAll(bytes).first)
            var decoder = EventStreamDecoder()
            decoder.append(bytes.prefix(bytes.count / 2))
            XCTAssertFalse(try decoder.nextFrame { _ in XCTFail("half a frame was handed over") })
            decoder.append(bytes.dropFirst(bytes.count / 2))
            var seen: (EventStreamMessage, String?, String?, String?, Bool)?
            XCTAssertTrue(try decoder.nextFrame { frame in
                seen = (try! frame.message(), frame.string(":message-type").map { String(decoding: $0, as: UTF8.self) },
                        frame.string(":content-type").map { String(decoding: $0, as: UTF8.self) },
                        frame.string(":event-type").map { String(decoding: $0, as: UTF8.self) },
                        frame.header(":message-type", is: "event"))
            })
            let (copy, messageType, contentType, eventType, isEvent) = try XCTUnwrap(seen)
            XCTAssertEqual(copy, message)
            XCTAssertEqual(messageType, message.messageType)
            XCTAssertEqual(contentType, message.contentType)
            XCTAssertEqual(eventType, message.eventType)
            XCTAssertEqual(isEvent, message.messageType == "event")
            XCTAssertEqual(decoder.bufferedByteCount, 0)
            XCTAssertFalse(try decoder.nextFrame { _ in XCTFail("no frame is left") })
        }
    }

    func testFailureIsSticky() throws {
        var bytes = try EventStreamEncoder.encode(BedrockEventStream.messageStop())
        bytes[bytes.count - 1] ^= 1
        var decoder = EventStreamDecoder()
        decoder.append(bytes)
        XCTAssertThrowsError(try decoder.next())
        decoder.append(try EventStreamEncoder.encode(BedrockEventStream.messageStop()))
        XCTAssertThrowsError(try decoder.next())
    }

    func testDrainedDecoderGivesBackABurstsStorageButKeepsAPartialFrame() throws {
        let frame = try EventStreamEncoder.encode(BedrockEventStream.contentBlockDelta(index: 0, text: String(repeating: "w", count: 200)))
        var burst: [UInt8] = []
        for _ in 0..<300 { burst += frame }
        var decoder = EventStreamDecoder()
        decoder.append(burst + frame.prefix(10))
        var count = 0
        while try decoder.next() != nil { count += 1 }
        XCTAssertEqual(count, 300)
        XCTAssertEqual(decoder.bufferedByteCount, 10)
        XCTAssertLessThanOrEqual(decoder.storageCapacity, EventStreamDecoder.retainedCapacity)
        decoder.append(frame.dropFirst(10))
        XCTAssertEqual(try decoder.next()?.eventType, "contentBlockDelta")
        XCTAssertNil(try decoder.next())
        XCTAssertEqual(decoder.storageCapacity, 0, "a drained decoder keeps no storage between frames")
    }
}
