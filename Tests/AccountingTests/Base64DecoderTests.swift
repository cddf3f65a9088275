import Foundation
import XCTest
@testable import Accounting

final class Base64DecoderTests: XCTestCase {
    private func decode(_ text: String, limit: Int = .max, into out: inout [UInt8]) -> Bool {
        guard limit != .max else { return Array(text.utf8).withUnsafeBytes { Base64Decoder.decode($0, into: &out) } }
        var room = [UInt8](repeating: 0, count: limit)
        let (count, valid) = Array(text.utf8).withUnsafeBytes { input in
            room.withUnsafeMutableBufferPointer { Base64Decoder.decode(input, into: $0, limit: limit) }
        }
        out = Array(room[..<count])
        return valid
    }

    /// Agrees with Foundation on every length, padded or not, and on a JSON-escaped `/`.
    func testDecodesLikeFoundation() {
        var out: [UInt8] = Array(repeating: 7, count: 100)  // a reused buffer: its old contents must not show
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = Data(bytes).base64EncodedString()
            XCTAssertTrue(decode(encoded, into: &out), encoded)
            XCTAssertEqual(out, bytes, encoded)
            XCTAssertTrue(decode(encoded.replacingOccurrences(of: "=", with: ""), into: &out))
            XCTAssertEqual(out, bytes)
            XCTAssertTrue(decode(encoded.replacingOccurrences(of: "/", with: "\\/"), into: &out))
            XCTAssertEqual(out, bytes)
        }
    }

    func testRejectsWhatIsNotBase64() {
        var out: [UInt8] = []
        for bad in ["ab!d", "ab=c", "a", "abcde", "====="] {
            XCTAssertFalse(decode(bad, into: &out), bad)
        }
    }

    /// With a limit, decoding stops once that many bytes are out: the start of a long chunk, for its type.
    func testLimitDecodesOnlyTheStart() {
        let json = Array(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#.utf8)
        let encoded = Data(json).base64EncodedString()
        var out: [UInt8] = []
        XCTAssertTrue(decode(encoded, limit: 48, into: &out))
        XCTAssertEqual(out, Array(json.prefix(48)))
        XCTAssertTrue(decode(encoded, into: &out))
        XCTAssertEqual(out, json)
        // Bad bytes past the limit are not looked at; before it they are.
        XCTAssertTrue(decode(String(encoded.prefix(64)) + "!!!!", limit: 48, into: &out))
        XCTAssertFalse(decode("!!!!" + encoded, limit: 48, into: &out))
    }
}

extension Base64DecoderTests {
    /// The observer recognises compact content deltas by their base64 prefix: it must be the encoding of the JSON.
    func testContentDeltaPrefixIsTheEncodingOfItsJSON() {
        XCTAssertEqual(String(decoding: StreamUsageObserver.contentBlockDeltaBase64, as: UTF8.self),
                       Data(#"{"type":"content_block_delta","#.utf8).base64EncodedString())
    }
}
