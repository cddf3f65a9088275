import AWS
import Support

/// Watches the bytes of a streamed answer as the gateway relays them and works out its usage (for
/// InvokeModelWithResponseStream and ConverseStream; a stream cut short yields a `partial` usage).
///
/// Feed it every relayed chunk with ``observe(_:)-(UnsafeRawBufferPointer)``, split anywhere; it decodes the
/// [eventstream](https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html) frames beside the relay with
/// ``EventStreamDecoder`` and never changes what is relayed. Then read ``usage``:
///
/// - InvokeModelWithResponseStream: each `chunk` payload is `{"bytes":"<base64>"}`; the final usage is Bedrock's
///   `amazon-bedrock-invocationMetrics` (`inputTokenCount`, `outputTokenCount`, `cacheReadInputTokenCount`,
///   `cacheWriteInputTokenCount`), which Bedrock appends to the last chunk. Without it (client gone, upstream
///   failure) the usage is what the chunks reported — Anthropic's `message_start` and `message_delta` usage, or
///   the first and last chunk of the other families — marked ``Usage/partial``.
/// - ConverseStream: the `metadata` event's `usage`
///   ([ConverseStreamMetadataEvent](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamMetadataEvent.html));
///   without it the usage is empty and partial.
///
/// Cheap on the hot path: only frames that can carry usage are parsed (with `JSONValue`); Anthropic's content
/// deltas are recognised by their leading `"type"` and skipped, and chunks of other families are only copied into
/// a reused buffer (the first and the latest), to be parsed once if the stream ends early.
///
/// A value type confined to the request's loop.
public struct StreamUsageObserver: Sendable {
    /// The operation observed (`invokeModelWithResponseStream` or `converseStream`).
    public let operation: BedrockOperation
    /// Frames decoded so far.
    public private(set) var frameCount = 0
    /// The first exception (or error) frame seen, as a Bedrock error.
    public private(set) var exception: BedrockError?
    /// Set when the relayed bytes stopped being a valid eventstream; observation stops there.
    public private(set) var decodeError: EventStreamError?

    var decoder = EventStreamDecoder()
    /// The final usage report, once seen.
    var final: Usage?
    /// Usage reported by Anthropic `message_start`/`message_delta` chunks.
    var chunkUsage = Usage()
    var sawAnthropicUsage = false
    /// Decoded JSON of the first and of the latest chunk of a non-Anthropic stream.
    var firstChunk: [UInt8] = []
    var latestChunk: [UInt8] = []
    var retainedChunks = 0
    /// Reused base64 output.
    var scratch: [UInt8] = []

    /// An observer for one answer of `operation`.
    public init(operation: BedrockOperation) {
        self.operation = operation
    }

    /// True once the final usage report (`amazon-bedrock-invocationMetrics` or `metadata`) has been seen.
    public var isComplete: Bool { final != nil }

    /// Whether the bytes observed so far end exactly at a frame boundary (nothing of a partial frame is pending),
    /// so a whole frame may be appended to the relayed stream without corrupting its framing.
    public var atFrameBoundary: Bool { decodeError == nil && decoder.bufferedByteCount == 0 }

    /// Observes relayed bytes.
    public mutating func observe(_ bytes: UnsafeRawBufferPointer) {
        guard decodeError == nil else { return }
        decoder.append(bytes)
        drain()
    }

    /// Observes relayed bytes.
    public mutating func observe<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard decodeError == nil else { return }
        decoder.append(bytes)
        drain()
    }

    /// The usage so far: the final report when seen (not partial), else what the chunks reported (partial).
    public var usage: Usage {
        if var result = final {
            // invocationMetrics has no TTL; Anthropic's message_start may split the same cache-write total.
            if sawAnthropicUsage, chunkUsage.cacheWrite1h > 0, chunkUsage.cacheWrite == result.cacheWrite,
               result.cacheWrite1h == 0 {
                result.cacheWrite5m = chunkUsage.cacheWrite5m
                result.cacheWrite1h = chunkUsage.cacheWrite1h
            }
            result.partial = false
            return result
        }
        var result = sawAnthropicUsage ? chunkUsage : retainedUsage()
        result.partial = true
        return result
    }

    private mutating func drain() {
        // The decoder is moved out while its frames are read in place (they point into its buffer), so that handling
        // a frame may change the rest of the observer.
        var decoder = EventStreamDecoder()
        swap(&decoder, &self.decoder)
        defer { swap(&decoder, &self.decoder) }
        while true {
            do {
                guard try decoder.nextFrame({ frame in handle(frame) }) else { return }
            } catch {
                decodeError = error
                return
            }
            frameCount += 1
        }
    }

    private mutating func handle(_ frame: EventStreamFrame) {
        if frame.header(":message-type", is: "event") {
            if operation == .converseStream {
                if frame.header(":event-type", is: "metadata"), let json = try? JSONValue.parse(frame.payload),
                   let usage = ConverseUsage.usage(inBody: json) {
                    final = usage
                }
            } else if frame.header(":event-type", is: "chunk") {
                chunk(frame.payload)
            }
        } else if frame.header(":message-type", is: "exception") || frame.header(":message-type", is: "error") {
            if exception == nil, let message = try? frame.message() { exception = Self.error(of: message) }
        }
    }

    /// The error an exception frame (`:exception-type`, `{"message":…}`) or error frame (`:error-code`,
    /// `:error-message`) carries.
    static func error(of message: EventStreamMessage) -> BedrockError {
        if message.messageType == "error" {
            return BedrockError(name: message[header: ":error-code"]?.stringValue ?? "InternalServerException",
                                message: message[header: ":error-message"]?.stringValue)
        }
        let type = message.exceptionType ?? "internalServerException"
        let name = type.prefix(1).uppercased() + type.dropFirst()
        let json = try? JSONValue.parse(message.payload)
        return BedrockError(name: name, message: json?["message"]?.stringValue ?? json?["Message"]?.stringValue)
    }
}
