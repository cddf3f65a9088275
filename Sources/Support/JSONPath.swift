/// A path to a value inside a JSON document, used to name the offending field in validation errors:
/// `pricing.input.cost`, `models[3].id`, `metrics["p50.ms"]`.
///
/// Keys made only of ASCII letters, digits, `_` and `-` are written dotted; any other key is written
/// bracketed and quoted so the path stays unambiguous. The root path prints as the empty string.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The steps from the root.
    public private(set) var components: [Component]

    /// The root path (prints as "").
    public static let root = JSONPath([])

    /// A path from explicit steps.
    public init(_ components: [Component]) { self.components = components }

    /// A single-key path (`"pricing"`); the literal is one key, not parsed for dots.
    public init(stringLiteral value: String) { self.components = [.key(value)] }

    /// This path with `key` appended.
    public func appending(_ key: String) -> JSONPath {
        var copy = self
        copy.components.append(.key(key))
        return copy
    }

    /// This path with array `index` appended.
    public func appending(index: Int) -> JSONPath {
        var copy = self
        copy.components.append(.index(index))
        return copy
    }

    /// `path + "key"`.
    public static func + (lhs: JSONPath, rhs: String) -> JSONPath { lhs.appending(rhs) }

    /// `path[3]`: this path with an array index appended.
    public subscript(index: Int) -> JSONPath { appending(index: index) }

    /// True for the root path.
    public var isRoot: Bool { components.isEmpty }

    public var description: String {
        var out = ""
        for component in components {
            switch component {
            case .index(let i):
                out += "[\(i)]"
            case .key(let k):
                if JSONPath.isPlain(k) {
                    if !out.isEmpty { out += "." }
                    out += k
                } else {
                    out += "["
                    out += String(decoding: JSONValue.string(k).serialized(), as: UTF8.self)
                    out += "]"
                }
            }
        }
        return out
    }

    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { b in
            (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
    }
}
