import FoundationEssentials
import Support

/// Shared field checks; each throws a `CatalogueError` naming the field.
enum Validation {
    static func checkLength(_ s: String, _ length: ClosedRange<Int>, at path: JSONPath) throws(CatalogueError) {
        let count = s.count
        if count < length.lowerBound {
            throw CatalogueError(.invalidValue, length.lowerBound == 1 ? "must not be empty"
                                 : "must be at least \(length.lowerBound) characters", field: path)
        }
        if count > length.upperBound {
            throw CatalogueError(.invalidValue, "must be at most \(length.upperBound) characters", field: path)
        }
    }

    static func string(_ value: JSONValue, length: ClosedRange<Int>, at path: JSONPath) throws(CatalogueError) -> String {
        guard case .string(let s) = value else {
            throw CatalogueError(.wrongType, "expected a string, found \(value.typeName)", field: path)
        }
        try checkLength(s, length, at: path)
        return s
    }

    static func int(_ value: JSONValue, range: ClosedRange<Int>, at path: JSONPath) throws(CatalogueError) -> Int {
        guard case .number(let n) = value else {
            throw CatalogueError(.wrongType, "expected an integer, found \(value.typeName)", field: path)
        }
        guard let i = n.int else {
            throw CatalogueError(.wrongType, "expected an integer, found \(n.text)", field: path)
        }
        guard range.contains(i) else {
            throw CatalogueError(.invalidValue, "must be between \(range.lowerBound) and \(range.upperBound)", field: path)
        }
        return i
    }

    /// A price: a non-negative number with at most 18 decimal places, kept exactly (never rounded).
    static func price(_ value: JSONValue, at path: JSONPath) throws(CatalogueError) -> Money {
        guard case .number(let n) = value else {
            throw CatalogueError(.wrongType, "expected a number, found \(value.typeName)", field: path)
        }
        let price: Money
        do { price = try Money(parsing: n.text) } catch {
            throw CatalogueError(.invalidValue, "price " + error.requirement, field: path)
        }
        guard !price.isNegative else { throw CatalogueError(.invalidValue, "price must not be negative", field: path) }
        return price
    }

    /// Model ids and aliases: 1–256 characters of letters, digits and `. _ - : / @ +`, not starting or
    /// ending with `/`, without empty path segments and without `.` or `..` segments, so they travel in URL paths
    /// unambiguously: clients that normalise paths (RFC 3986 §5.2.4 "remove dot segments", which curl and most
    /// HTTP libraries apply) would otherwise send a request for `a/../b` to `b`.
    static func modelID(_ value: JSONValue, at path: JSONPath) throws(CatalogueError) -> String {
        let s = try string(value, length: 1...256, at: path)
        try checkModelID(s, at: path)
        return s
    }

    static func checkModelID(_ s: String, at path: JSONPath) throws(CatalogueError) {
        try checkLength(s, 1...256, at: path)
        for b in s.utf8 {
            let ok = (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
                || b == UInt8(ascii: "-") || b == UInt8(ascii: ":") || b == UInt8(ascii: "/") || b == UInt8(ascii: "@")
                || b == UInt8(ascii: "+")
            guard ok else {
                throw CatalogueError(.invalidValue, "model ids may contain only letters, digits and . _ - : / @ +", field: path)
            }
        }
        if s.hasPrefix("/") || s.hasSuffix("/") || s.contains("//") {
            throw CatalogueError(.invalidValue, "model ids must not start or end with '/' or contain '//'", field: path)
        }
        if s.utf8.split(separator: UInt8(ascii: "/")).contains(where: { $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) }) {
            throw CatalogueError(.invalidValue, "model ids must not contain '.' or '..' path segments", field: path)
        }
    }

    /// Slugs (org slugs, tags' strictness is looser): `[A-Za-z0-9_-]`, 1–64 characters.
    static func slug(_ value: JSONValue, at path: JSONPath) throws(CatalogueError) -> String {
        let s = try string(value, length: 1...64, at: path)
        for b in s.utf8 where !((b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")) {
            throw CatalogueError(.invalidValue, "may contain only letters, digits, '_' and '-'", field: path)
        }
        return s
    }

    static func region(_ value: JSONValue, at path: JSONPath) throws(CatalogueError) -> String {
        let s = try string(value, length: 1...20, at: path)
        guard BedrockIdentifier.isValidRegion(s) else {
            throw CatalogueError(.invalidValue, "\"\(s)\" is not an AWS region name such as us-east-1", field: path)
        }
        return s
    }

    static func unique<T: Hashable>(_ items: [T], at path: JSONPath) throws(CatalogueError) {
        var seen = Set<T>()
        for (i, item) in items.enumerated() where !seen.insert(item).inserted {
            throw CatalogueError(.invalidValue, "duplicate value", field: path[i])
        }
    }
}
