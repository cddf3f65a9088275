import Dispatch
import IO

/// One client connection: feeds the parser, answers requests one at a time and in order, enforces the timeouts.
///
/// States (`phase`):
/// - `.awaitingHead`: between requests or inside a header section; the idle timer (no bytes yet) or the
///   header timer (some bytes, head incomplete: slow-loris) runs.
/// - `.readingBody`: head complete, body still arriving; the body timer runs, reset by every read.
/// - `.responding`: the responder owns the request; pipelined bytes stay in the parser, reading pauses when
///   they pile up.
/// - `.closed`: terminal.
///
/// Timeouts are deadlines checked by the server's per-loop sweep (``sweep(now:)``), not timer sources: arming one is
/// a clock read, where re-scheduling a Dispatch timer on every request cost a wake-up of Dispatch's manager thread.
final class HTTPServerConnection: @unchecked Sendable, TCPConnectionDelegate {
    private enum Phase { case awaitingHead, readingBody(HTTPRequestHead), responding(HTTPResponseWriter), closed }

    let tcp: TCPConnection
    let server: HTTPServer
    var loop: EventLoop { tcp.loop }
    private var parser: HTTPRequestParser
    private var phase = Phase.awaitingHead
    /// When the running timeout expires (`DispatchTime` uptime nanoseconds); 0 when none runs.
    private var deadline: UInt64 = 0
    private var continuePending = false
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
    }

    func start() {
        tcp.delegate = self
        tcp.start()
        armTimer(server.configuration.headerTimeout, kind: .header)
    }

    /// Whether no request is in progress (safe to close during shutdown).
    var isIdle: Bool {
        if case .awaitingHead = phase { return !parser.isReadingHead }
        return false
    }

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
        if case .readingBody = phase { armTimer(server.configuration.bodyTimeout) }
        process()
    }

    func connectionDidDrain(_ connection: TCPConnection) {
        if case .responding(let writer) = phase { writer.onWritable?() }
    }

    func connectionDidClose(_ connection: TCPConnection) {
        cancelTimer()
        let previous = phase
        phase = .closed
        if case .responding(let writer) = previous { writer.clientClosed() }
        server.connectionClosed(self)
    }

    // MARK: - Requests

    private func process() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while true {
            switch phase {
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
                if case .readingBody = phase, continuePending {
                    continuePending = false
                    tcp.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
                if case .awaitingHead = phase, parser.isReadingHead, timerKind != .header {
                    armTimer(server.configuration.headerTimeout, kind: .header)
                }
                return
            case .head(let head)?:
                if requestStart == 0 { markRequestStart() }
                currentHead = head
                if head.expectsContinue, let answer = server.responder.answerBeforeBody(head) {
                    return refuseBody(head, answer)
                }
                continuePending = head.expectsContinue
                phase = .readingBody(head)
                armTimer(server.configuration.bodyTimeout)
            case .end(let body)?:
                guard case .readingBody(let head) = phase else { preconditionFailure("body without head") }
                dispatch(head: head, body: body)
            }
        }
    }

    private func markRequestStart() {
        requestStart = DispatchTime.now().uptimeNanoseconds
        bytesWrittenAtRequestStart = tcp.bytesWritten
    }

    private func dispatch(head: HTTPRequestHead, body: [UInt8]) {
        cancelTimer()
        let id = server.nextRequestID(loop: loop)
        let writer = HTTPResponseWriter(sink: self, requestID: id, head: head)
        if isShuttingDown { writer.keepAlive = false }
        phase = .responding(writer)
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
        guard case .responding(let current) = phase, current === writer else { return }
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
        if abort {
            tcp.close()
            return
        }
        if !writer.keepAlive || isShuttingDown {
            phase = .closed
            tcp.closeAfterFlush()
            return
        }
        phase = .awaitingHead
        if parser.bufferedByteCount > 0 {
            markRequestStart()
            armTimer(server.configuration.headerTimeout, kind: .header)
        } else {
            armTimer(server.configuration.idleTimeout, kind: .idle)
        }
        tcp.resumeReading()
        if !processing, parser.bufferedByteCount > 0 {
            // Answer pipelined requests already buffered; async so a synchronous responder cannot recurse deeply.
            loop.execute { self.process() }
        }
    }

    /// A request whose body the responder refused before it was sent: answer, never read the body, close.
    private func refuseBody(_ head: HTTPRequestHead, _ answer: HTTPEarlyAnswer) {
        cancelTimer()
        let writer = HTTPResponseWriter(sink: self, requestID: server.nextRequestID(loop: loop), head: head)
        writer.keepAlive = false
        phase = .responding(writer)
        tcp.pauseReading()
        writer.respond(status: answer.status, headers: answer.headers, body: answer.body)
    }

    /// A request the parser rejected: answer with its status in the application's error shape, then close.
    private func fail(_ error: HTTPParserError) {
        cancelTimer()
        let head = currentHead ?? HTTPRequestHead(
            method: "GET", target: "/", version: .http1_1, headers: [:], keepAlive: false, expectsContinue: false
        )
        if requestStart == 0 { markRequestStart() }
        currentHead = head
        let writer = HTTPResponseWriter(sink: self, requestID: server.nextRequestID(loop: loop), head: head)
        writer.keepAlive = false
        phase = .responding(writer)
        tcp.pauseReading()
        writer.respondServerError(status: error.status, reason: error.reason)
    }

    // MARK: - Timers

    private enum TimerKind { case none, idle, header, body }
    private var timerKind = TimerKind.none

    private func armTimer(_ timeout: Duration, kind: TimerKind = .body) {
        timerKind = kind
        deadline = DispatchTime.now().uptimeNanoseconds &+ timeout.nanoseconds
    }

    private func cancelTimer() {
        timerKind = .none
        deadline = 0
    }

    /// Called by the server's sweep on this connection's loop: fires the running timeout if it expired by `now`.
    func sweep(now: UInt64) {
        guard deadline != 0, now >= deadline else { return }
        deadline = 0
        timerFired()
    }

    private func timerFired() {
        switch phase {
        case .awaitingHead, .readingBody:
            // Idle keep-alive expiry, slow-loris header section, or a stalled body: close without a response
            // (nginx does the same; a 408 would race with a client reusing the connection).
            server.noteTimeout(kind: timerKind == .idle ? "idle" : (timerKind == .header ? "header" : "body"))
            tcp.close()
        case .responding, .closed:
            break
        }
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
