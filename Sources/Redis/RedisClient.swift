import Dispatch
import IO
import Support
import TLS

/// One connection to Redis on a Tollgate event loop: no thread of its own, no blocking call on the loop.
///
/// Commands are pipelined: everything sent in one loop turn leaves in one write, and replies are matched to their
/// callers in order (RESP replies arrive in request order). On every (re)connection the client logs in (`AUTH`,
/// with the ACL user when one is configured), selects the database and names itself, and only then reports ready;
/// until then, and while Redis is down, ``send(_:completion:)`` fails at once with ``RedisError/unavailable`` — a
/// caller never waits on Redis. A lost connection fails the replies still owed (``RedisError/connectionLost``) and is
/// retried with exponential backoff and jitter. With `rediss://` it speaks TLS (OpenSSL over memory buffers, on the
/// same loop), verifying the server's certificate and name.
///
/// A *subscriber* client (``init(configuration:loop:logger:subscriber:)`` with `subscriber: true`) hands every reply
/// after the login to ``onPush``: Pub/Sub messages arrive as `["message", channel, payload]` arrays
/// ([Pub/Sub](https://redis.io/docs/latest/develop/interact/pubsub/)). It subscribes again on each reconnection,
/// in ``onReady``.
///
/// Confined to `loop`, except ``sendAndWait(_:)``, which is for callers off the loops.
public final class RedisClient: TCPConnectionDelegate, @unchecked Sendable {
    public let loop: EventLoop
    public let configuration: RedisConfiguration
    let logger: Logger
    private let subscriber: Bool
    let label: String

    enum State {
        case idle
        case connecting
        /// Logged in: commands may be sent.
        case ready
        /// Waiting before the next attempt.
        case backingOff
        case stopped
    }

    var state = State.idle
    var connection: TCPConnection?
    var parser = RESPParser()
    /// Callbacks owed a reply, oldest first (the login's own replies included).
    var owed: [(Result<RESPValue, RedisError>) -> Void] = []
    var owedHead = 0
    var output: [UInt8] = []
    private var flushScheduled = false
    var failures = 0
    /// Thread-safe view of the state for health reports.
    let readyFlag = Locked(false)
    /// The TLS client context (`rediss://`), made on the first connection, and the current connection's session.
    var tlsContext: TLSContext?
    var layer: TLSSession?
    /// When a reply last arrived, or the first of the replies now owed was asked for (uptime nanoseconds).
    private var lastProgress: UInt64 = 0
    private var watchdog: DispatchSourceTimer?

    /// Runs on the loop each time the client is connected and logged in.
    public var onReady: (() -> Void)?
    /// Runs on the loop each time an established connection is lost (not for failed attempts).
    public var onDown: ((RedisError) -> Void)?
    /// A subscriber's replies after the login (subscription confirmations and messages).
    public var onPush: ((RESPValue) -> Void)?

    public init(configuration: RedisConfiguration, loop: EventLoop, logger: Logger, subscriber: Bool = false) {
        self.configuration = configuration
        self.loop = loop
        self.logger = logger
        self.subscriber = subscriber
        self.label = subscriber ? "subscriber" : "commands"
    }

    /// Whether the client is connected and logged in (any thread).
    public var isReady: Bool { readyFlag.get() }

    /// Starts connecting (and reconnecting, until ``stop()``).
    public func start() {
        loop.execute { [self] in
            guard case .idle = state else { return }
            watchdog = loop.repeating(everyMs: 500, leewayMs: 100) { [weak self] in self?.checkProgress() }
            connect()
        }
    }

    /// Closes the connection and stops reconnecting; replies still owed fail with ``RedisError/connectionLost``.
    public func stop() {
        loop.execute { [self] in
            state = .stopped
            watchdog?.cancel()
            watchdog = nil
            readyFlag.set(false)
            connection?.close()
            connection = nil
            failOwed(.connectionLost)
        }
    }

    /// Sends `command`; `completion` runs on the loop with the reply (an error reply is ``RedisError/server(_:)``).
    /// Call on the loop.
    public func send(_ command: RedisCommand, completion: @escaping (Result<RESPValue, RedisError>) -> Void) {
        loop.assertOnLoop()
        guard case .ready = state else { return completion(.failure(.unavailable)) }
        enqueue(command, completion)
    }

