/// A JSON object (RFC 8259 §4) that keeps its members in insertion order, so documents
/// serialize deterministically and diffs stay readable.
///
/// Keys are unique: setting an existing key replaces its value in place; removing a key
/// drops it from the order. Members are kept in one array: the objects of API bodies are small, and comparing a
/// handful of short keys costs far less than hashing one (Swift's `Hasher` is SipHash). Past
/// ``indexThreshold`` members a key → position index is kept beside them, so large objects stay O(1).
/// See <https://www.rfc-editor.org/rfc/rfc8259#section-4>.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// Above this many members, lookups go through a dictionary.
    static let indexThreshold = 16

    private var entries: [(key: String, value: JSONValue)] = []
    /// Positions by key, once the object is large.
    private var index: [String: Int]?

    /// An empty object.
    public init() {}

    /// An object with the given members in order; later duplicates replace earlier values.
    public init(_ members: [(String, JSONValue)]) {
        entries.reserveCapacity(members.count)
        for (k, v) in members { self[k] = v }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    /// Member names in order.
    public var keys: [String] { entries.map(\.key) }
    /// Number of members.
    public var count: Int { entries.count }
    /// True when the object has no members.
    public var isEmpty: Bool { entries.isEmpty }

    /// Reserves room for `count` members (a parser that knows how many are coming).
    public mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        for i in entries.indices where entries[i].key == key { return i }
        return nil
    }

    /// The value for `key`; assigning nil removes the key, assigning a value appends or replaces it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let newValue {
                if let i = position(of: key) {
                    entries[i].value = newValue
                } else {
                    entries.append((key, newValue))
                    if index != nil {
                        index![key] = entries.count - 1
                    } else if entries.count > Self.indexThreshold {
                        index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.key, $0) })
                    }
                }
            } else if let i = position(of: key) {
                entries.remove(at: i)
                if index != nil {
                    index = entries.count > Self.indexThreshold ? Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.key, $0) }) : nil
                }
            }
        }
    }

    /// True when `key` is a member (even with a `null` value).
    public func contains(_ key: String) -> Bool { position(of: key) != nil }

    /// Removes `key` and returns its old value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        let old = self[key]
        self[key] = nil
        return old
    }

    /// Members in order.
    public var members: [(key: String, value: JSONValue)] { entries }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        entries.makeIterator()
    }

    /// Order-sensitive equality: same keys in the same order with equal values.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (a, b) in zip(lhs.entries, rhs.entries) where a.key != b.key || a.value != b.value { return false }
        return true
    }
}
