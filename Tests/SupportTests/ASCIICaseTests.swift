import XCTest
@testable import Support

final class ASCIICaseTests: XCTestCase {
    func testEqualityFoldsOnlyASCIILetters() {
        XCTAssertTrue("expect".equalsCaseInsensitively("EXPECT"))
        XCTAssertTrue("X-Amzn-ErrorType".equalsCaseInsensitively("x-amzn-errortype"))
        XCTAssertTrue("".equalsCaseInsensitively(""))
        XCTAssertFalse("expect".equalsCaseInsensitively("expects"))
        XCTAssertFalse("te".equalsCaseInsensitively("t"))
        XCTAssertFalse("[".equalsCaseInsensitively("{"), "only letters fold")
        XCTAssertFalse("@".equalsCaseInsensitively("`"), "only letters fold")
        XCTAssertTrue("Grüße".equalsCaseInsensitively("GRüßE"), "non-ASCII bytes compare exactly")
        XCTAssertFalse("grüße".equalsCaseInsensitively("GRÜSSE"))
    }

    func testSubstringsAndLongStrings() {
        let long = String(repeating: "Content-Type-", count: 10)
        XCTAssertTrue(long.equalsCaseInsensitively(long.uppercased()))
        let line = "  Content-Length: 12"
        let name = line.dropFirst(2).prefix(14)
        XCTAssertTrue(name.equalsCaseInsensitively("content-length"))
        XCTAssertTrue("content-length".equalsCaseInsensitively(name))
        XCTAssertFalse(name.equalsCaseInsensitively("content-lengt"))
    }

    func testPrefix() {
        XCTAssertTrue("X-Amzn-Bedrock-Trace".hasPrefixCaseInsensitively("x-amzn-bedrock-"))
        XCTAssertTrue("x-amzn-bedrock-".hasPrefixCaseInsensitively("X-Amzn-Bedrock-"))
        XCTAssertTrue("anything".hasPrefixCaseInsensitively(""))
        XCTAssertFalse("X-Amzn-Bedroc".hasPrefixCaseInsensitively("x-amzn-bedrock-"))
        XCTAssertFalse("X-Amzn-RequestId".hasPrefixCaseInsensitively("x-amzn-bedrock-"))
        XCTAssertTrue("ab X-AMZN-BEDROCK-x".dropFirst(3).hasPrefixCaseInsensitively("x-amzn-bedrock-"))
    }
}
