import XCTest
import Support

/// The event stream interpretation of the WHATWG HTML standard (§9.2.6), fed in every split.
final class ServerSentEventReaderTests: XCTestCase {
    private let stream = Array("data: one\r\n\r\n: a comment\nevent: error\ndata:two\ndata:  three\n\ndata: [DONE]\r\r\n".utf8)

    private func read(_ pieces: [ArraySlice<UInt8>]) -> [ServerSentEventReader.Event] {
        var reader = ServerSentEventReader()
        var events: [ServerSentEventReader.Event] = []
        for piece in pieces {
            reader.append(piece)
            while let event = reader.next() { events.append(event) }
        }
        return events
    }

    func testEventsFieldsAndLineEndingsInEverySplit() {
        let whole = read([stream[...]])
        XCTAssertEqual(whole.map { String(decoding: $0.data, as: UTF8.self) }, ["one", "two\n three", "[DONE]"],
                       "one space after the colon is dropped; data lines join with LF")
        XCTAssertEqual(whole.map(\.type), [nil, "error", nil])
        XCTAssertEqual(whole.flatMap(\.raw), stream, "the raw blocks are the stream, byte for byte")
        for cut in 1..<stream.count {
            XCTAssertEqual(read([stream[..<cut], stream[cut...]]), whole, "split at \(cut)")
        }
        XCTAssertEqual(read(stream.map { [$0][...] }), whole, "one byte at a time")
    }

    func testACarriageReturnAtTheEndWaitsForItsLineFeed() {
        var reader = ServerSentEventReader()
        reader.append(Array("data: x\r\n\r".utf8))
        XCTAssertNil(reader.next(), "the CR may be half of a CRLF")
        reader.append(Array("\n".utf8))
        XCTAssertEqual(reader.next()?.raw, Array("data: x\r\n\r\n".utf8))
    }

    func testAnOverlongBlockStopsTheReaderAndKeepsItsBytes() {
        var reader = ServerSentEventReader(maxEventBytes: 16)
        reader.append(Array("data: 0123456789abcdef".utf8))
        XCTAssertNil(reader.next())
        XCTAssertTrue(reader.overflowed)
        XCTAssertEqual(reader.takePending(), Array("data: 0123456789abcdef".utf8))
        reader.append(Array("\n\n".utf8))
        XCTAssertNil(reader.next(), "no events after an overflow")
    }

    func testTheUnfinishedBlockIsPending() {
        var reader = ServerSentEventReader()
        reader.append(Array("data: a\n\ndata: b".utf8))
        XCTAssertNotNil(reader.next())
        XCTAssertNil(reader.next())
        XCTAssertEqual(reader.pendingBytes, Array("data: b".utf8))
    }
}
