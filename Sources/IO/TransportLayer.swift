/// A byte transform between a ``TCPConnection``'s socket and its delegate: TLS, in practice. The connection keeps
/// doing all socket work (reads, writes, readiness, flow control); the layer only turns bytes from the wire into
/// bytes for the application and back, so it never blocks and never needs its own readiness.
///
/// Confined to the connection's loop, like the connection.
public protocol TransportLayer: AnyObject {
    /// Takes bytes that arrived from the peer. Returns false if the layer cannot accept them (out of memory).
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool

    /// Produces the next application bytes into `buffer`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportRead

    /// Whether bytes received are still held inside the layer (decrypted or not), so a reader that paused must be
    /// given them when it resumes even if the socket has nothing new.
    var hasBufferedInput: Bool { get }

    /// Takes application bytes to send, handing the resulting wire bytes to `output` as they are made (a large
    /// write need not be held whole inside the layer). Returns false if the layer failed (the connection must
    /// close). `output` must copy what it keeps.
    func send(_ bytes: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) -> Void) -> Bool

    /// Hands the bytes the layer wants on the wire (its records, handshake messages, alerts) to `body` and forgets
    /// them. `body` must copy what it keeps: the buffer is only valid during the call.
    func takeOutput(_ body: (UnsafeRawBufferPointer) -> Void)

    /// Starts an orderly close (TLS `close_notify`); its bytes come out of the next ``takeOutput(_:)``.
    func shutdown()
}

/// What ``TransportLayer/read(into:)`` produced.
public enum TransportRead: Equatable, Sendable {
    /// This many application bytes were written into the buffer.
    case bytes(Int)
    /// Nothing more until more bytes arrive from the peer (or the layer has its own bytes to send first).
    case needMore
    /// The peer closed the layer in an orderly way (TLS `close_notify`).
    case closed
    /// The peer broke the protocol (a bad record, a failed handshake, plain HTTP on a TLS port).
    case failed
}

/// Makes the layer for each connection a listener accepts; the listener's security (a TLS certificate).
/// Called on the accepting connection's loop; the layer made is confined to that loop.
public protocol TransportSecurity: Sendable {
    /// A new layer for one connection, or nil when none can be made (the connection is then closed).
    func makeLayer() -> (any TransportLayer)?
}
