import XCTest
@testable import AWS

final class SecureRandomTests: XCTestCase {
    func testLengthsAndVariation() {
        XCTAssertEqual(SecureRandom.bytes(count: 0), [])
        let a = SecureRandom.bytes(count: 32)
        let b = SecureRandom.bytes(count: 32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b, "two 256-bit draws collided")
    }
}
