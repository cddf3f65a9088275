import Dispatch
import FoundationEssentials
import Glibc
import IO

/// An HTTP/1.1 server on Dispatch: listeners accept, connections are spread over the event loops, and each
/// request is handed to the `HTTPResponder` on its connection's loop.
///
/// Lifecycle: `init` → `start()` → (`shutdown(gracePeriod:)`) → stopped. Shutdown stops accepting, closes idle
/// connections, lets in-flight requests finish until the grace period ends, then closes the rest.
public final class HTTPServer: @unchecked Sendable {
    /// The configuration the server was started with.
    public let configuration: HTTPServerConfiguration
    /// The loops serving connections.
    public let group: EventLoopGroup
    /// The application.
    public let responder: HTTPResponder
    /// Called for every finished request (the access log); runs on the request's loop.
    public let accessLog: (@Sendable (HTTPAccessRecord) -> Void)?
    /// Called for server events worth logging (`timeout`, `connection_limit`); runs on any queue.
    public let eventLog: (@Sendable (String, [String: String]) -> Void)?

    /// ``HTTPServerConfiguration/requestIDHeader`` as bytes, written into every response head.
    let requestIDHeaderBytes: [UInt8]
    private var listeners: [Listener] = []
    private var secureListeners: [Listener] = []
    private let perLoop: [LoopState]
    private let state = Locked(SharedState())

    private struct SharedState {
        var open = 0
        var shuttingDown = false
        var drained: (@Sendable () -> Void)?
    }

    /// State only touched on one loop.
    private final class LoopState: @unchecked Sendable {
        var connections: [ObjectIdentifier: HTTPServerConnection] = [:]
        var dates = HTTPDateCache()
        var requestIDs: RequestIDGenerator
        /// Fires every `sweepInterval` while the loop has connections, expiring their timeouts.
        var sweeper: DispatchSourceTimer?
        init(index: Int) { requestIDs = RequestIDGenerator(loopIndex: index) }
        deinit { sweeper?.cancel() }
    }

    /// How often each loop checks its connections' timeouts: an eighth of the shortest timeout, between 10 ms and
    /// 1 s. A timeout therefore fires up to that much late, plus the timer's leeway of a quarter interval (at most
    /// 1.25 s with the defaults' 10 s header timeout), in exchange for no timer work at all per request.
    let sweepInterval: Duration

    public init(
        configuration: HTTPServerConfiguration,
        group: EventLoopGroup? = nil,
        responder: HTTPResponder,
        accessLog: (@Sendable (HTTPAccessRecord) -> Void)? = nil,
        eventLog: (@Sendable (String, [String: String]) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.requestIDHeaderBytes = Array(configuration.requestIDHeader.utf8)
        self.group = group ?? EventLoopGroup(
            count: configuration.workers > 0 ? configuration.workers : ProcessInfo.processInfo.activeProcessorCount
        )
        self.responder = responder
        self.accessLog = accessLog
        self.eventLog = eventLog
        self.perLoop = self.group.loops.map { LoopState(index: $0.index) }
        let shortest = min(configuration.headerTimeout, configuration.bodyTimeout, configuration.idleTimeout)
        self.sweepInterval = min(max(shortest / 8, .milliseconds(10)), .seconds(1))
    }

    /// The plain-HTTP addresses actually bound (ports filled in when configured as 0).
    public var localAddresses: [SocketAddress] { listeners.map(\.localAddress) }
    /// The HTTPS addresses actually bound, in the order of ``HTTPServerConfiguration/secureAddresses``.
    public var secureLocalAddresses: [SocketAddress] { secureListeners.map(\.localAddress) }

    /// Number of open client connections.
    public var openConnections: Int { state.get().open }

    /// Binds every configured address and starts accepting. Throws if any address cannot be bound.
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        for address in configuration.addresses {
            let listener = try Listener(address: address) { [unowned self] fd, remote in
                self.accepted(fd: fd, remote: remote, security: nil)
            }
            listeners.append(listener)
        }
        for secure in configuration.secureAddresses {
            let security = secure.security
            let listener = try Listener(address: secure.address) { [unowned self] fd, remote in
                self.accepted(fd: fd, remote: remote, security: security)
            }
            secureListeners.append(listener)
        }
        listeners.forEach { $0.start() }
        secureListeners.forEach { $0.start() }
    }

