import Foundation
import XCTest
@testable import Support

final class RFC3339Tests: XCTestCase {
    func testFormatsUTCWithMillisecondsAndPadding() {
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: 1_738_326_896.789)), "2025-01-31T12:34:56.789Z")
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: 1_709_164_805.007)), "2024-02-29T00:00:05.007Z")
        // Before the epoch, milliseconds round down (towards the earlier instant).
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: -0.5)), "1969-12-31T23:59:59.500Z")
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: -62_135_596_800)), "0001-01-01T00:00:00.000Z")
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: 253_402_300_799.999)), "9999-12-31T23:59:59.999Z")
    }

    func testFormatAgreesWithFoundationOverManyInstants() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let millis = Int64(state >> 24) % 4_102_444_800_000   // 1970 ..< 2100
            // A tenth of a millisecond past the millisecond, so that our flooring and Foundation's rounding agree
            // whatever the binary fraction of `millis / 1000` is.
            let date = Date(timeIntervalSince1970: Double(millis) / 1000 + 0.000_1)
            var bytes: [UInt8] = []
            RFC3339.write(date, into: &bytes)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), formatter.string(from: date))
        }
    }
}
