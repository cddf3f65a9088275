import XCTest
@testable import AWS

final class CRC32Tests: XCTestCase {
    /// Bit-at-a-time reference straight from the polynomial, to check the sliced tables against.
    private func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    func testCheckValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32().value, 0)
        XCTAssertEqual(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
    }

    func testMatchesReferenceForAllLengthsAndAlignments() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<9 {
            for end in stride(from: start, through: data.count, by: 7) {
                let slice = Array(data[start..<end])
                XCTAssertEqual(CRC32.checksum(data[start..<end]), reference(slice), "\(start)..<\(end)")
            }
        }
    }

    func testIncrementalAtEverySplit() {
        let data = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let expected = reference(data)
        for split in 0...data.count {
            var crc = CRC32()
            crc.update(data[..<split])
            crc.update(data[split...])
            XCTAssertEqual(crc.value, expected, "split \(split)")
        }
    }
}
