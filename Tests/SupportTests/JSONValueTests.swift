import XCTest
@testable import Support

final class JSONValueTests: XCTestCase {
    func testCompactAndPrettySerialization() {
        let value: JSONValue = ["id": "m/1", "n": 5, "list": [1, "two", .null], "empty": [:], "none": []]
        XCTAssertEqual(value.serializedString(), #"{"id":"m/1","n":5,"list":[1,"two",null],"empty":{},"none":[]}"#)
        XCTAssertEqual(value.serializedString(pretty: true), """
        {
          "id": "m/1",
          "n": 5,
          "list": [
            1,
            "two",
            null
          ],
          "empty": {},
          "none": []
        }
        """)
    }

    func testStringEscapingRoundTrips() throws {
        let nasty = "q\"b\\s/\n\r\t\u{0}\u{1f}é😀\u{7f}"
        let bytes = JSONValue.string(nasty).serialized()
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), #""q\"b\\s/\n\r\t\u0000\u001fé😀"# + "\u{7f}\"")
        XCTAssertEqual(try JSONValue.parse(bytes), .string(nasty))
        // Runs copied whole: empty, only escapes, escapes at both ends.
        for (text, json) in [("", #""""#), ("\n\n", #""\n\n""#), ("\"plain\"", #""\"plain\"""#)] {
            XCTAssertEqual(String(decoding: JSONValue.string(text).serialized(), as: UTF8.self), json)
        }
    }

    func testRoundTripIsDeterministic() throws {
        let text = #"{"b":{"y":[0.1,2e5,-0.000003],"x":"é"},"a":true,"c":null}"#
        let once = try JSONValue.parse(text)
        XCTAssertEqual(once.serializedString(), text)
        let pretty = once.serialized(pretty: true)
        XCTAssertEqual(try JSONValue.parse(pretty), once)
        XCTAssertEqual(try JSONValue.parse(pretty).serializedString(), text)
    }

    func testObjectMutationKeepsOrder() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = 20
        XCTAssertEqual(object.keys, ["a", "b", "c"])
        object["b"] = nil
        XCTAssertEqual(object.keys, ["a", "c"])
        object["b"] = 4
        XCTAssertEqual(object.keys, ["a", "c", "b"])
        XCTAssertEqual(object.removeValue(forKey: "a"), 1)
        XCTAssertFalse(object.contains("a"))
        XCTAssertNotEqual(JSONObject([("x", 1), ("y", 2)]), JSONObject([("y", 2), ("x", 1)]))
    }

    func testNumberEqualityAndConversions() throws {
        XCTAssertEqual(JSONNumber(exactly: "1.0"), JSONNumber(exactly: "1"))
        XCTAssertNotEqual(JSONNumber(exactly: "1.01"), JSONNumber(exactly: "1"))
        XCTAssertNil(JSONNumber(exactly: "01"))
        XCTAssertNil(JSONNumber(exactly: "1."))
        XCTAssertNil(JSONNumber(exactly: ""))
        XCTAssertNil(JSONNumber(exactly: "Infinity"))
        XCTAssertEqual(JSONNumber(Money("0.000003")!).text, "0.000003")
        XCTAssertEqual(JSONNumber(Money("250")!).text, "250")
        XCTAssertEqual(JSONNumber(-42).text, "-42")
        XCTAssertEqual(JSONNumber(exactly: "9223372036854775807")?.int64, Int64.max)
        XCTAssertNil(JSONNumber(exactly: "9223372036854775808")?.int64)
        XCTAssertEqual(JSONNumber(exactly: "2.5e1")?.int64, 25)
        XCTAssertEqual(JSONNumber(exactly: "5.0")?.int64, 5)
        XCTAssertEqual(JSONNumber(exactly: "-7.000e0")?.int64, -7)
        XCTAssertNil(JSONNumber(exactly: "2.5")?.int64)
        XCTAssertNil(JSONNumber(exactly: "-1e30")?.int64)
        XCTAssertNil(JSONNumber(exactly: "1e-3")?.int64)
        XCTAssertEqual(JSONNumber(Money("-12.5")!).text, "-12.5")
        XCTAssertEqual(JSONNumber(Money("1e-10")!).text, "0.0000000001")
        XCTAssertEqual(JSONNumber(exactly: "1e-10")?.money, Money("0.0000000001"))
        XCTAssertNil(JSONNumber(exactly: "1e-19")?.money, "more than 18 decimal places")
        XCTAssertNil(JSONNumber(exactly: "1e21")?.money, "out of range")
        XCTAssertEqual(JSONValue.money(Money("0.25")!), .number(JSONNumber(exactly: "0.25")!))
        XCTAssertEqual(JSONValue.money(Money("0.25")!).serializedString(), "0.25")
        XCTAssertTrue(JSONNumber(exactly: "25")!.isIntegerLiteral)
        XCTAssertFalse(JSONNumber(exactly: "2.5e1")!.isIntegerLiteral)
    }

