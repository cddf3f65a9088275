import Support

/// A scripted behaviour of the stand-in, matched against each runtime call in order. Used by tests and the demo to
/// make failures deterministic: an error status N times, a delay, a stream that drips or breaks after k frames.
public struct StandInRule: Sendable, Equatable {
    /// Upstream model id the rule applies to; `*` for any.
    public var model: String = "*"
    /// `invoke`, `invoke-with-response-stream`, `converse`, `converse-stream`, or `*`.
    public var operation: String = "*"
    /// How many calls the rule applies to; nil for all.
    public var times: Int?
    /// Answer with this error status (with `errorType` and `message`) instead of a reply.
    public var status: Int?
    public var errorType: String?
    public var message: String?
    /// With `status`: a `Retry-After` header (seconds) on the error answer.
    public var retryAfter: Int?
    /// Wait this long before answering (a hanging upstream, for timeouts).
    public var delayMs: Int = 0
    /// Streams: send an exception frame (`errorType`, default `modelStreamErrorException`) after this many frames.
    public var exceptionAfterFrames: Int?
    /// Streams: pause this long between frames.
    public var dripMs: Int = 0
    /// Close the connection without an answer (a dead upstream).
    public var dropConnection = false
    /// Replace the reply text with this many bytes of text (large bodies).
    public var replyBytes: Int?
    /// Cache token counts to report (Anthropic `cache_read_input_tokens` / `cache_creation_input_tokens`).
    public var cacheReadTokens: Int?
    public var cacheWriteTokens: Int?

    public init() {}

    /// Parses one rule object; unknown fields are errors.
    public init(json: JSONValue) throws(StandInRuleError) {
        guard let object = json.objectValue else { throw StandInRuleError(message: "a rule must be an object") }
        for (key, value) in object {
            switch key {
            case "model": model = try Self.string(value, key)
            case "operation": operation = try Self.string(value, key)
            case "times": times = try Self.int(value, key)
            case "status": status = try Self.int(value, key)
            case "error_type": errorType = try Self.string(value, key)
            case "message": message = try Self.string(value, key)
            case "retry_after": retryAfter = try Self.int(value, key)
            case "delay_ms": delayMs = try Self.int(value, key)
            case "exception_after_frames": exceptionAfterFrames = try Self.int(value, key)
            case "drip_ms": dripMs = try Self.int(value, key)
            case "drop_connection": dropConnection = value.boolValue ?? false
            case "reply_bytes": replyBytes = try Self.int(value, key)
            case "cache_read_tokens": cacheReadTokens = try Self.int(value, key)
            case "cache_write_tokens": cacheWriteTokens = try Self.int(value, key)
            default: throw StandInRuleError(message: "unknown rule field '\(key)'")
            }
        }
    }

    func matches(model: String, operation: String) -> Bool {
        (self.model == "*" || self.model == model) && (self.operation == "*" || self.operation == operation)
    }

    private static func string(_ v: JSONValue, _ key: String) throws(StandInRuleError) -> String {
        guard let s = v.stringValue else { throw StandInRuleError(message: "\(key) must be a string") }
        return s
    }

    private static func int(_ v: JSONValue, _ key: String) throws(StandInRuleError) -> Int {
        guard let n = v.intValue else { throw StandInRuleError(message: "\(key) must be an integer") }
        return n
    }
}

/// A malformed scripted rule.
public struct StandInRuleError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
