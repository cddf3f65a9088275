import IO

/// One complete request as the server hands it to a responder.
public struct HTTPServerRequest: Sendable {
    /// Request line and headers.
    public var head: HTTPRequestHead
    /// The whole body (bounded by the server's body limit).
    public var body: [UInt8]
    /// The id sent back as `x-amzn-RequestId`.
    public var requestID: String
    /// The peer's address.
    public var remoteAddress: SocketAddress?
    /// The loop this request's connection lives on; responders must touch the writer only there.
    public var loop: EventLoop
    /// Monotonic time the head was complete, in nanoseconds (`DispatchTime.now().uptimeNanoseconds`).
    public var startNanos: UInt64
}

/// The application side of the server: answers requests.
///
/// `respond` is called on the request's loop. It may answer at once or later (from the same loop), streaming as it
/// likes through the writer, but must eventually call `writer.end()` or `writer.abort()`.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter)
}

/// What the server records for every finished request (one access-log line).
public struct HTTPAccessRecord: Sendable {
    public var requestID: String
    public var method: String
    public var path: String
    public var status: Int
    public var bytesIn: Int
    public var bytesOut: Int
    public var durationMicros: Int
    public var remoteAddress: String?
}
