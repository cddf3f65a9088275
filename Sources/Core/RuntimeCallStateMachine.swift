import AWS
import Accounting
import Upstream

/// The rules of one runtime call as a value: which candidate to try, when to retry, back off or fail over, what the
/// client sees, and that the call is recorded exactly once. It takes events and returns what to do; `RuntimeCall`
/// performs that (sockets, timers, the writer, the ledger), so the rules are testable without any of them.
///
/// Phases (the held success head and the collected error body live in their cases):
/// - `.idle` → ``start()`` → `.awaitingHead`
/// - `.awaitingHead` → a head < 400 → `.relaying(heldHead:)`; ≥ 400 → `.collectingError`; a transport failure →
///   retry, fail over, or answer an error
/// - `.relaying(heldHead: head)`: a success head is held until its first body byte, so an upstream that fails before
///   sending any can still be replaced (failover happens only while nothing reached the client); the first byte
///   flushes it (`heldHead: nil`)
/// - `.collectingError(head, body)` → at the end: retry, fail over, or pass the error on
/// - `.backingOff` → ``backoffElapsed()`` → the next attempt
/// - `.done`: terminal; the record is written on the way in, once
///
/// Retryable: transport failures and 408, 424, 429, 5xx (``BedrockError/isRetryable``), up to
/// ``RetryPolicy/attemptsPerModel`` per model with full-jitter backoff (`Retry-After` honoured up to the cap, beyond
/// it the next model is tried at once), then the next candidate.
struct RuntimeCallStateMachine<Models: RandomAccessCollection> where Models.Element == String, Models.Index == Int {
    enum Phase {
        case idle
        case awaitingHead
        case relaying(heldHead: UpstreamResponseHead?)
        case collectingError(UpstreamResponseHead, body: [UInt8])
        case backingOff
        case done
    }

    /// What to do after an attempt failed retryably.
    struct Retry: Equatable {
        /// The candidate to try next.
        var candidate: Int
        /// Wait this long first (0: at once).
        var delayMs: Int
        /// Set when the next candidate is another model: (from, to) model ids.
        var failover: (from: String, to: String)?
        /// The failure that caused it.
        var error: BedrockError

        static func == (a: Retry, b: Retry) -> Bool {
            a.candidate == b.candidate && a.delayMs == b.delayMs && a.failover?.from == b.failover?.from
                && a.failover?.to == b.failover?.to && a.error.name == b.error.name && a.error.status == b.error.status
        }
    }

    /// How an attempt's end is handled.
    enum Finish {
        /// Try again (see ``Retry``).
        case retry(Retry)
        /// Answer this error (recorded with its status, no model answered).
        case respond(BedrockError)
        /// Pass the upstream's error answer on as it came (recorded with its status).
        case passOn(UpstreamResponseHead, body: [UInt8])
        /// The relayed answer ended: write the held head first if there is one, then end the response (or, with an
        /// error, end it as honestly as the framing allows). Recorded as answered with `status`.
        case completeRelay(heldHead: UpstreamResponseHead?, error: UpstreamError?)
        /// Nothing to do (the call already ended).
        case none
    }

    /// What to do with body bytes from the upstream.
    enum Body: Equatable {
        /// Write the held head together with these bytes (the first of the answer).
        case writeHeadAndBody
        /// Write them.
        case write
        /// The client cannot take more: pause the transfer (the bytes are offered again).
        case pause
        /// Kept (error body) or dropped (the call ended).
        case consumed
    }

    /// Error answers are cut to this size (Bedrock's are a few hundred bytes).
    static var maxErrorBody: Int { 64 * 1024 }

    private(set) var phase = Phase.idle
    /// The model ids of the candidates, in order: the requested model, then its failover chain. Generic so the call
    /// can pass a view of its own candidate list instead of allocating a copy per request.
    let candidates: Models
    let policy: RetryPolicy
    /// The random source of the backoff jitter (injected so tests are exact).
    let random: (ClosedRange<Int>) -> Int
    /// Index into `candidates` of the model being tried.
    private(set) var candidate = 0
    private(set) var triesOnCandidate = 0
    /// Every attempt that ended, in order (the ledger's `attempts`).
    private(set) var attempts: [UsageRecord.Attempt] = []
    /// Whether the record was written (it is, once, on every path).
    private(set) var recorded = false

    init(candidates: Models, policy: RetryPolicy, random: @escaping (ClosedRange<Int>) -> Int = { Int.random(in: $0) }) {
        precondition(!candidates.isEmpty, "a runtime call needs a candidate")
        self.candidates = candidates
        self.policy = policy
        self.random = random
    }

    /// The status of the success head being relayed (0 before one arrived).
    private(set) var answerStatus = 0

