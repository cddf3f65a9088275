import Support

/// Reads usage out of a model's own JSON (an `InvokeModel` body, or one decoded stream chunk) in every
/// family's documented shape ([model parameters](https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html)):
///
/// - Anthropic Messages: `usage.input_tokens`, `output_tokens`, `cache_read_input_tokens`,
///   `cache_creation_input_tokens` (split by `usage.cache_creation.ephemeral_5m_input_tokens`/`_1h_` when present);
///   stream `message_start` carries it under `message.usage`, `message_delta` under `usage`.
/// - Amazon Nova: `usage.inputTokens`, `outputTokens`, `cacheReadInputTokenCount`, `cacheWriteInputTokenCount`
///   (stream: under `metadata.usage`).
/// - OpenAI-style bodies (gpt-oss, Mistral chat, Jamba): `usage.prompt_tokens`, `completion_tokens`, with
///   `prompt_tokens_details.cached_tokens` and `completion_tokens_details.reasoning_tokens` moved to their kinds.
/// - Titan Text: `inputTextTokenCount` plus `results[].tokenCount` (stream: `totalOutputTextTokenCount`);
///   Titan Embeddings: `inputTextTokenCount`.
/// - Meta Llama: `prompt_token_count`, `generation_token_count`.
/// - Cohere: `meta.billed_units.input_tokens`/`output_tokens` when present.
/// - Image models: `images` = the number of `artifacts` (Stability) or `images` (Titan Image, Nova Canvas, SD3).
/// - Bedrock's own `amazon-bedrock-invocationMetrics` (see ``invocationMetrics(_:)``).
enum ModelBodyUsage {
    /// The usage `json` reports in any known family shape, or nil when it reports none.
    static func usage(in json: JSONValue) -> Usage? {
        guard case .object(let o) = json else { return nil }
        if let usage = o["usage"], case .object(let u) = usage, let found = usageObject(u) { return found }
        if let message = o["message"]?["usage"], case .object(let u) = message, let found = usageObject(u) { return found }
        if let meta = o["metadata"]?["usage"], case .object(let u) = meta, let found = usageObject(u) { return found }
        if let input = int(o["inputTextTokenCount"]) {
            var output = int(o["totalOutputTextTokenCount"]) ?? 0
            if output == 0, let results = o["results"]?.arrayValue {
                output = results.reduce(0) { $0 + (int($1["tokenCount"]) ?? 0) }
            }
            return Usage(input: input, output: output)
        }
        if o["prompt_token_count"] != nil || o["generation_token_count"] != nil {
            let input = int(o["prompt_token_count"]), output = int(o["generation_token_count"])
            if input != nil || output != nil { return Usage(input: input ?? 0, output: output ?? 0) }
        }
        if let billed = o["meta"]?["billed_units"], case .object(let b) = billed,
           b["input_tokens"] != nil || b["output_tokens"] != nil {
            return Usage(input: int(b["input_tokens"]) ?? 0, output: int(b["output_tokens"]) ?? 0)
        }
        if let artifacts = o["artifacts"]?.arrayValue { return Usage(images: artifacts.count) }
        if let images = o["images"]?.arrayValue { return Usage(images: images.count) }
        return nil
    }

    /// Bedrock's `amazon-bedrock-invocationMetrics` member of `json`, if present:
    /// `inputTokenCount`, `outputTokenCount`, `cacheReadInputTokenCount`, `cacheWriteInputTokenCount`
    /// (cache writes counted as 5-minute writes; see ``StreamUsageObserver`` for the TTL split).
    static func invocationMetrics(_ json: JSONValue) -> Usage? {
        guard case .object(let m)? = json["amazon-bedrock-invocationMetrics"] else { return nil }
        return Usage(input: int(m["inputTokenCount"]) ?? 0, output: int(m["outputTokenCount"]) ?? 0,
                     cacheRead: int(m["cacheReadInputTokenCount"]) ?? 0,
                     cacheWrite5m: int(m["cacheWriteInputTokenCount"]) ?? 0)
    }

    /// A `usage` object in the Anthropic, Nova/Converse or OpenAI naming; nil when it has none of their fields.
    static func usageObject(_ u: JSONObject) -> Usage? {
        if u["input_tokens"] != nil || u["output_tokens"] != nil || u["cache_read_input_tokens"] != nil {
            var usage = Usage(input: int(u["input_tokens"]) ?? 0, output: int(u["output_tokens"]) ?? 0,
                              cacheRead: int(u["cache_read_input_tokens"]) ?? 0)
            let written = int(u["cache_creation_input_tokens"]) ?? 0
            let split = u["cache_creation"]
            let fiveMinutes = int(split?["ephemeral_5m_input_tokens"]), oneHour = int(split?["ephemeral_1h_input_tokens"])
            if fiveMinutes != nil || oneHour != nil {
                usage.cacheWrite1h = oneHour ?? 0
                usage.cacheWrite5m = fiveMinutes ?? max(0, written - usage.cacheWrite1h)
            } else {
                usage.cacheWrite5m = written
            }
            return usage
        }
        if u["inputTokens"] != nil || u["outputTokens"] != nil {
            return ConverseUsage.usage(u)
        }
        if u["prompt_tokens"] != nil || u["completion_tokens"] != nil {
            let cached = int(u["prompt_tokens_details"]?["cached_tokens"]) ?? 0
            let reasoning = int(u["completion_tokens_details"]?["reasoning_tokens"]) ?? 0
            let prompt = int(u["prompt_tokens"]) ?? 0, completion = int(u["completion_tokens"]) ?? 0
            return Usage(input: max(0, prompt - cached), output: max(0, completion - reasoning),
                         cacheRead: min(cached, prompt), reasoning: min(reasoning, completion))
        }
        return nil
    }

    /// A non-negative integer count, or nil.
    @inline(__always)
    static func int(_ value: JSONValue?) -> Int? {
        guard case .number(let n)? = value, let i = n.int, i >= 0 else { return nil }
        return i
    }
}
