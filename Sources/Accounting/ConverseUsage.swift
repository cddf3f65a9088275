import Support

/// Reads Bedrock's [TokenUsage](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html)
/// (the `usage` of a Converse answer and of a ConverseStream `metadata` event; Nova's InvokeModel `usage` has the
/// same shape with `…InputTokenCount` cache names).
///
/// `inputTokens` excludes cache reads and writes. Cache writes are split by
/// [CacheDetail](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CacheDetail.html) `ttl`
/// (`5m`, `1h`); writes the details do not cover count as 5-minute writes (the default TTL).
enum ConverseUsage {
    /// The usage of a Converse answer body (`{"usage": {...}, ...}`) or a ConverseStream `metadata` payload.
    static func usage(inBody json: JSONValue) -> Usage? {
        guard case .object(let u)? = json["usage"] else { return nil }
        return usage(u)
    }

    /// The usage a TokenUsage object reports.
    static func usage(_ u: JSONObject) -> Usage {
        let int = ModelBodyUsage.int
        var usage = Usage(input: int(u["inputTokens"]) ?? 0, output: int(u["outputTokens"]) ?? 0,
                          cacheRead: int(u["cacheReadInputTokens"]) ?? int(u["cacheReadInputTokenCount"]) ?? 0)
        let written = int(u["cacheWriteInputTokens"]) ?? int(u["cacheWriteInputTokenCount"]) ?? 0
        var fiveMinutes = 0, oneHour = 0
        if let details = u["cacheDetails"]?.arrayValue {
            for detail in details {
                let tokens = int(detail["inputTokens"]) ?? 0
                switch detail["ttl"]?.stringValue {
                case "1h": oneHour += tokens
                default: fiveMinutes += tokens
                }
            }
        }
        usage.cacheWrite1h = oneHour
        usage.cacheWrite5m = max(fiveMinutes, written - oneHour)
        return usage
    }
}
