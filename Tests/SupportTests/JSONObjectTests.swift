import XCTest
@testable import Support

/// Members in insertion order, unique keys, and the same answers below and above the size where lookups switch from
/// scanning the members to an index.
final class JSONObjectTests: XCTestCase {
    func testOrderReplaceAndRemoveOnEitherSideOfTheIndexThreshold() {
        for size in [3, JSONObject.indexThreshold, JSONObject.indexThreshold + 1, 3 * JSONObject.indexThreshold] {
            var object = JSONObject()
            var model: [(String, Int)] = []
            for i in 0..<size {
                object["k\(i)"] = .int(i)
                model.append(("k\(i)", i))
            }
            object["k0"] = .int(100)  // replaced in place
            model[0].1 = 100
            object["k1"] = nil  // removed from the order
            model.remove(at: 1)
            object["late"] = .int(-1)
            model.append(("late", -1))
            XCTAssertEqual(object.keys, model.map(\.0), "size \(size)")
            for (key, value) in model { XCTAssertEqual(object[key]?.intValue, value, "size \(size), \(key)") }
            XCTAssertNil(object["k1"])
            XCTAssertFalse(object.contains("k1"))
            XCTAssertEqual(object.count, model.count)
            XCTAssertEqual(object.removeValue(forKey: "late"), .int(-1))
            XCTAssertNil(object["late"])
            XCTAssertEqual(object["k\(size - 1)"]?.intValue, size - 1, "the index follows removals")
        }
    }

    func testEqualityIsOrderSensitive() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        XCTAssertNotEqual(ab, ba)
        XCTAssertEqual(ab, JSONObject([("a", 1), ("b", 2)]))
        XCTAssertEqual(JSONObject([("a", 1), ("a", 3)]).members.map(\.value), [3], "a later duplicate replaces the value")
    }
}
