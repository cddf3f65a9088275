import Glibc
import Support

/// InvokeModelWithResponseStream `chunk` handling: base64 `bytes` → model JSON → usage, parsing only what can
/// carry usage.
extension StreamUsageObserver {
    private static let bytesKey = Array(#""bytes":"#.utf8)
    private static let metricsKey = Array(#""amazon-bedrock-invocationMetrics""#.utf8)
    private static let messageStart = Array("message_start".utf8)
    private static let messageDelta = Array("message_delta".utf8)
    private static let contentBlockDelta = Array("content_block_delta".utf8)
    /// Base64 of `{"type":"content_block_delta",`.
    static let contentBlockDeltaBase64 = Array("eyJ0eXBlIjoiY29udGVudF9ibG9ja19kZWx0YSIs".utf8)
    /// Decoded bytes enough for `{"type":"content_block_delta"` with room for spaces.
    private static let sniffLength = 48

    mutating func chunk(_ payload: UnsafeRawBufferPointer) {
        guard let range = ByteScan.stringValue(after: Self.bytesKey, in: payload) else { return }
        let base64 = UnsafeRawBufferPointer(rebasing: payload[range])
        // Most chunks of an Anthropic stream are content deltas, which carry no usage (Bedrock appends its metrics to
        // the last chunk, a message_stop): the type in the first decoded bytes is enough to pass them by.
        // Bedrock writes compact JSON: such a delta's base64 starts with that of `{"type":"content_block_delta",`
        // (30 bytes, 40 characters, no padding), compared without decoding anything. Other spellings are decoded.
        if base64.count > Self.contentBlockDeltaBase64.count,
           Self.contentBlockDeltaBase64.withUnsafeBytes({ memcmp($0.baseAddress!, base64.baseAddress!, $0.count) == 0 }) {
            return
        }
        let delta = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.sniffLength) { start -> Bool in
            let (count, valid) = Base64Decoder.decode(base64, into: start, limit: Self.sniffLength)
            let raw = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: start[0..<count]))
            return valid && (ByteScan.leadingType(in: raw).map { ByteScan.equals(raw, $0, Self.contentBlockDelta) } ?? false)
        }
        if delta { return }
        guard Base64Decoder.decode(base64, into: &scratch) else { return }
        enum Kind { case metrics, anthropicUsage, anthropicOther, other }
        let kind: Kind = scratch.withUnsafeBytes { raw in
            if ByteScan.find(Self.metricsKey, in: raw) != nil { return .metrics }
            guard let type = ByteScan.leadingType(in: raw) else { return .other }
            if ByteScan.equals(raw, type, Self.messageStart) || ByteScan.equals(raw, type, Self.messageDelta) {
                return .anthropicUsage
            }
            return .anthropicOther
        }
        switch kind {
        case .anthropicOther:
            return
        case .anthropicUsage:
            if let json = try? JSONValue.parse(scratch) { mergeAnthropic(json) }
        case .metrics:
            guard let json = try? JSONValue.parse(scratch) else { return }
            if let metrics = ModelBodyUsage.invocationMetrics(json) { final = metrics }
            if json["type"] != nil { mergeAnthropic(json) }
        case .other:
            if retainedChunks == 0 {
                firstChunk = scratch
            } else {
                latestChunk.removeAll(keepingCapacity: true)
                latestChunk.append(contentsOf: scratch)
            }
            retainedChunks += 1
        }
    }

    /// Folds an Anthropic stream event's usage in: `message_start` carries `message.usage` (input, cache, initial
    /// output), `message_delta` carries `usage` whose counts are cumulative; a later figure replaces an earlier.
    private mutating func mergeAnthropic(_ json: JSONValue) {
        let usageValue = json["message"]?["usage"] ?? json["usage"]
        guard case .object(let u)? = usageValue, let reported = ModelBodyUsage.usageObject(u) else { return }
        sawAnthropicUsage = true
        let int = ModelBodyUsage.int
        if int(u["input_tokens"]) != nil { chunkUsage.input = reported.input }
        if int(u["output_tokens"]) != nil { chunkUsage.output = reported.output }
        if int(u["cache_read_input_tokens"]) != nil { chunkUsage.cacheRead = reported.cacheRead }
        if int(u["cache_creation_input_tokens"]) != nil || u["cache_creation"] != nil {
            chunkUsage.cacheWrite5m = reported.cacheWrite5m
            chunkUsage.cacheWrite1h = reported.cacheWrite1h
        }
    }

    /// The usage of the retained first and latest chunks of a non-Anthropic stream: input comes with the first
    /// chunk (Llama) or every chunk (Titan), output counts are cumulative, so the larger of each kind wins.
    func retainedUsage() -> Usage {
        var result = Usage()
        for bytes in [firstChunk, latestChunk] where !bytes.isEmpty {
            guard let json = try? JSONValue.parse(bytes), let usage = ModelBodyUsage.usage(in: json) else { continue }
            for kind in Usage.Kind.allCases { result[kind] = max(result[kind], usage[kind]) }
        }
        return result
    }
}
