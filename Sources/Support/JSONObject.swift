/// A JSON object (RFC 8259 §4) that keeps its members in insertion order, so documents
/// serialize deterministically and diffs stay readable.
///
/// Keys are unique: setting an existing key replaces its value in place; removing a key
/// drops it from the order. Lookup is a dictionary probe.
/// See <https://www.rfc-editor.org/rfc/rfc8259#section-4>.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// Member names in order.
    public private(set) var keys: [String] = []
    private var storage: [String: JSONValue] = [:]

    /// An empty object.
    public init() {}

    /// An object with the given members in order; later duplicates replace earlier values.
    public init(_ members: [(String, JSONValue)]) {
        keys.reserveCapacity(members.count)
        for (k, v) in members { self[k] = v }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    /// Number of members.
    public var count: Int { keys.count }
    /// True when the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value for `key`; assigning nil removes the key, assigning a value appends or replaces it.
    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// True when `key` is a member (even with a `null` value).
    public func contains(_ key: String) -> Bool { storage[key] != nil }

    /// Removes `key` and returns its old value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        let old = storage[key]
        self[key] = nil
        return old
    }

    /// Members in order.
    public var members: [(key: String, value: JSONValue)] { keys.map { ($0, storage[$0]!) } }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    /// Order-sensitive equality: same keys in the same order with equal values.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.keys == rhs.keys && lhs.storage == rhs.storage
    }
}
