import Support

/// One parameter document (seed `000_…`, `ModelParameterDocument`): a request parameter the model
/// accepts, with its type and free-form `config` (defaults, bounds).
public struct ModelParameter: Sendable, Equatable {
    /// Optional stable id.
    public var id: String?
    /// Human-readable name.
    public var name: String
    /// The request field it controls (`temperature`, `max_tokens`).
    public var parameter: String
    /// Type name (`number`, `integer`, `boolean`, `string`, `enum`).
    public var parameterType: String
    /// Free text.
    public var description: String?
    /// UI hints.
    public var hints: String?
    /// Free-form configuration (`{"min": 0, "max": 1, "default": 0.7}`).
    public var config: JSONObject
    /// Whether the parameter is offered.
    public var isActive: Bool?
    /// Display order.
    public var position: Int?

    init(json: JSONValue, at path: JSONPath) throws(CatalogueError) {
        var r = try ObjectReader(json, at: path)
        id = try r.string("id", length: 1...128)
        name = try r.require("name") { (r, k) throws(CatalogueError) in try r.string(k, length: 1...128) }
        parameter = try r.require("parameter") { (r, k) throws(CatalogueError) in try r.string(k, length: 1...128) }
        parameterType = try r.require("parameter_type") { (r, k) throws(CatalogueError) in try r.string(k, length: 1...64) }
        description = try r.string("description", length: 0...4096)
        hints = try r.string("hints", length: 0...4096)
        config = try r.object("config")?.object ?? JSONObject()
        isActive = try r.bool("is_active")
        position = try r.int("position", range: 0...1_000_000)
        try r.finish()
    }

    /// Canonical JSON.
    public var json: JSONValue {
        var o = JSONObject()
        if let id { o["id"] = .string(id) }
        o["name"] = .string(name)
        o["parameter"] = .string(parameter)
        o["parameter_type"] = .string(parameterType)
        if let description { o["description"] = .string(description) }
        if let hints { o["hints"] = .string(hints) }
        o["config"] = .object(config)
        if let isActive { o["is_active"] = .bool(isActive) }
        if let position { o["position"] = .int(position) }
        return .object(o)
    }
}
