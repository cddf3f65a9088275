import Foundation
import XCTest
@testable import AWS

final class SigV4DateTests: XCTestCase {
    func testFormatsAndParses() {
        let date = SigV4Date(secondsSince1970: 1_440_938_160)
        XCTAssertEqual(date.basic, "20150830T123600Z")
        XCTAssertEqual(date.day, "20150830")
        XCTAssertEqual(SigV4Date(basic: "20150830T123600Z"), date)
        XCTAssertEqual(SigV4Date(Date(timeIntervalSince1970: 1_440_938_160.999)), date)
        XCTAssertEqual(SigV4Date(secondsSince1970: 0).basic, "19700101T000000Z")
        XCTAssertEqual(SigV4Date(basic: "20240229T235959Z")?.basic, "20240229T235959Z")
    }

    func testRejectsMalformed() {
        for text in ["", "20150830T123600", "20150830 123600Z", "2015083OT123600Z", "20150230T000000Z",
                     "20151330T000000Z", "20150830T246000Z", "20150830T123600Z ", "2015-08-30T12:36:00Z"] {
            XCTAssertNil(SigV4Date(basic: text), text)
        }
    }
}
