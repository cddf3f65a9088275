import Support

/// Presentation metadata (seed `001_…`, `display`): `label` (≤ 128 characters), `brand`, `hidden`.
public struct ModelDisplay: Sendable, Equatable {
    /// Human-readable name.
    public var label: String?
    /// Vendor or family shown next to the label.
    public var brand: String?
    /// Hidden from listings meant for people (still routable).
    public var hidden: Bool?

    /// A display block.
    public init(label: String? = nil, brand: String? = nil, hidden: Bool? = nil) {
        self.label = label
        self.brand = brand
        self.hidden = hidden
    }

    init(json: JSONValue, at path: JSONPath) throws(CatalogueError) {
        var r = try ObjectReader(json, at: path)
        label = try r.string("label", length: 0...128)
        brand = try r.string("brand", length: 0...64)
        hidden = try r.bool("hidden")
        try r.finish()
    }

    /// Canonical JSON (absent members omitted).
    public var json: JSONValue {
        var o = JSONObject()
        if let label { o["label"] = .string(label) }
        if let brand { o["brand"] = .string(brand) }
        if let hidden { o["hidden"] = .bool(hidden) }
        return .object(o)
    }
}
