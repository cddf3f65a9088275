/// The rules of one HTTP/1.1 server connection, as a value: the phase it is in, which timeout runs and until when,
/// and what each event leads to. ``HTTPServerConnection`` feeds it events with the time and performs the actions;
/// nothing here reads a clock or touches a socket, so the rules are tested as tables.
///
/// Phases: `awaitingHead` (between requests, or inside a header section) → `readingBody` (head complete; a
/// `100 Continue` may be owed, RFC 9110 §10.1.1) → `responding` (the responder owns the request; pipelined bytes wait)
/// → `awaitingHead` again, or `closed`.
///
/// Timeouts: `header` runs from the connection's or the request's first byte until its head is complete (slow
/// loris); `body` runs between two reads of a body; `idle` runs on a kept-alive connection with nothing buffered.
/// None runs while responding. An expired one closes the connection without an answer (as nginx does: a 408 would
/// race a client reusing the connection).
struct HTTPConnectionStateMachine {
    enum Phase: Equatable {
        case awaitingHead
        case readingBody(continuePending: Bool)
        case responding
        case closed
    }

    enum Timeout: Equatable, CustomStringConvertible {
        case idle, header, body
        var description: String {
            switch self {
            case .idle: return "idle"
            case .header: return "header"
            case .body: return "body"
            }
        }
    }

    /// The timeouts in nanoseconds.
    struct Limits {
        var header: UInt64
        var body: UInt64
        var idle: UInt64
    }

    /// What to do once a response is complete.
    enum AfterResponse: Equatable {
        /// Close now (the response was cut short).
        case close
        /// Close once the response is sent (no keep-alive, or the server is draining).
        case closeAfterFlush
        /// Read the next request; `pipelined` when its bytes are already buffered (answer them now).
        case readNext(pipelined: Bool)
    }

    private(set) var phase = Phase.awaitingHead
    /// The running timeout, if any, and when it expires (uptime nanoseconds).
    private(set) var timeout: Timeout?
    private(set) var deadline: UInt64 = 0
    let limits: Limits

    init(limits: Limits) {
        self.limits = limits
    }

    /// The connection was accepted: its first head must arrive within the header timeout.
    mutating func start(now: UInt64) {
        arm(.header, now: now)
    }

    /// Bytes arrived: a body's timeout restarts with every read.
    mutating func bytesArrived(now: UInt64) {
        if case .readingBody = phase { arm(.body, now: now) }
    }

    /// The parser needs more bytes. Returns whether `100 Continue` is to be sent now (once per request, when the
    /// client waits for it before its body). A head that has begun arriving runs the header timeout.
    mutating func needsMoreBytes(insideHead: Bool, now: UInt64) -> Bool {
        switch phase {
        case .readingBody(continuePending: true):
            phase = .readingBody(continuePending: false)
            return true
        case .awaitingHead where insideHead && timeout != .header:
            arm(.header, now: now)
        default:
            break
        }
        return false
    }

    /// A head is complete and its body may come (`expectsContinue`: the client waits for `100 Continue`).
    mutating func headReceived(expectsContinue: Bool, now: UInt64) {
        precondition(phase == .awaitingHead, "a head while \(phase)")
        phase = .readingBody(continuePending: expectsContinue)
        arm(.body, now: now)
    }

    /// The request is handed to the responder (complete, refused before its body, or rejected by the parser).
    mutating func responding() {
        precondition(phase != .closed && phase != .responding, "responding while \(phase)")
        phase = .responding
        cancel()
    }

    /// The response is complete. `keepAlive`: the exchange allows reuse; `draining`: the server is shutting down;
    /// `buffered`: bytes of a next request are already here.
    mutating func responseFinished(aborted: Bool, keepAlive: Bool, draining: Bool, buffered: Bool, now: UInt64) -> AfterResponse {
        precondition(phase == .responding, "a response finished while \(phase)")
        if aborted { return .close }
        if !keepAlive || draining {
            phase = .closed
            return .closeAfterFlush
        }
        phase = .awaitingHead
        arm(buffered ? .header : .idle, now: now)
        return .readNext(pipelined: buffered)
    }

    /// The timeout that expired by `now` and must close the connection, if any. It fires once.
    mutating func expire(now: UInt64) -> Timeout? {
        guard let running = timeout, now >= deadline else { return nil }
        cancel()
        switch phase {
        case .awaitingHead, .readingBody: return running
        case .responding, .closed: return nil
        }
    }

    /// The connection is gone.
    mutating func closed() {
        phase = .closed
        cancel()
    }

    private mutating func arm(_ kind: Timeout, now: UInt64) {
        timeout = kind
        let length: UInt64
        switch kind {
        case .header: length = limits.header
        case .body: length = limits.body
        case .idle: length = limits.idle
        }
        deadline = now &+ length
    }

    private mutating func cancel() {
        timeout = nil
        deadline = 0
    }
}
