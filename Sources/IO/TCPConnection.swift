#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `TCPConnection` tells its owner. Every call arrives on the connection's loop.
public protocol TCPConnectionDelegate: AnyObject {
    /// Bytes arrived. The buffer is only valid during the call.
    func connection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer)
    /// Queued output fell to the low-water mark after having been above the high-water mark.
    func connectionDidDrain(_ connection: TCPConnection)
    /// The connection is closed: by the peer (EOF or reset), by an error, or by `close()`. Called once.
    func connectionDidClose(_ connection: TCPConnection)
}

/// A non-blocking TCP socket on its loop's ``EventPoller``, confined to that loop.
///
/// Output that the kernel does not take at once is queued; `isWritable` turns false above the high-water mark so
/// producers can stop (a slow reader must not make the server buffer without bound) and the delegate hears
/// `connectionDidDrain` once the queue is back down to the low-water mark.
///
/// The socket is registered once, for reading (and the peer's half-close); interest in writability is added only
/// while output waits, and reading is taken out of the interest while paused, so the level-triggered poller never
/// reports what nobody wants. Each readiness event reads one buffer: what is left is reported again next turn,
/// after the loop's other sockets had theirs.
///
/// With a ``TransportLayer`` (TLS), the socket carries the layer's bytes: what is read goes into the layer and the
/// delegate hears what comes out of it; what the delegate writes goes into the layer and the layer's output is
/// queued like any other. Flow control counts the bytes on the wire.
///
/// Lifecycle (``Lifecycle``): `.created` → `start()` → `.open` → (`closeAfterFlush()` with output queued →
/// `.closingAfterFlush`) → `.closed` on `close()`, EOF, an error or a hang-up, from any state. The registration is
/// removed before the descriptor is closed, so a descriptor number reused by the next socket never inherits it.
/// Reading paused and output above the high-water mark are flow control, orthogonal to the lifecycle.
public final class TCPConnection: @unchecked Sendable, PollerClient {
    /// The loop that owns this connection.
    public let loop: EventLoop
    /// The peer's address, when known.
    public let remoteAddress: SocketAddress?
    /// The owner; held weakly so the owner decides the lifetime.
    public weak var delegate: TCPConnectionDelegate?

    /// Where the connection is in its life.
    private enum Lifecycle {
        /// Made, not registered yet.
        case created
        /// Registered with the poller; reading and writing.
        case open
        /// Closes once the queued output is sent.
        case closingAfterFlush
        /// Unregistered and closed; every call is a no-op.
        case closed
    }

    private let fd: Int32
    private let layer: (any TransportLayer)?
    private var lifecycle = Lifecycle.created
    private var registration: EventPoller.Registration?
    private var interest: EventPoller.Events = []
    private var readPaused = false
    private var output = OutputQueue()
    private var aboveHighWater = false
    private let highWaterMark: Int
    private let lowWaterMark: Int
    /// Whether the connection is closed.
    public var isClosed: Bool {
        if case .closed = lifecycle { return true }
        return false
    }
    /// Bytes received so far.
    public private(set) var bytesRead = 0
    /// Bytes handed to the kernel so far.
    public private(set) var bytesWritten = 0

    /// Wraps an accepted, non-blocking socket, speaking through `layer` when given. Call `start()` on the loop to
    /// begin reading.
    public init(
        fd: Int32, remoteAddress: SocketAddress?, loop: EventLoop, layer: (any TransportLayer)? = nil,
        highWaterMark: Int = 256 * 1024, lowWaterMark: Int = 64 * 1024
    ) {
        self.fd = fd
        self.layer = layer
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.highWaterMark = highWaterMark
        self.lowWaterMark = min(lowWaterMark, highWaterMark)
    }

    /// Registers the socket with the loop's poller. The poller holds the connection until it is closed.
    public func start() {
        loop.assertOnLoop()
        guard case .created = lifecycle else { return }
        lifecycle = .open
        interest = wantedInterest
        registration = loop.poller.register(fd, interest: interest, client: self)
        if registration == nil { close() }
    }

    /// Whether the output queue is below the high-water mark.
    public var isWritable: Bool { !aboveHighWater }
    /// Bytes queued but not yet taken by the kernel.
    public var pendingOutputBytes: Int { output.byteCount }

    /// Stops delivering reads until `resumeReading()`.
    public func pauseReading() {
        loop.assertOnLoop()
        guard !isClosed, !readPaused else { return }
        readPaused = true
        updateInterest()
    }

    /// Resumes delivering reads.
    public func resumeReading() {
        loop.assertOnLoop()
        guard !isClosed, readPaused else { return }
        readPaused = false
        updateInterest()
        // Input the layer already took from the socket will not be reported by the poller again.
        if let layer, layer.hasBufferedInput {
            loop.execute { [self] in
                guard !isClosed, !readPaused, let layer = self.layer else { return }
                deliver(from: layer)
            }
        }
    }

