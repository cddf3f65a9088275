import FoundationEssentials
import Support

/// Reads the members of one JSON object with type checks, remembering which members were read so
/// `finish()` can reject unknown fields. Every error names the member's full path.
struct ObjectReader {
    let object: JSONObject
    let path: JSONPath
    private var seen: Set<String> = []

    /// Fails with `wrong_type` unless `value` is an object.
    init(_ value: JSONValue, at path: JSONPath) throws(CatalogueError) {
        guard case .object(let object) = value else {
            throw CatalogueError(.wrongType, "expected an object, found \(value.typeName)", field: path)
        }
        self.object = object
        self.path = path
    }

    /// The raw value of `key` (nil when absent); marks it as read.
    mutating func raw(_ key: String) -> JSONValue? {
        seen.insert(key)
        return object[key]
    }

    /// Marks `key` as known without reading it.
    mutating func ignore(_ key: String) { seen.insert(key) }

    /// The members that were not read, in order: the free-form rest of an object the seeds leave open.
    func unread() -> JSONObject {
        var rest = JSONObject()
        for (key, value) in object where !seen.contains(key) { rest[key] = value }
        return rest
    }

    /// Rejects any member that was not read.
    func finish() throws(CatalogueError) {
        for key in object.keys where !seen.contains(key) {
            throw CatalogueError(.unknownField, "unknown field \"\(key)\"", field: path + key)
        }
    }

    /// A required member.
    mutating func require<T>(_ key: String, _ read: (inout ObjectReader, String) throws(CatalogueError) -> T?) throws(CatalogueError) -> T {
        guard let value = try read(&self, key) else {
            throw CatalogueError(.missingField, "\"\(key)\" is required", field: path + key)
        }
        return value
    }

    private func typeError(_ key: String, _ expected: String, _ found: JSONValue) -> CatalogueError {
        CatalogueError(.wrongType, "expected \(expected), found \(found.typeName)", field: path + key)
    }

    /// An optional string with a length range (in characters); `null` counts as absent.
    mutating func string(_ key: String, length: ClosedRange<Int> = 0...4096) throws(CatalogueError) -> String? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard case .string(let s) = value else { throw typeError(key, "a string", value) }
        try Validation.checkLength(s, length, at: path + key)
        return s
    }

    /// An optional boolean; `null` counts as absent.
    mutating func bool(_ key: String) throws(CatalogueError) -> Bool? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard case .bool(let b) = value else { throw typeError(key, "a boolean", value) }
        return b
    }

    /// An optional integer within `range`; `null` counts as absent.
    mutating func int(_ key: String, range: ClosedRange<Int>) throws(CatalogueError) -> Int? {
        guard let value = raw(key), !value.isNull else { return nil }
        return try Validation.int(value, range: range, at: path + key)
    }

    /// An optional array, each element read by `element`; `null` counts as absent.
    mutating func array<T>(_ key: String, maxCount: Int = 1024,
                           _ element: (JSONValue, JSONPath) throws(CatalogueError) -> T) throws(CatalogueError) -> [T]? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard case .array(let items) = value else { throw typeError(key, "an array", value) }
        guard items.count <= maxCount else {
            throw CatalogueError(.invalidValue, "at most \(maxCount) elements allowed", field: path + key)
        }
        var result: [T] = []
        result.reserveCapacity(items.count)
        for (i, item) in items.enumerated() { result.append(try element(item, (path + key)[i])) }
        return result
    }

    /// An optional nested object; `null` counts as absent.
    mutating func object(_ key: String) throws(CatalogueError) -> ObjectReader? {
        guard let value = raw(key), !value.isNull else { return nil }
        return try ObjectReader(value, at: path + key)
    }
}
