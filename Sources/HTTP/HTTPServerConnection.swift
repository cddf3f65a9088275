import Dispatch
import IO

/// One client connection: feeds the parser, answers requests one at a time and in order, enforces the timeouts.
///
/// The rules — phases, `100 Continue`, which timeout runs — are ``HTTPConnectionStateMachine``'s; this class reads
/// the clock, moves bytes between the socket, the parser and the responder, and performs what the machine decides.
/// While responding, pipelined bytes stay in the parser and reading pauses when they pile up.
///
/// Timeouts are deadlines checked by the server's per-loop sweep (``sweep(now:)``), not timer sources: arming one is
/// a clock read, where re-scheduling a Dispatch timer on every request cost a wake-up of Dispatch's manager thread.
final class HTTPServerConnection: @unchecked Sendable, TCPConnectionDelegate {
    let tcp: TCPConnection
    let server: HTTPServer
    var loop: EventLoop { tcp.loop }
    private var parser: HTTPRequestParser
    private var machine: HTTPConnectionStateMachine
    /// The response being written while the machine is `responding`.
    private var writer: HTTPResponseWriter?
    /// The head whose body is being read.
    private var pendingHead: HTTPRequestHead?
    private var processing = false
    private var requestStart: UInt64 = 0
    private var requestBytesIn = 0
    private var bytesReadAtRequestStart = 0
    private var bytesWrittenAtRequestStart = 0
    private var currentHead: HTTPRequestHead?
    /// Whether the server is draining: answer what is in flight, then close.
    var isShuttingDown = false

    init(tcp: TCPConnection, server: HTTPServer) {
        self.tcp = tcp
        self.server = server
        self.parser = HTTPRequestParser(limits: server.configuration.parserLimits)
        let configuration = server.configuration
        self.machine = HTTPConnectionStateMachine(limits: .init(
            header: configuration.headerTimeout.nanoseconds, body: configuration.bodyTimeout.nanoseconds,
            idle: configuration.idleTimeout.nanoseconds))
    }

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    func start() {
        tcp.delegate = self
        tcp.start()
        machine.start(now: Self.now)
    }

    /// Whether no request is in progress (safe to close during shutdown).
    var isIdle: Bool { machine.phase == .awaitingHead && !parser.isReadingHead }

    /// Starts draining: idle connections close now, busy ones after their response.
    func beginShutdown() {
        isShuttingDown = true
        if isIdle { tcp.close() }
    }

    /// Closes at once, whatever is in flight.
    func forceClose() {
        tcp.close()
    }

    // MARK: - TCPConnectionDelegate