    /// Equality and hashing compare values exactly, by normalised digits and exponent, at any size.
    func testNumberEqualityIsExact() throws {
        func n(_ text: String) throws -> JSONNumber { try XCTUnwrap(JSONNumber(exactly: text), text) }
        let equal: [(String, String)] = [("1.0", "1"), ("2.5e1", "25"), ("0.000", "0"), ("-0", "0"), ("0e5", "-0.0E-3"),
                                         ("100", "1e2"), ("100", "1E+2"), ("0.01", "1e-2"), ("123.450", "12345e-2"),
                                         ("1e400", "10e399"), ("-1.5e-400", "-0.15e-399"), ("0.000003", "3e-6"),
                                         ("12345678901234567890123456789012345678901234567890", "1.2345678901234567890123456789012345678901234567890e49"),
                                         ("10.01", "1001e-2")]
        for (a, b) in equal {
            XCTAssertEqual(try n(a), try n(b), "\(a) == \(b)")
            XCTAssertEqual(try n(a).hashValue, try n(b).hashValue, "hash \(a) == \(b)")
        }
        let unequal: [(String, String)] = [("1", "-1"), ("1.01", "1"), ("1.5e-400", "1.5e-401"), ("10", "1"), ("0.1", "0.01"),
                                           ("1001", "1.001e2"), ("12", "21"), ("1", "0"), ("-0.5", "0.5"), ("101", "11e1"),
                                           ("12345678901234567890123456789012345678901", "12345678901234567890123456789012345678902")]
        for (a, b) in unequal { XCTAssertNotEqual(try n(a), try n(b), "\(a) != \(b)") }
        // Exponents beyond 2⁵⁶ are not normalised: such numbers are equal only as identical text.
        XCTAssertEqual(try n("1e99999999999999999999"), try n("1e99999999999999999999"))
        XCTAssertNotEqual(try n("1e99999999999999999999"), try n("10e99999999999999999998"))
        XCTAssertEqual(Set([try n("1"), try n("1.0"), try n("10e-1"), try n("2")]).count, 2)
    }

    func testAccessorsAndTypeNames() {
        let value: JSONValue = ["s": "x", "b": false, "a": [1], "o": ["k": 1]]
        XCTAssertEqual(value["s"]?.stringValue, "x")
        XCTAssertEqual(value["b"]?.boolValue, false)
        XCTAssertEqual(value["a"]?.arrayValue?.count, 1)
        XCTAssertEqual(value["o"]?.objectValue?.keys, ["k"])
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["s"]?["k"])
        XCTAssertNil(value["a"]?[5])
        XCTAssertEqual(value["o"]?.typeName, "object")
        XCTAssertEqual(JSONValue.null.typeName, "null")
        XCTAssertTrue(JSONValue.null.isNull)
    }

    func testPathDescriptions() {
        XCTAssertEqual(JSONPath.root.description, "")
        XCTAssertEqual((JSONPath.root + "pricing" + "input" + "cost").description, "pricing.input.cost")
        XCTAssertEqual((JSONPath("models")[3] + "id").description, "models[3].id")
        XCTAssertEqual((JSONPath("metrics") + "p50.ms").description, #"metrics["p50.ms"]"#)
        XCTAssertEqual(JSONPath.root[0].description, "[0]")
    }
}
