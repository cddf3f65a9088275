import XCTest
@testable import AWS

final class PercentEncodingTests: XCTestCase {
    func testEncodesEverythingButUnreserved() {
        XCTAssertEqual(PercentEncoding.encode("a-b_c.d~e"), "a-b_c.d~e")
        XCTAssertEqual(PercentEncoding.encode("a:b/c d+é"), "a%3Ab%2Fc%20d%2B%C3%A9")
        XCTAssertEqual(PercentEncoding.encode("/a:b/", keepSlash: true), "/a%3Ab/")
    }

    func testDecodes() {
        XCTAssertEqual(PercentEncoding.decode(Array("a%3Ab%2fc+d".utf8), strict: true), Array("a:b/c+d".utf8))
        XCTAssertNil(PercentEncoding.decode(Array("a%3".utf8), strict: true))
        XCTAssertNil(PercentEncoding.decode(Array("a%zz".utf8), strict: true))
        XCTAssertEqual(PercentEncoding.decode(Array("a%zz%".utf8), strict: false), Array("a%zz%".utf8))
    }
}
