import XCTest
@testable import Support

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    private func assertError(_ text: String, _ shortName: String, at offset: Int, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try JSONValue.parse(Array(text.utf8))
            XCTFail("expected \(shortName), parsed \(value)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.shortName, shortName, "\(text): \(error)", file: file, line: line)
            XCTAssertEqual(error.offset, offset, "\(text): \(error)", file: file, line: line)
        }
    }

    func testScalars() throws {
        XCTAssertEqual(try parse("null"), .null)
        XCTAssertEqual(try parse(" true "), .bool(true))
        XCTAssertEqual(try parse("false"), .bool(false))
        XCTAssertEqual(try parse("\"hi\""), .string("hi"))
        XCTAssertEqual(try parse("123").numberValue?.text, "123")
        XCTAssertEqual(try parse("-5").intValue, -5)
        XCTAssertEqual(try parse("0.000003").numberValue?.text, "0.000003")
        XCTAssertEqual(try parse("1E+3").numberValue?.int64, 1000)
    }

    func testNumbersRoundTripExactly() throws {
        for literal in ["123", "-5", "0.000003", "0", "-0", "12345678901234567890123", "1.5e-7", "3.00"] {
            let value = try parse(literal)
            XCTAssertEqual(value.serializedString(), literal)
        }
        XCTAssertEqual(try parse("0.000003").moneyValue, Money("0.000003"))
        XCTAssertEqual(try parse("3e-6").moneyValue?.description, "0.000003")
        XCTAssertEqual(try parse("12345678901234567890123").intValue, nil)
        XCTAssertEqual(try parse("2.5").intValue, nil)
        XCTAssertEqual(try parse("5.0").intValue, 5)
    }

    func testObjectKeepsKeyOrderAndNesting() throws {
        let value = try parse(#"{"z": 1, "a": [true, {"k": null}], "m": {}}"#)
        XCTAssertEqual(value.objectValue?.keys, ["z", "a", "m"])
        XCTAssertEqual(value["a"]?[1]?["k"], .null)
        XCTAssertEqual(value[path: JSONPath([.key("a"), .index(0)])], .bool(true))
        XCTAssertEqual(value.serializedString(), #"{"z":1,"a":[true,{"k":null}],"m":{}}"#)
    }

    func testStringEscapes() throws {
        let value = try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#)
        XCTAssertEqual(value.stringValue, "a\"b\\c/d\u{8}\u{c}\n\r\té😀")
        XCTAssertEqual(try parse("\"héllo ✓\"").stringValue, "héllo ✓")
    }

    func testRejections() {
        assertError("", "json_unexpected_end", at: 0)
        assertError("[1,]", "json_unexpected_byte", at: 3)
        assertError("{\"a\":1,}", "json_unexpected_byte", at: 7)
        assertError("01", "json_invalid_number", at: 0)
        assertError("[1.]", "json_invalid_number", at: 1)
        assertError("+1", "json_unexpected_byte", at: 0)
        assertError("NaN", "json_unexpected_byte", at: 0)
        assertError("-Infinity", "json_invalid_number", at: 0)
        assertError("'a'", "json_unexpected_byte", at: 0)
        assertError("\"a\u{1}\"", "json_control_character", at: 2)
        assertError(#""\x""#, "json_invalid_escape", at: 1)
        assertError(#""\ud800""#, "json_invalid_unicode", at: 1)
        assertError(#""\udc00""#, "json_invalid_unicode", at: 1)
        assertError(#"{"a":1,"a":2}"#, "json_duplicate_key", at: 7)
        assertError("true false", "json_trailing_data", at: 5)
        assertError("[1 2]", "json_unexpected_byte", at: 3)
        assertError("{\"a\" 1}", "json_unexpected_byte", at: 5)
        assertError("tru", "json_unexpected_byte", at: 0)
        assertError("\"abc", "json_unexpected_end", at: 4)
        assertError("/* c */ 1", "json_unexpected_byte", at: 0)
    }

    func testRejectsInvalidUTF8() {
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xC3, 0x28, 0x22])) { error in
            XCTAssertEqual((error as? JSONParseError)?.shortName, "json_invalid_utf8")
        }
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22])) { error in
            XCTAssertEqual((error as? JSONParseError)?.shortName, "json_invalid_utf8")
        }
    }

    func testDepthLimit() throws {
        let ok = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        XCTAssertNoThrow(try JSONValue.parse(ok, maxDepth: 10))
        let deep = String(repeating: "[", count: 11) + String(repeating: "]", count: 11)
        XCTAssertThrowsError(try JSONValue.parse(deep, maxDepth: 10)) { error in
            XCTAssertEqual((error as? JSONParseError)?.shortName, "json_too_deep")
            XCTAssertEqual((error as? JSONParseError)?.offset, 10)
        }
        let hostile = String(repeating: "[", count: 100_000)
        XCTAssertThrowsError(try JSONValue.parse(hostile))
    }

    func testParseFromStringAndSlice() throws {
        XCTAssertEqual(try JSONValue.parse("[1]"), [1])
        let bytes = Array("xx[2]yy".utf8)
        XCTAssertEqual(try JSONValue.parse(bytes[2..<5]), [2])
    }
}
