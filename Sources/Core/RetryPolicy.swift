/// How hard Tollgate tries before giving up on a model and failing over: attempts per model, jittered
/// exponential backoff between them (honouring `Retry-After`), and how many failover hops a chain may take.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts on each model before moving on to its failover target (1 = no retry).
    public var attemptsPerModel: Int = 2
    /// Backoff before the n-th retry is uniformly random in 0…min(maxDelay, baseDelay·2ⁿ) ("full jitter").
    public var baseDelayMs: Int = 100
    public var maxDelayMs: Int = 2000
    /// Failover targets followed at most (the chain is also cycle-safe).
    public var maxFailoverHops: Int = 4

    public init() {}

    /// The wait before retry number `retry` (1-based) on the same model, or nil when the upstream asked for a
    /// longer pause than `maxDelayMs` (then failing over beats waiting).
    func delayMs(beforeRetry retry: Int, retryAfterSeconds: Int?, random: (ClosedRange<Int>) -> Int) -> Int? {
        let cap = min(maxDelayMs, baseDelayMs << min(retry - 1, 20))
        var delay = random(0...max(0, cap))
        if let seconds = retryAfterSeconds {
            guard seconds * 1000 <= maxDelayMs else { return nil }
            delay = max(delay, seconds * 1000)
        }
        return delay
    }
}