    /// Queues `bytes` for sending, writing as much as the kernel takes right away.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        loop.assertOnLoop()
        guard !isClosed, bytes.count > 0 else { return }
        if let layer {
            guard layer.send(bytes, output: { writeToSocket($0) }) else { close(); return }
        } else {
            writeToSocket(bytes)
        }
    }

    private func writeToSocket(_ bytes: UnsafeRawBufferPointer) {
        guard !isClosed, bytes.count > 0 else { return }
        if output.isEmpty {
            let written = sendNow(bytes)
            guard !isClosed else { return }
            if written == bytes.count { return }
            output.append(UnsafeRawBufferPointer(rebasing: bytes[written...]))
        } else {
            output.append(bytes)
        }
        noteQueued()
    }

    /// Queues `bytes` for sending.
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Closes the connection now, dropping unsent output. The delegate hears `connectionDidClose` once.
    public func close() {
        loop.assertOnLoop()
        guard !isClosed else { return }
        lifecycle = .closed
        output.removeAll()
        if let registration {
            self.registration = nil
            loop.poller.unregister(registration)
        }
        Glibc.close(fd)
        delegate?.connectionDidClose(self)
    }

    /// Closes once all queued output has been sent (or at once if nothing is queued).
    public func closeAfterFlush() {
        loop.assertOnLoop()
        guard case .open = lifecycle else { return }
        if let layer {
            layer.shutdown()
            sendLayerOutput(layer)
            guard !isClosed else { return }
        }
        if output.isEmpty { close() } else { lifecycle = .closingAfterFlush }
    }

    // MARK: - Readiness

    public func pollerReady(_ events: EventPoller.Events) {
        guard !isClosed else { return }
        if events.contains(.writable) { flush() }
        guard !isClosed else { return }
        if !readPaused, !events.isDisjoint(with: [.readable, .readHangUp, .hangUp, .error]) {
            readable()
        } else if !events.isDisjoint(with: [.hangUp, .error]) {
            // Gone both ways (or failed) while reading is paused: nothing queued can be delivered any more.
            close()
        }
    }

    /// What the poller should report: reads unless paused, writability while output waits.
    private var wantedInterest: EventPoller.Events {
        var wanted: EventPoller.Events = readPaused ? [] : [.readable, .readHangUp]
        if !output.isEmpty { wanted.insert(.writable) }
        return wanted
    }

    private func updateInterest() {
        let wanted = wantedInterest
        guard wanted != interest, let registration else { return }
        interest = wanted
        if !loop.poller.modify(registration, interest: wanted) { close() }
    }

    private func readable() {
        let buffer = loop.readBuffer
        let result: IOResult<Int>
        do {
            result = try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
        } catch {
            close()
            return
        }
        switch result {
        case .wouldBlock:
            return
        case .processed(0):
            close()
        case .processed(let n):
            bytesRead += n
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<n])
            if let layer {
                guard layer.receive(bytes) else { close(); return }
                deliver(from: layer)
            } else {
                delegate?.connection(self, didRead: bytes)
            }
        }
    }

    /// Hands the delegate what the layer can produce until it needs more input or reading pauses, then sends what
    /// the layer wants to send (handshake messages, tickets, alerts). The socket's bytes were copied into the layer,
    /// so the loop's read buffer is free to carry the output.
    private func deliver(from layer: any TransportLayer) {
        let buffer = loop.readBuffer
        while !isClosed, !readPaused {
            switch layer.read(into: buffer) {
            case .bytes(let n):
                delegate?.connection(self, didRead: UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            case .needMore:
                sendLayerOutput(layer)
                return
            case .closed, .failed:
                // An alert the layer queued (for a failed handshake) is sent on a best-effort basis before closing.
                sendLayerOutput(layer)
                close()
                return
            }
        }
        if !isClosed { sendLayerOutput(layer) }
    }

    private func sendLayerOutput(_ layer: any TransportLayer) {
        layer.takeOutput { writeToSocket($0) }
    }

    /// Writes as much of `bytes` as the kernel takes; returns the count. Closes on a hard error.
    private func sendNow(_ bytes: UnsafeRawBufferPointer) -> Int {
        do {
            switch try syscall("send", { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }) {
            case .processed(let n):
                bytesWritten += n
                return n
            case .wouldBlock:
                return 0
            }
        } catch {
            close()
            return 0
        }
    }

    private func flush() {
        while let chunk = output.first {
            let n = chunk.withUnsafeBytes { sendNow($0) }
            if isClosed { return }
            if n == 0 { break }
            output.consume(n)
        }
        if output.isEmpty {
            if case .closingAfterFlush = lifecycle { close(); return }
            updateInterest()
        }
        if aboveHighWater && output.byteCount <= lowWaterMark {
            aboveHighWater = false
            delegate?.connectionDidDrain(self)
        }
    }

    private func noteQueued() {
        updateInterest()
        if output.byteCount > highWaterMark { aboveHighWater = true }
    }
}
