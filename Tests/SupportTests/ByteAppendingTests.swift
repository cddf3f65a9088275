import XCTest
@testable import Support

final class DecimalDigitsTests: XCTestCase {
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
}
