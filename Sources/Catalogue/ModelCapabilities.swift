import Support

/// Feature flags a model advertises (seed `001_…`, `capabilities`), such as `streaming`, `tools`, `vision`,
/// `json_mode`, `reasoning`, `prompt_caching`. Names are `[a-z0-9_]{1,64}`; values are booleans; order is kept.
public struct ModelCapabilities: Sendable, Equatable {
    /// Well-known flag names.
    public static let known = ["streaming", "tools", "vision", "json_mode", "reasoning", "prompt_caching"]

    /// The flags in order.
    public private(set) var flags: JSONObject

    /// Flags from name/value pairs.
    public init(_ flags: [(String, Bool)] = []) {
        self.flags = JSONObject(flags.map { ($0.0, JSONValue.bool($0.1)) })
    }

    init(json: JSONValue, at path: JSONPath) throws(CatalogueError) {
        let r = try ObjectReader(json, at: path)
        for (key, value) in r.object {
            let field = path + key
            guard !key.isEmpty, key.utf8.count <= 64,
                  key.utf8.allSatisfy({ $0 &- 0x61 < 26 || $0 &- 0x30 < 10 || $0 == UInt8(ascii: "_") })
            else { throw CatalogueError(.invalidValue, "capability names are [a-z0-9_]{1,64}", field: field) }
            guard case .bool = value else {
                throw CatalogueError(.wrongType, "expected a boolean, found \(value.typeName)", field: field)
            }
        }
        flags = r.object
    }

    /// True when `name` is present and true.
    public subscript(name: String) -> Bool { flags[name]?.boolValue ?? false }

    /// Canonical JSON.
    public var json: JSONValue { .object(flags) }
}
