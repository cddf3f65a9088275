import XCTest
@testable import AWS

final class SHA256Tests: XCTestCase {
    // FIPS 180-2 appendix B examples.
    func testKnownDigests() {
        XCTAssertEqual(Hex.encode(SHA256.hash("")), SHA256.emptyStringHex)
        XCTAssertEqual(SHA256.hexDigest(Array("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Hex.encode(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testNonContiguousCollectionIsHashedLikeAnArray() {
        let bytes: [UInt8] = Array("abc".utf8)
        XCTAssertEqual(SHA256.hash(bytes.lazy.map { $0 }), SHA256.hash(bytes))
        XCTAssertEqual(SHA256.hash(bytes[1...]), SHA256.hash(Array("bc".utf8)))
    }

    func testMillionAs() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(SHA256.hexDigest(bytes), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
