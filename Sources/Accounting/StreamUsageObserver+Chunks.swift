import Support

/// InvokeModelWithResponseStream `chunk` handling: base64 `bytes` → model JSON → usage, parsing only what can
/// carry usage.
extension StreamUsageObserver {
    private static let bytesKey = Array(#""bytes":"#.utf8)
    private static let metricsKey = Array(#""amazon-bedrock-invocationMetrics""#.utf8)
    private static let messageStart = Array("message_start".utf8)
    private static let messageDelta = Array("message_delta".utf8)

    mutating func chunk(_ payload: [UInt8]) {
        var decoded = false
        payload.withUnsafeBytes { raw in
            guard let range = ByteScan.stringValue(after: Self.bytesKey, in: raw) else { return }
            decoded = Base64Decoder.decode(UnsafeRawBufferPointer(rebasing: raw[range]), into: &scratch)
        }
        guard decoded else { return }
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
