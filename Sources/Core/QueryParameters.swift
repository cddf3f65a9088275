import Catalogue

/// A query parameter that cannot be used: its name and why. Each face words it in its own error shape.
public struct QueryParameterError: Error, Sendable, Equatable {
    public var message: String
    /// The parameter at fault.
    public var field: String
}

/// The decoded query string of an admin or control-plane read (`type=completion&limit=10`): names and values
/// percent-decoded (RFC 3986 §2.1), `+` read as a space (HTML form encoding, what `curl --data-urlencode -G` and
/// browsers send). Repeated names keep their first value.
public struct QueryParameters: Sendable, Equatable {
    /// The parameters in order.
    public private(set) var parameters: [(name: String, value: String)] = []

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Parses the still-encoded query (without `?`); throws naming the parameter whose escape is
    /// malformed or not UTF-8.
    public init(parsing query: Substring) throws(QueryParameterError) {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let eq = pair.firstIndex(of: "=")
            let rawName = eq.map { pair[..<$0] } ?? pair
            let rawValue = eq.map { pair[pair.index(after: $0)...] } ?? ""
            guard let name = Self.decode(rawName) else {
                throw QueryParameterError(message: "malformed percent-encoding in a parameter name", field: String(rawName))
            }
            guard let value = Self.decode(rawValue) else {
                throw QueryParameterError(message: "malformed percent-encoding in the value of \(name)", field: name)
            }
            parameters.append((name, value))
        }
    }

    /// Throws naming the first parameter not in `allowed` (a typo should not silently widen a
    /// listing).
    public func rejectUnknown(allowed: Set<String>) throws(QueryParameterError) {
        if let bad = parameters.first(where: { !allowed.contains($0.name) }) {
            throw QueryParameterError(message: "unknown query parameter \(bad.name) (allowed: \(allowed.sorted().joined(separator: ", ")))",
                                field: bad.name)
        }
    }

    /// The integer value of `name` within `range`, or nil when absent.
    public func int(_ name: String, in range: ClosedRange<Int>) throws(QueryParameterError) -> Int? {
        guard let text = self[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw QueryParameterError(message: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return value
    }

    /// The boolean value of `name` (`true` / `false`), or nil when absent.
    public func bool(_ name: String) throws(QueryParameterError) -> Bool? {
        switch self[name] {
        case nil: return nil
        case "true": return true
        case "false": return false
        default: throw QueryParameterError(message: "\(name) must be true or false", field: name)
        }
    }

    private static func decode(_ raw: Substring) -> String? {
        guard raw.utf8.contains(UInt8(ascii: "+")) else { return ModelPath.decode(raw) }
        return ModelPath.decode(Substring(String(decoding: raw.utf8.map { $0 == UInt8(ascii: "+") ? 0x20 : $0 }, as: UTF8.self)))
    }

    /// Same parameters in the same order.
    public static func == (a: QueryParameters, b: QueryParameters) -> Bool {
        a.parameters.elementsEqual(b.parameters) { $0.name == $1.name && $0.value == $1.value }
    }
}
