import IO

/// One complete request as the server hands it to a responder.
public struct HTTPServerRequest: Sendable {
    /// Request line and headers.
    public var head: HTTPRequestHead
    /// The whole body (bounded by the server's body limit).
    public var body: [UInt8]
    /// The id sent back in the server's request-id header.
    public var requestID: String
    /// The peer's address.
    public var remoteAddress: SocketAddress?
    /// The loop this request's connection lives on; responders must touch the writer only there.
    public var loop: EventLoop
    /// Monotonic time the head was complete, in nanoseconds (`DispatchTime.now().uptimeNanoseconds`).
    public var startNanos: UInt64

    public init(head: HTTPRequestHead, body: [UInt8], requestID: String, remoteAddress: SocketAddress? = nil,
                loop: EventLoop, startNanos: UInt64) {
        self.head = head
        self.body = body
        self.requestID = requestID
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.startNanos = startNanos
    }
}

/// The application side of the server: answers requests.
///
/// `respond` is called on the request's loop. It may answer at once or later (from the same loop), streaming as it
/// likes through the writer, but must eventually call `writer.end()` or `writer.abort()`.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter)

    /// Called on the loop when a head with `Expect: 100-continue` is complete, before `100 Continue` is sent: nil
    /// lets the client send its body; an answer is sent instead as the final response (RFC 9110 §10.1.1), without
    /// reading the body, and the connection closes. The default accepts every body.
    func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer?
}

extension HTTPResponder {
    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? { nil }
}

/// A final response sent instead of `100 Continue` (see ``HTTPResponder/answerBeforeBody(_:)``).
public struct HTTPEarlyAnswer: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
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
