import IO

/// Where an ``HTTPResponseWriter`` sends a response and what it needs to know to write one: the server connection
/// in production (``HTTPServerConnection``), an in-memory sink in tests, so a responder can be called directly with
/// no socket in between. Confined to ``loop``.
public protocol ResponseSink: AnyObject {
    /// The loop the response is written on.
    var loop: EventLoop { get }
    /// Whether the client can take more output now (below the high-water mark).
    var isWritable: Bool { get }
    /// Bytes queued for the client but not yet taken.
    var pendingOutputBytes: Int { get }
    /// Whether the client is gone.
    var isClosed: Bool { get }
    /// Whether the server is shutting down: responses then end with `Connection: close`.
    var isShuttingDown: Bool { get }
    /// The response header that carries the request id (``HTTPServerConfiguration/requestIDHeader``), and its bytes.
    var requestIDHeader: String { get }
    var requestIDHeaderBytes: [UInt8] { get }
    /// The `Date` header's value for now (RFC 9110 §6.6.1).
    func dateBytes() -> [UInt8]
    /// How the application words an error the server answers itself (``HTTPServerConfiguration/renderError``).
    func renderError(status: Int, reason: String) -> HTTPErrorRendering
    /// Sends response bytes; the buffer is only valid during the call.
    func write(_ bytes: UnsafeRawBufferPointer)
    /// The response is complete (or, with `abort`, cut short and the connection must close).
    func responseFinished(_ writer: HTTPResponseWriter, abort: Bool)
}

extension ResponseSink {
    /// Sends response bytes.
    func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }
}
