import XCTest
@testable import AWS

final class SHA256HasherTests: XCTestCase {
    func testIncrementalEqualsOneShotAtEverySplit() {
        let bytes = Array("The quick brown fox jumps over the lazy dog, twice over the lazy dog.".utf8)
        let expected = SHA256.hash(bytes)
        for split in 0...bytes.count {
            var hasher = SHA256Hasher()
            hasher.update(bytes[..<split])
            hasher.update(bytes[split...])
            XCTAssertEqual(hasher.finalize(), expected, "split at \(split)")
        }
    }

    func testEmptyHasherGivesEmptyDigest() {
        XCTAssertEqual(SHA256Hasher().finalizeHex(), SHA256.emptyStringHex)
    }

    func testFinalizeDoesNotEndTheHasher() {
        var hasher = SHA256Hasher()
        hasher.update(Array("ab".utf8))
        XCTAssertEqual(hasher.finalize(), SHA256.hash("ab"))
        hasher.update(Array("c".utf8))
        XCTAssertEqual(hasher.finalizeHex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testCopiesAreIndependent() {
        var first = SHA256Hasher()
        first.update(Array("a".utf8))
        var second = first
        second.update(Array("bc".utf8))
        first.update(Array("x".utf8))
        XCTAssertEqual(first.finalize(), SHA256.hash("ax"))
        XCTAssertEqual(second.finalize(), SHA256.hash("abc"))
    }
}
