import Support

/// An ordered list of HTTP header fields with case-insensitive lookup (RFC 9110 §5).
///
/// Names keep the case they arrived or were added with; lookups compare ASCII case-insensitively without
/// allocating.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// The fields in order.
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Makes room for `capacity` fields, so adding them allocates once.
    public mutating func reserveCapacity(_ capacity: Int) {
        fields.reserveCapacity(capacity)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// The first value of `name`, if present.
    public subscript(name: String) -> String? {
        for field in fields where field.name.equalsCaseInsensitively(name) { return field.value }
        return nil
    }

    /// All values of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.compactMap { $0.name.equalsCaseInsensitively(name) ? $0.value : nil }
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        self[name] != nil
    }

    /// Appends a field (keeps existing fields of the same name).
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field named `name` with one field.
    public mutating func replace(_ name: String, _ value: String) {
        remove(name)
        fields.append((name: name, value: value))
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.equalsCaseInsensitively(name) }
    }

    /// Whether a comma-separated header (e.g. `Connection`) lists `token`, case-insensitively.
    public func hasToken(_ token: String, in name: String) -> Bool {
        for value in values(name) {
            for part in value.split(separator: ",") {
                if part.trimmingSpaces().equalsCaseInsensitively(token) { return true }
            }
        }
        return false
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> SubSequence {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