    /// A subscriber's `SUBSCRIBE`: its confirmations and then the channels' messages come to ``onPush``. Call on the
    /// loop, from ``onReady`` (subscriptions do not survive a reconnection).
    public func subscribe(_ channels: [String]) {
        loop.assertOnLoop()
        guard subscriber, case .ready = state else { return }
        RedisCommand(["SUBSCRIBE"] + channels).encode(into: &output)
        if !flushScheduled {
            flushScheduled = true
            loop.execute { [weak self] in self?.flush() }
        }
    }

    /// Sends `command` from off the loops and waits for the reply, at most ``RedisConfiguration/commandTimeoutMs``.
    /// Must not be called on an event loop (it would wait for itself).
    public func sendAndWait(_ command: RedisCommand) -> Result<RESPValue, RedisError> {
        let done = DispatchSemaphore(value: 0)
        let outcome = Locked<Result<RESPValue, RedisError>>(.failure(.timeout))
        loop.execute { [self] in
            send(command) { result in
                outcome.set(result)
                done.signal()
            }
        }
        guard done.wait(timeout: .now() + .milliseconds(configuration.commandTimeoutMs)) == .success else { return .failure(.timeout) }
        return outcome.get()
    }

    // MARK: - Pipelining

    func enqueue(_ command: RedisCommand, _ completion: @escaping (Result<RESPValue, RedisError>) -> Void) {
        if owedHead == owed.count { lastProgress = DispatchTime.now().uptimeNanoseconds }
        command.encode(into: &output)
        owed.append(completion)
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.execute { [weak self] in self?.flush() }
    }

    private func flush() {
        flushScheduled = false
        guard !output.isEmpty else { return }
        connection?.write(output)
        output.removeAll(keepingCapacity: true)
    }

    private func failOwed(_ error: RedisError) {
        let callbacks = owed[owedHead...]
        owed = []
        owedHead = 0
        output.removeAll()
        for callback in callbacks { callback(.failure(error)) }
    }

    // MARK: - TCPConnectionDelegate

    public func connection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer) {
        parser.append(bytes)
        while true {
            let reply: RESPValue?
            do { reply = try parser.next() } catch {
                logger.error("redis_protocol_error", ["error": .string(error.description)])
                return connection.close()
            }
            guard let reply else { return }
            deliver(reply)
            // A callback may have closed the connection (a failed login).
            if self.connection !== connection { return }
        }
    }

    private func deliver(_ reply: RESPValue) {
        lastProgress = DispatchTime.now().uptimeNanoseconds
        guard owedHead < owed.count else {
            if subscriber, case .ready = state { onPush?(reply) }
            return
        }
        let callback = owed[owedHead]
        owedHead += 1
        if owedHead == owed.count {
            owed.removeAll(keepingCapacity: true)
            owedHead = 0
        }
        if case .error(let message) = reply { callback(.failure(.server(message))) } else { callback(.success(reply)) }
    }

    public func connectionDidDrain(_ connection: TCPConnection) {}

    public func connectionDidClose(_ connection: TCPConnection) {
        guard self.connection === connection else { return }
        self.connection = nil
        let wasReady: Bool
        if case .ready = state { wasReady = true } else { wasReady = false }
        let stopped: Bool
        if case .stopped = state { stopped = true } else { stopped = false }
        // Out of `.ready` before the owed callbacks run: one that sends again (a read retried) fails at once instead
        // of queueing behind a connection that is gone.
        if !stopped { state = .connecting }
        readyFlag.set(false)
        let reason = layer?.failure.map { "TLS: \($0)" } ?? "connection closed"
        layer = nil
        failOwed(.connectionLost)
        guard !stopped else { return }
        if wasReady {
            logger.error("redis_connection_lost", ["host": .string(configuration.host), "role": .string(label), "error": .string(reason)])
            onDown?(.connectionLost)
            failures = 0
        }
        attemptFailed(reason)
    }

    // MARK: - Hung connections

    /// Closes a connection that owes replies and has given none for twice the command timeout (a Redis that hangs
    /// while TCP stays up), so its callers hear ``RedisError/connectionLost`` and the client reconnects.
    private func checkProgress() {
        guard owedHead < owed.count, let connection else { return }
        let silentMs = (DispatchTime.now().uptimeNanoseconds &- lastProgress) / 1_000_000
        guard silentMs > UInt64(2 * configuration.commandTimeoutMs) else { return }
        logger.error("redis_not_answering", ["host": .string(configuration.host), "role": .string(label), "silent_ms": .int(Int(silentMs))])
        connection.close()
    }
}