    /// Stops accepting, lets in-flight requests finish for up to `gracePeriod`, then closes what is left and calls
    /// `completion` (on an arbitrary queue).
    public func shutdown(gracePeriod: Duration, completion: @escaping @Sendable () -> Void) {
        listeners.forEach { $0.stop() }
        secureListeners.forEach { $0.stop() }
        let alreadyDrained: Bool = state.withLock { s in
            s.shuttingDown = true
            if s.open == 0 { return true }
            s.drained = completion
            return false
        }
        if alreadyDrained { completion(); return }
        for loop in group.loops {
            let registry = perLoop[loop.index]
            loop.execute {
                for connection in registry.connections.values { connection.beginShutdown() }
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + gracePeriod.dispatchInterval) { [self] in
            for loop in group.loops {
                let registry = perLoop[loop.index]
                loop.execute {
                    for connection in registry.connections.values { connection.forceClose() }
                }
            }
        }
    }

    // MARK: - Connections

    private func accepted(fd: Int32, remote: SocketAddress?, security: (any TransportSecurity)?) {
        let admitted: Bool = state.withLock { s in
            if s.shuttingDown || s.open >= configuration.maxConnections { return false }
            s.open += 1
            return true
        }
        let loop = group.next()
        loop.execute { [self] in
            if !admitted, security != nil {
                // Over the cap a TLS client is closed without spending a handshake on it (no 503 can be read
                // before one).
                eventLog?("connection_limit", ["limit": String(configuration.maxConnections)])
                Glibc.close(fd)
                return
            }
            let layer = security?.makeLayer()
            if security != nil, layer == nil {
                Glibc.close(fd)
                if admitted { connectionGone() }
                return
            }
            let tcp = TCPConnection(
                fd: fd, remoteAddress: remote, loop: loop, layer: layer,
                highWaterMark: configuration.writeHighWaterMark, lowWaterMark: configuration.writeLowWaterMark
            )
            guard admitted else {
                rejectOverCapacity(tcp)
                return
            }
            let connection = HTTPServerConnection(tcp: tcp, server: self)
            let registry = perLoop[loop.index]
            if registry.connections.isEmpty { startSweeping(loop) }
            registry.connections[ObjectIdentifier(connection)] = connection
            connection.start()
        }
    }

    /// Over the connection cap: a 503 in the application's error shape, then close (plain HTTP only; a TLS client
    /// is closed before any session is made for it).
    private func rejectOverCapacity(_ tcp: TCPConnection) {
        tcp.start()
        eventLog?("connection_limit", ["limit": String(configuration.maxConnections)])
        let rendering = configuration.renderError(503, "Too many connections")
        var out = Array("HTTP/1.1 503 Service Unavailable\r\n".utf8)
        for field in rendering.headers.fields { out.append(contentsOf: "\(field.name): \(field.value)\r\n".utf8) }
        out.append(contentsOf: "Connection: close\r\nContent-Length: \(rendering.body.count)\r\n\r\n".utf8)
        out.append(contentsOf: rendering.body)
        tcp.write(out)
        tcp.closeAfterFlush()
    }

    func connectionClosed(_ connection: HTTPServerConnection) {
        let registry = perLoop[connection.loop.index]
        registry.connections[ObjectIdentifier(connection)] = nil
        if registry.connections.isEmpty { registry.sweeper?.schedule(deadline: .distantFuture) }
        connectionGone()
    }

    /// One admitted connection fewer; the last one during shutdown finishes the drain.
    private func connectionGone() {
        let drained: (@Sendable () -> Void)? = state.withLock { s in
            s.open -= 1
            if s.shuttingDown && s.open == 0, let d = s.drained {
                s.drained = nil
                return d
            }
            return nil
        }
        drained?()
    }

    /// Starts (or restarts) the loop's timeout sweep; it stops while the loop has no connection.
    private func startSweeping(_ loop: EventLoop) {
        let registry = perLoop[loop.index]
        let timer: DispatchSourceTimer
        if let existing = registry.sweeper {
            timer = existing
        } else {
            timer = DispatchSource.makeTimerSource(queue: loop.queue)
            timer.setEventHandler { [weak registry] in
                guard let registry else { return }
                let now = DispatchTime.now().uptimeNanoseconds
                for connection in registry.connections.values { connection.sweep(now: now) }
            }
            timer.activate()
            registry.sweeper = timer
        }
        let interval = sweepInterval.dispatchInterval
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: (sweepInterval / 4).dispatchInterval)
    }

    /// Expires every connection's deadline as of `now` (`DispatchTime` uptime nanoseconds) on every loop, and
    /// returns once done: the periodic sweep's work at a chosen instant, so timeout rules can be checked without
    /// waiting for them.
    func sweep(now: UInt64) {
        for loop in group.loops {
            let registry = perLoop[loop.index]
            loop.queue.sync {
                for connection in registry.connections.values { connection.sweep(now: now) }
            }
        }
    }

    // MARK: - Per-loop helpers

    func dateBytes(loop: EventLoop) -> [UInt8] {
        perLoop[loop.index].dates.bytes()
    }

    func nextRequestID(loop: EventLoop) -> String {
        perLoop[loop.index].requestIDs.next()
    }

    func recordAccess(_ record: HTTPAccessRecord) {
        accessLog?(record)
    }

    func noteTimeout(kind: String) {
        eventLog?("timeout", ["kind": kind])
    }
}
