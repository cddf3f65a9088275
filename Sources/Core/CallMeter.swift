import Accounting
import AWS
import Catalogue
import Dispatch

/// Measures one runtime call beside the relay: the usage Amazon reported (headers, body or stream frames) and the
/// timings. It only reads the bytes that pass; what the client receives is never changed.
struct CallMeter {
    let operation: BedrockOperation
    let startNanos: UInt64
    private(set) var firstByteNanos: UInt64?
    private var stream: StreamUsageObserver?
    /// Set instead of `stream` for a Chat Completions stream (Server-Sent Events).
    private var events: ServerSentEventsUsageObserver?
    private var headers: [(name: String, value: String)] = []
    /// What the success head's token-count headers said (read once, when the head arrives).
    private var headerUsage: Usage?
    private var body: [UInt8]?
    private var bodyOverflow = false
    /// Bodies kept for usage extraction are bounded (image answers can be large; their count is near the start).
    private static let maxKeptBody = 16 * 1024 * 1024

    /// Whether the meter reads the answer's bytes; false when a translation reads the usage itself.
    private let observes: Bool

    init(operation: BedrockOperation, startNanos: UInt64, observes: Bool = true) {
        self.operation = operation
        self.startNanos = startNanos
        self.observes = observes
        guard observes else { return }
        if operation.isEventStream { stream = StreamUsageObserver(operation: operation) }
        if operation == .chatCompletionsStream { events = ServerSentEventsUsageObserver() }
    }

    /// The success head that is being relayed. A stream's usage comes from its frames, so its headers are not
    /// kept (an open stream holds its meter for minutes).
    mutating func head(_ headers: [(name: String, value: String)], modelType: ModelType?) {
        guard observes, stream == nil && events == nil else { return }
        headerUsage = UsageExtractor.usage(headers: headers)
        let needsBody = UsageExtractor.needsBody(operation: operation, headerUsage: headerUsage, modelType: modelType)
        body = needsBody ? [] : nil
        // The headers are read again only with the body (InvokeModel's cache-write split, an image count).
        self.headers = needsBody ? headers : []
    }

    /// The first byte went to the client.
    mutating func markFirstByte() {
        if firstByteNanos == nil { firstByteNanos = DispatchTime.now().uptimeNanoseconds }
    }

    /// Bytes relayed to the client.
    mutating func relayed(_ bytes: UnsafeRawBufferPointer) {
        if stream != nil {
            stream!.observe(bytes)
        } else if events != nil {
            events!.observe(bytes)
        } else if body != nil {
            if body!.count + bytes.count <= Self.maxKeptBody { body!.append(contentsOf: bytes) } else { bodyOverflow = true }
        }
    }

    /// Whether the relayed stream ends at a frame boundary (false for non-streams).
    var streamAtFrameBoundary: Bool { stream?.atFrameBoundary ?? false }

    /// What the answer reported, marked partial when a stream ended before its final metrics or a body could not be
    /// read whole.
    func usage(complete: Bool) -> Usage {
        if let stream {
            var usage = stream.usage
            if !complete { usage.partial = true }
            return usage
        }
        if let events {
            var usage = events.usage
            if !complete { usage.partial = true }
            return usage
        }
        var usage = (body.flatMap { UsageExtractor.usage(operation: operation, headers: headers, body: $0) })
            ?? headerUsage ?? Usage()
        if !complete || bodyOverflow { usage.partial = true }
        return usage
    }

    /// What a CountTokens answer counted, or nil (another operation, or an unreadable answer).
    var countedTokens: Int? {
        guard operation == .countTokens, let body else { return nil }
        return UsageExtractor.countedTokens(inBody: body)
    }

    /// Milliseconds from the request to now, and to the first byte.
    func timings() -> (latencyMs: Int, ttfbMs: Int?) {
        let now = DispatchTime.now().uptimeNanoseconds
        return (Int((now &- startNanos) / 1_000_000), firstByteNanos.map { Int(($0 &- startNanos) / 1_000_000) })
    }
}
