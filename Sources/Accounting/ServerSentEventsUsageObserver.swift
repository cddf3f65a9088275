import Support

/// Works out the usage of a streamed OpenAI Chat Completion (Bedrock's `/openai/v1/chat/completions` with
/// `"stream": true`) from the Server-Sent Events the gateway relays, without changing them.
///
/// OpenAI's stream reports usage once, in a chunk with empty `choices` and a `usage` object, sent before
/// `data: [DONE]` when the request asked for it with `stream_options.include_usage`
/// ([chat completion chunk](https://platform.openai.com/docs/api-reference/chat-streaming/streaming)). Other chunks
/// carry `"usage": null` or nothing, and are not parsed: only a `usage` member whose value is an object is. A stream
/// that ends before `[DONE]` yields what was seen, marked ``Usage/partial``.
public struct ServerSentEventsUsageObserver: Sendable {
    private var reader = ServerSentEventReader()
    private var reported: Usage?
    /// True once `data: [DONE]` was seen.
    public private(set) var sawDone = false

    public init() {}

    /// Observes relayed bytes.
    public mutating func observe(_ bytes: UnsafeRawBufferPointer) {
        reader.append(bytes)
        while let event = reader.next() {
            if event.data.elementsEqual("[DONE]".utf8) {
                sawDone = true
            } else if Self.carriesUsage(event.data), let json = try? JSONValue.parse(event.data),
                      case .object(let usage)? = json["usage"], let found = ModelBodyUsage.usageObject(usage) {
                reported = found
            }
        }
    }

    /// The usage reported, partial unless the stream reached `[DONE]` after reporting it.
    public var usage: Usage {
        var result = reported ?? Usage()
        result.partial = !(sawDone && reported != nil)
        return result
    }

    /// Whether `data` has a `"usage"` member whose value is an object (not `null`): a scan, no parse.
    public static func carriesUsage(_ data: [UInt8]) -> Bool {
        let key = Array(#""usage""#.utf8)
        guard data.count > key.count else { return false }
        var i = 0
        while i + key.count <= data.count {
            if data[i] == key[0] && data[i..<(i + key.count)].elementsEqual(key) {
                var j = i + key.count
                while j < data.count, data[j] == 0x20 || data[j] == 0x09 || data[j] == 0x0A || data[j] == 0x0D { j += 1 }
                if j < data.count, data[j] == UInt8(ascii: ":") {
                    j += 1
                    while j < data.count, data[j] == 0x20 || data[j] == 0x09 || data[j] == 0x0A || data[j] == 0x0D { j += 1 }
                    if j < data.count, data[j] == UInt8(ascii: "{") { return true }
                }
            }
            i += 1
        }
        return false
    }
}
