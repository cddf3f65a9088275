import AWS
import Catalogue
import Support

/// Extracts the usage of a non-streaming answer as Amazon reported it, never estimated; streams use
/// ``StreamUsageObserver``.
///
/// - InvokeModel: Bedrock's response headers `X-Amzn-Bedrock-Input-Token-Count`, `-Output-Token-Count`,
///   `-Cache-Read-Input-Token-Count`, `-Cache-Write-Input-Token-Count`
///   ([InvokeModel response](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html));
///   else the body in the model family's shape (``ModelBodyUsage``). The body also supplies what headers cannot:
///   the image count of image models and the 5m/1h split of cache writes.
/// - Converse: the body's `usage` ([TokenUsage](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html)).
///
/// To avoid keeping bodies it does not need, the gateway asks ``needsBody(operation:headers:modelType:)`` first.
public enum UsageExtractor {
    /// `X-Amzn-Bedrock-Input-Token-Count`.
    public static let inputTokenHeader = "X-Amzn-Bedrock-Input-Token-Count"
    /// `X-Amzn-Bedrock-Output-Token-Count`.
    public static let outputTokenHeader = "X-Amzn-Bedrock-Output-Token-Count"
    /// `X-Amzn-Bedrock-Cache-Read-Input-Token-Count`.
    public static let cacheReadTokenHeader = "X-Amzn-Bedrock-Cache-Read-Input-Token-Count"
    /// `X-Amzn-Bedrock-Cache-Write-Input-Token-Count`.
    public static let cacheWriteTokenHeader = "X-Amzn-Bedrock-Cache-Write-Input-Token-Count"

    /// The usage Bedrock's token-count headers report, or nil when neither the input nor the output count is there.
    /// Cache writes count as 5-minute writes (the headers carry no TTL).
    public static func usage(headers: [(name: String, value: String)]) -> Usage? {
        // One pass over the headers; names are compared only when their length matches one of the four.
        var input: Int?, output: Int?, cacheRead: Int?, cacheWrite: Int?
        for header in headers {
            switch header.name.utf8.count {
            case 32 where header.name.equalsCaseInsensitively(inputTokenHeader): input = count(header.value)
            case 33 where header.name.equalsCaseInsensitively(outputTokenHeader): output = count(header.value)
            case 43 where header.name.equalsCaseInsensitively(cacheReadTokenHeader): cacheRead = count(header.value)
            case 44 where header.name.equalsCaseInsensitively(cacheWriteTokenHeader): cacheWrite = count(header.value)
            default: continue
            }
        }
        guard input != nil || output != nil else { return nil }
        return Usage(input: input ?? 0, output: output ?? 0, cacheRead: cacheRead ?? 0, cacheWrite5m: cacheWrite ?? 0)
    }

    /// True when ``usage(operation:headers:body:)`` must see the body: always for Converse; for InvokeModel when
    /// the headers carry no token counts, when they report cache writes (the body splits them by TTL), or when
    /// the model generates images. Streaming operations never (see ``StreamUsageObserver``).
    public static func needsBody(operation: BedrockOperation, headers: [(name: String, value: String)],
                                 modelType: ModelType?) -> Bool {
        needsBody(operation: operation, headerUsage: usage(headers: headers), modelType: modelType)
    }

    /// ``needsBody(operation:headers:modelType:)`` given what ``usage(headers:)`` found, for a caller that keeps it.
    public static func needsBody(operation: BedrockOperation, headerUsage: Usage?, modelType: ModelType?) -> Bool {
        switch operation {
        case .converse, .countTokens, .applyGuardrail, .chatCompletions: return true
        case .invokeModelWithResponseStream, .converseStream, .chatCompletionsStream: return false
        case .invokeModel:
            if modelType == .imageGeneration { return true }
            guard let headerUsage else { return true }
            return headerUsage.cacheWrite5m > 0
        }
    }

    /// The usage of a complete non-streaming answer, or nil when neither headers nor body report any.
    /// `body` may be empty when ``needsBody(operation:headers:modelType:)`` said it is not needed.
    public static func usage(operation: BedrockOperation, headers: [(name: String, value: String)],
                             body: [UInt8]) -> Usage? {
        switch operation {
        case .converse:
            guard let json = try? JSONValue.parse(body) else { return nil }
            return ConverseUsage.usage(inBody: json)
        case .chatCompletions:
            // OpenAI's `usage` object (`prompt_tokens`, `completion_tokens` and their details).
            guard let json = try? JSONValue.parse(body) else { return nil }
            return ModelBodyUsage.usage(in: json)
        case .chatCompletionsStream:
            return nil  // read from the events (``ServerSentEventsUsageObserver``)
        case .countTokens, .applyGuardrail:
            // Counting uses no tokens (the count is kept apart, ``countedTokens(inBody:)``); a guardrail's use is
            // text units (``guardrailTextUnits(inBody:)``), priced by the guardrail's own rate.
            return Usage()
        case .invokeModel, .invokeModelWithResponseStream, .converseStream:
            let fromHeaders = usage(headers: headers)
            guard !body.isEmpty, let json = try? JSONValue.parse(body) else { return fromHeaders }
            let fromBody = ModelBodyUsage.usage(in: json)
            guard var result = fromHeaders else { return fromBody }
            if let fromBody {
                result.images = fromBody.images
                // The headers' cache-write total is authoritative; the body only tells how it splits by TTL.
                if fromBody.cacheWrite == result.cacheWrite5m && fromBody.cacheWrite1h > 0 {
                    result.cacheWrite5m = fromBody.cacheWrite5m
                    result.cacheWrite1h = fromBody.cacheWrite1h
                }
            }
            return result
        }
    }

    /// The usage a Converse answer (or a ConverseStream `metadata` event) reports in its `usage` member, from JSON a
    /// translation has already parsed.
    public static func usage(ofConverse json: JSONValue) -> Usage? {
        ConverseUsage.usage(inBody: json)
    }

    /// The `inputTokens` of a CountTokens answer (`{"inputTokens": N}`), or nil.
    public static func countedTokens(inBody body: [UInt8]) -> Int? {
        guard let json = try? JSONValue.parse(body), let n = json["inputTokens"]?.intValue, n >= 0 else { return nil }
        return n
    }

    /// The text units an ApplyGuardrail answer reports: the sum of its `usage` policy units (free units excluded).
    public static func guardrailTextUnits(inBody body: [UInt8]) -> Int? {
        guard let json = try? JSONValue.parse(body), let usage = json["usage"]?.objectValue else { return nil }
        var units = 0
        for (name, value) in usage where name.hasSuffix("Units") && !name.hasSuffix("FreeUnits") {
            units += max(0, value.intValue ?? 0)
        }
        return units
    }

    /// A header value as a non-negative count, or nil.
    static func count(_ text: String) -> Int? {
        var value = 0, digits = 0, trailingSpace = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: " ") {
                trailingSpace = digits > 0
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, digits < 18, !trailingSpace else { return nil }
            value = value * 10 + Int(digit)
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}