    /// Whether the answer is being relayed (a success head arrived), for the routing headers and the record.
    var isAnswering: Bool {
        if case .relaying = phase { return true }
        return false
    }

    // MARK: Events

    /// The call begins: the first attempt goes to the first candidate.
    mutating func start() -> Int {
        guard case .idle = phase else { preconditionFailure("start() in phase \(phase)") }
        return beginAttempt()
    }

    /// The attempt could not be made (its request could not be built, e.g. missing credentials): answer the error.
    mutating func attemptNotMade(_ error: BedrockError) -> BedrockError {
        finish(recorded: true)
        return error
    }

    /// The next attempt after a backoff, or nil when the call ended meanwhile.
    mutating func backoffElapsed() -> Int? {
        guard case .backingOff = phase else { return nil }
        return beginAttempt()
    }

    /// The upstream's final head.
    mutating func upstreamHead(_ head: UpstreamResponseHead) {
        guard case .awaitingHead = phase else { return }
        if head.status >= 400 {
            phase = .collectingError(head, body: [])
        } else {
            answerStatus = head.status
            phase = .relaying(heldHead: head)
        }
    }

    /// Upstream body bytes; `clientWritable` says whether the client's connection takes more now.
    mutating func upstreamBody(_ bytes: UnsafeRawBufferPointer, clientWritable: Bool) -> Body {
        switch phase {
        case .relaying(heldHead: .some):
            phase = .relaying(heldHead: nil)
            return .writeHeadAndBody
        case .relaying(heldHead: nil):
            return clientWritable ? .write : .pause
        case .collectingError(let head, var body):
            phase = .done  // drops the phase's reference, so appending does not copy the collected bytes
            let room = Self.maxErrorBody - body.count
            if room > 0 { body.append(contentsOf: bytes.prefix(room)) }
            phase = .collectingError(head, body: body)
            return .consumed
        default:
            return .consumed
        }
    }

    /// The attempt ended: cleanly (`error` nil) or with a transport failure.
    mutating func upstreamFinished(error: UpstreamError?) -> Finish {
        switch phase {
        case .relaying(let held):
            if let error, held != nil {
                // Failed before a single byte reached the client: still replaceable.
                return failed(RuntimeCall.clientError(for: error), retryAfter: nil)
            }
            attempts.append(UsageRecord.Attempt(model: candidates[candidate], status: answerStatus,
                                                outcome: error.map { "relay_failed:\($0.name)" } ?? "ok"))
            finish(recorded: true)
            return .completeRelay(heldHead: held, error: error)
        case .collectingError(let head, let body):
            let error = BedrockError(status: head.status, errorType: head.value(of: "x-amzn-ErrorType"), body: body)
            let finish = failed(error, retryAfter: head.value(of: "Retry-After").flatMap { Int($0) })
            if case .respond = finish { return .passOn(head, body: body) }
            return finish
        case .awaitingHead:
            return failed(RuntimeCall.clientError(for: error ?? .protocolError), retryAfter: nil)
        case .idle, .backingOff, .done:
            return .none
        }
    }

    /// The client left. Returns whether a model had begun answering (for the record), or nil when the call had
    /// already ended (it was recorded then).
    mutating func clientClosed() -> Bool? {
        if case .done = phase { return nil }
        let answered = isAnswering
        finish(recorded: true)
        return answered
    }

    // MARK: Rules

    private mutating func beginAttempt() -> Int {
        triesOnCandidate += 1
        phase = .awaitingHead
        return candidate
    }

    /// An attempt failed with `error`: retry the model after a backoff, fail over to the next candidate, or give up
    /// (then the error is answered).
    private mutating func failed(_ error: BedrockError, retryAfter: Int?) -> Finish {
        let model = candidates[candidate]
        attempts.append(UsageRecord.Attempt(model: model, status: error.status, outcome: error.name))
        guard error.isRetryable else {
            finish(recorded: true)
            return .respond(error)
        }
        var delay: Int?
        if triesOnCandidate < policy.attemptsPerModel {
            delay = policy.delayMs(beforeRetry: triesOnCandidate, retryAfterSeconds: retryAfter, random: random)
        }
        var failover: (from: String, to: String)?
        if delay == nil {
            guard candidate + 1 < candidates.count else {
                finish(recorded: true)
                return .respond(error)
            }
            candidate += 1
            triesOnCandidate = 0
            failover = (model, candidates[candidate])
        }
        phase = .backingOff
        return .retry(Retry(candidate: candidate, delayMs: delay ?? 0, failover: failover, error: error))
    }

    private mutating func finish(recorded: Bool) {
        precondition(!self.recorded, "a runtime call recorded twice (phase \(phase))")
        phase = .done
        self.recorded = recorded
    }
}
