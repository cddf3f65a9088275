import XCTest
@testable import Support

final class ByteAppendingTests: XCTestCase {
    func testAppendsLikeStringInterpolation() {
        for value in [0, 7, 10, 99, 100, 12_345, Int.max, -1, -10, -987_654_321, Int.min] {
            var bytes: [UInt8] = []
            bytes.appendDecimal(value)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(value))
        }
    }

    func testPadsToMinimumDigits() {
        var bytes: [UInt8] = Array("x".utf8)
        bytes.appendDecimal(7, minimumDigits: 3)
        bytes.appendDecimal(2026, minimumDigits: 2)
        bytes.appendDecimal(-5, minimumDigits: 4)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "x0072026-0005")
    }

    func testHexadecimalLikeStringRadix16() {
        for value in [0, 1, 9, 10, 15, 16, 255, 4096, 0xABCDEF, Int.max] {
            var bytes: [UInt8] = []
            bytes.appendHexadecimal(value)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(value, radix: 16))
        }
    }

    func testLiteralsAndStrings() {
        var bytes: [UInt8] = []
        bytes.append(ascii: "HTTP/1.1 ")
        bytes.append(utf8: "grüße")
        bytes.append(utf8: String(repeating: "x", count: 40))
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "HTTP/1.1 grüße" + String(repeating: "x", count: 40))
    }
}