    func connection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer) {
        parser.append(bytes)
        if case .readingBody = machine.phase { machine.bytesArrived(now: Self.now) }
        process()
    }

    func connectionDidDrain(_ connection: TCPConnection) {
        if machine.phase == .responding { writer?.onWritable?() }
    }

    func connectionDidClose(_ connection: TCPConnection) {
        let wasResponding = machine.phase == .responding
        machine.closed()
        let current = writer
        writer = nil
        if wasResponding { current?.clientClosed() }
        server.connectionClosed(self)
    }

    // MARK: - Requests

    private func process() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while true {
            switch machine.phase {
            case .closed:
                return
            case .responding:
                // Pipelined input waits; stop reading once a full header section's worth is buffered.
                if parser.bufferedByteCount > server.configuration.parserLimits.maxHeaderBytes { tcp.pauseReading() }
                return
            case .awaitingHead, .readingBody:
                break
            }
            let event: HTTPRequestParser.Event?
            do {
                event = try parser.next()
            } catch {
                fail(error)
                return
            }
            switch event {
            case nil:
                if machine.needsMoreBytes(insideHead: parser.isReadingHead, now: Self.now) {
                    tcp.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
                return
            case .head(let head)?:
                if requestStart == 0 { markRequestStart() }
                currentHead = head
                if head.expectsContinue, let answer = server.responder.answerBeforeBody(head) {
                    return refuseBody(head, answer)
                }
                pendingHead = head
                machine.headReceived(expectsContinue: head.expectsContinue, now: Self.now)
            case .end(let body)?:
                guard case .readingBody = machine.phase, let head = pendingHead else { preconditionFailure("body without head") }
                pendingHead = nil
                dispatch(head: head, body: body)
            }
        }
    }

    private func markRequestStart() {
        requestStart = Self.now
        bytesWrittenAtRequestStart = tcp.bytesWritten
    }

    private func dispatch(head: HTTPRequestHead, body: [UInt8]) {
        let id = server.nextRequestID(loop: loop)
        let writer = HTTPResponseWriter(sink: self, requestID: id, head: head)
        if isShuttingDown { writer.keepAlive = false }
        respond(with: writer)
        requestBytesIn = tcp.bytesRead - bytesReadAtRequestStart - parser.bufferedByteCount
        let request = HTTPServerRequest(
            head: head, body: body, requestID: id, remoteAddress: tcp.remoteAddress, loop: loop, startNanos: requestStart
        )
        // The access log needs the request line only; the responder owns the headers from here.
        currentHead?.headers = HTTPHeaders()
        server.responder.respond(to: request, writer: writer)
    }

    /// Called by the writer when its response is complete (or aborted).
    func responseFinished(_ writer: HTTPResponseWriter, abort: Bool) {
        guard machine.phase == .responding, self.writer === writer else { return }
        self.writer = nil
        if let head = currentHead, server.accessLog != nil {
            server.recordAccess(HTTPAccessRecord(
                requestID: writer.requestID,
                method: head.method,
                path: String(head.path),
                status: writer.status,
                bytesIn: requestBytesIn,
                bytesOut: tcp.bytesWritten + tcp.pendingOutputBytes - bytesWrittenAtRequestStart,
                durationMicros: Int((DispatchTime.now().uptimeNanoseconds - requestStart) / 1000),
                remoteAddress: tcp.remoteAddress?.description
            ))
        }
        currentHead = nil
        requestStart = 0
        bytesReadAtRequestStart = tcp.bytesRead - parser.bufferedByteCount
        let next = machine.responseFinished(aborted: abort, keepAlive: writer.keepAlive, draining: isShuttingDown,
                                            buffered: parser.bufferedByteCount > 0, now: Self.now)
        switch next {
        case .close:
            tcp.close()
        case .closeAfterFlush:
            tcp.closeAfterFlush()
        case .readNext(let pipelined):
            if pipelined { markRequestStart() }
            tcp.resumeReading()
            if !processing, pipelined {
                // Answer pipelined requests already buffered; async so a synchronous responder cannot recurse deeply.
                loop.execute { self.process() }
            }
        }
    }

    /// Hands the request's answer to `writer`: the machine stops its timeouts while the responder works.
    private func respond(with writer: HTTPResponseWriter) {
        machine.responding()
        self.writer = writer
    }

    /// A request whose body the responder refused before it was sent: answer, never read the body, close.
    private func refuseBody(_ head: HTTPRequestHead, _ answer: HTTPEarlyAnswer) {
        let writer = HTTPResponseWriter(sink: self, requestID: server.nextRequestID(loop: loop), head: head)
        writer.keepAlive = false
        respond(with: writer)
        tcp.pauseReading()
        writer.respond(status: answer.status, headers: answer.headers, body: answer.body)
    }

    /// A request the parser rejected: answer with its status in the application's error shape, then close.
    private func fail(_ error: HTTPParserError) {
        let head = currentHead ?? HTTPRequestHead(
            method: "GET", target: "/", version: .http1_1, headers: [:], keepAlive: false, expectsContinue: false
        )
        if requestStart == 0 { markRequestStart() }
        currentHead = head
        let writer = HTTPResponseWriter(sink: self, requestID: server.nextRequestID(loop: loop), head: head)
        writer.keepAlive = false
        respond(with: writer)
        tcp.pauseReading()
        writer.respondServerError(status: error.status, reason: error.reason)
    }

    // MARK: - Timeouts

    /// Called by the server's sweep on this connection's loop: closes the connection if its running timeout expired
    /// by `now`.
    func sweep(now: UInt64) {
        guard let expired = machine.expire(now: now) else { return }
        server.noteTimeout(kind: expired.description)
        tcp.close()
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to what `UInt64` deadlines can hold.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? UInt64.max / 2 : min(whole &+ UInt64(attoseconds / 1_000_000_000), UInt64.max / 2)
    }

    /// The duration as a Dispatch interval (nanosecond precision).
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}

extension HTTPServerConnection: ResponseSink {
    var isWritable: Bool { tcp.isWritable }
    var pendingOutputBytes: Int { tcp.pendingOutputBytes }
    var isClosed: Bool { tcp.isClosed }
    var requestIDHeader: String { server.configuration.requestIDHeader }
    var requestIDHeaderBytes: [UInt8] { server.requestIDHeaderBytes }
    func dateBytes() -> [UInt8] { server.dateBytes(loop: loop) }
    func renderError(status: Int, reason: String) -> HTTPErrorRendering { server.configuration.renderError(status, reason) }
    func write(_ bytes: UnsafeRawBufferPointer) { tcp.write(bytes) }
}
