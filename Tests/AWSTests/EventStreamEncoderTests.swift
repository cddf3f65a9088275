import Foundation
import XCTest
@testable import AWS

final class EventStreamEncoderTests: XCTestCase {
    func testRoundTripsAllHeaderTypes() throws {
        let message = EventStreamMessage(headers: [
            EventStreamHeader("t", .bool(true)), EventStreamHeader("f", .bool(false)),
            EventStreamHeader("b", .byte(-1)), EventStreamHeader("s", .int16(-2)),
            EventStreamHeader("i", .int32(Int32.min)), EventStreamHeader("l", .int64(Int64.max)),
            EventStreamHeader("bytes", .bytes([0, 1, 255])), EventStreamHeader("str", .string("héllo")),
            EventStreamHeader("ts", .timestamp(1_700_000_000_000)),
            EventStreamHeader("id", .uuid(UUID(uuidString: "01020304-0506-0708-090A-0B0C0D0E0F10")!)),
            EventStreamHeader("t", .bool(false)),
        ], payload: Array("payload".utf8))
        var decoder = EventStreamDecoder()
        decoder.append(try EventStreamEncoder.encode(message))
        XCTAssertEqual(try decoder.next(), message)
        XCTAssertEqual(try EventStreamEncoder.encode(EventStreamMessage()).count, 16)
    }

    func testRefusesValuesBeyondTheFormat() {
        let longName = String(repeating: "n", count: 256)
        XCTAssertThrowsError(try EventStreamEncoder.encode(EventStreamMessage(headers: [EventStreamHeader(longName, .bool(true))])))
        XCTAssertThrowsError(try EventStreamEncoder.encode(EventStreamMessage(headers: [EventStreamHeader("", .bool(true))])))
        XCTAssertThrowsError(try EventStreamEncoder.encode(
            EventStreamMessage(headers: [EventStreamHeader("b", .bytes([UInt8](repeating: 0, count: 65_536)))])))
        var out: [UInt8] = [9]
        XCTAssertThrowsError(try EventStreamEncoder.encode(
            EventStreamMessage(payload: [UInt8](repeating: 0, count: 16 * 1024 * 1024)), into: &out))
        XCTAssertEqual(out, [9], "a refused message leaves the buffer as it was")
    }
}
