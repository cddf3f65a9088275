import Support

/// Provider-side token limits (seed `001_…`, `limits`): `context_window`, `max_output_tokens`, `max_input_tokens`.
public struct ModelLimits: Sendable, Equatable {
    /// Total tokens the model can attend to.
    public var contextWindow: Int?
    /// Largest completion the model produces.
    public var maxOutputTokens: Int?
    /// Largest prompt the model accepts.
    public var maxInputTokens: Int?
    /// Other limits as given (`max_tokens`, …): the seeds leave the block open; Tollgate keeps and echoes them.
    public var extras = JSONObject()

    /// A limits block.
    public init(contextWindow: Int? = nil, maxOutputTokens: Int? = nil, maxInputTokens: Int? = nil) {
        self.contextWindow = contextWindow
        self.maxOutputTokens = maxOutputTokens
        self.maxInputTokens = maxInputTokens
    }

    static let tokenRange = 1...100_000_000

    init(json: JSONValue, at path: JSONPath) throws(CatalogueError) {
        var r = try ObjectReader(json, at: path)
        contextWindow = try r.int("context_window", range: ModelLimits.tokenRange)
        maxOutputTokens = try r.int("max_output_tokens", range: ModelLimits.tokenRange)
        maxInputTokens = try r.int("max_input_tokens", range: ModelLimits.tokenRange)
        extras = r.unread()
    }

    /// Canonical JSON (absent members omitted).
    public var json: JSONValue {
        var o = JSONObject()
        if let contextWindow { o["context_window"] = .int(contextWindow) }
        if let maxOutputTokens { o["max_output_tokens"] = .int(maxOutputTokens) }
        if let maxInputTokens { o["max_input_tokens"] = .int(maxInputTokens) }
        for (key, value) in extras { o[key] = value }
        return .object(o)
    }
}
