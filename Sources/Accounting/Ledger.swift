#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FoundationEssentials
import Support

/// The usage ledger: one JSON line per ``UsageRecord`` in daily files `usage-YYYY-MM-DD.jsonl` (the record's UTC
/// day) under one directory, appended with group commit.
///
/// **Group commit.** ``append(_:)`` encodes the record's line and adds it to its day's buffer under a lock, so
/// event loops never wait for the disk. The first record of a batch schedules a commit on the ledger's own serial
/// queue `commitInterval` (100 ms) later; the commit takes the buffers, appends each with one `write(2)` per day
/// file and `fsync(2)`s it. So the disk sees at most one sync per file per interval, and:
///
/// - **SIGTERM loses nothing**: the shutdown path calls ``close()`` (or ``flush()``), which commits synchronously.
/// - **A hard crash (power loss, SIGKILL) loses at most the last `commitInterval` of records** — those appended
///   but not yet committed — and can leave a torn last line, which readers skip.
///
/// **Failures** (see ``LedgerBacklog``): a write that stops part-way leaves only its unwritten remainder owed, and
/// the next commit (retried every `commitInterval`) continues exactly there, so a full disk never produces a
/// duplicate record or a torn fragment. While failing, ``LedgerPolicy`` bounds the backlog: past it, ``health()``
/// reports `isOverBound` and, under the `refuse` policy, ``admitsNewCalls`` turns false until the disk takes the
/// backlog. A record is never dropped silently: one that cannot be kept is handed to `onDrop` whole (the gateway
/// writes it to the error log).
///
/// Thread-safe: the buffer is guarded by a lock; files are only touched on the commit queue.
public final class Ledger: @unchecked Sendable {
    /// Why a record was handed to `onDrop` instead of the file.
    public enum DropReason: String, Sendable {
        /// Appended after ``close()``.
        case closed
        /// The `serve` policy's memory limit was reached while the disk failed.
        case backlogFull = "backlog_full"
        /// Still owed when the ledger closed on a failing disk.
        case unwrittenAtClose = "unwritten_at_close"
    }

    /// The directory holding the daily files.
    public let directory: String
    /// The longest a record waits in the buffer.
    public let commitInterval: DispatchTimeInterval
    /// The clock used for default query ranges.
    public let clock: @Sendable () -> Date
    /// What to do when the disk fails.
    public let policy: LedgerPolicy
    /// Called on the commit queue after each failed commit (e.g. to count `tollgate_ledger_write_errors_total`).
    public let onCommitError: (@Sendable (LedgerError) -> Void)?
    /// Called on the commit queue when the ledger starts or stops failing, or crosses its policy's bound.
    let onHealthChange: (@Sendable (LedgerHealth) -> Void)?
    /// Called with each record line that cannot be kept (without its newline), on any thread.
    let onDrop: (@Sendable (ArraySlice<UInt8>, DropReason) -> Void)?
    let calls: AppendOnlyFile.SystemCalls

    let queue = DispatchQueue(label: "tollgate.ledger")
    let lock = Lock()
    // Guarded by `lock`.
    /// Encoded lines waiting for the next commit, by day. Lines, not records: a burst of thousands of finishing
    /// streams then costs their bytes once, not records plus a second, encoded copy at commit time.
    var pending: [CivilDate: [UInt8]] = [:]
    var pendingBytes = 0
    var scheduled = false
    var earlyCommitScheduled = false
    var closed = false
    var error: LedgerError?
    var dropped = 0
    /// Mirror of `backlog.byteCount`, readable under the lock.
    var owedBytes = 0
    /// When the first failed commit of the current failure happened (uptime nanoseconds), nil while writing.
    var failingSince: UInt64?
    // Confined to `queue`.
    var files: [CivilDate: AppendOnlyFile] = [:]
    var backlog = LedgerBacklog()
    var retryScheduled = false
    var reportedHealth: (writing: Bool, overBound: Bool) = (true, false)

    /// Opens the ledger in `directory`, creating it if needed.
    public init(directory: String, commitInterval: DispatchTimeInterval = .milliseconds(100),
                clock: @escaping @Sendable () -> Date = { Date() }, policy: LedgerPolicy = LedgerPolicy(),
                calls: AppendOnlyFile.SystemCalls = .system,
                onCommitError: (@Sendable (LedgerError) -> Void)? = nil,
                onHealthChange: (@Sendable (LedgerHealth) -> Void)? = nil,
                onDrop: (@Sendable (ArraySlice<UInt8>, DropReason) -> Void)? = nil) throws(LedgerError) {
        self.directory = directory
        self.onCommitError = onCommitError
        self.onHealthChange = onHealthChange
        self.onDrop = onDrop
        self.commitInterval = commitInterval
        self.clock = clock
        self.policy = policy
        self.calls = calls
        if mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw LedgerError(.directory, path: directory, errno: errno)
        }
    }

    /// The path of the file for `day`.
    public func path(for day: CivilDate) -> String { "\(directory)/usage-\(day).jsonl" }

    /// Buffers `record` for the next commit: encodes its line (outside the lock), then appends it under the lock.
    /// A record that cannot be kept (after ``close()``, or past the `serve` policy's limit) goes to `onDrop` and is
    /// counted in ``droppedRecords``.
    public func append(_ record: UsageRecord) {
        var line: [UInt8] = []
        line.reserveCapacity(1024)  // a typical record is 500–700 bytes: one allocation
        record.write(into: &line)
        line.append(0x0A)
        let day = record.day
        lock.lock()
        if let reason = dropReason(adding: line.count) {
            dropped += 1
            lock.unlock()
            onDrop?(line.dropLast(), reason)
            return
        }
        pending[day, default: []].append(contentsOf: line)
        pendingBytes += line.count
        let schedule = !scheduled
        scheduled = true
        let early = pendingBytes >= Self.commitSize && !earlyCommitScheduled
        if early { earlyCommitScheduled = true }
        lock.unlock()
        if schedule {
            queue.asyncAfter(deadline: .now() + commitInterval) { [self] in _ = commit() }
        }
        if early {
            // A burst (thousands of streams ending at once) commits as soon as it fills a batch, so the buffer
            // stays small instead of doubling its way to megabytes before the interval is up.
            queue.async { [self] in _ = commit() }
        }
    }

    /// Under `lock`: why a line of `count` bytes cannot be buffered, or nil.
    private func dropReason(adding count: Int) -> DropReason? {
        if closed { return .closed }
        if failingSince != nil, policy.onFailure == .serve, pendingBytes + owedBytes + count > policy.serveLimitBytes {
            return .backlogFull
        }
        return nil
    }

    /// Buffered bytes that trigger a commit before `commitInterval` is up.
    static let commitSize = 128 * 1024

    /// Commits everything buffered now and waits for the `fsync`. Throws the commit's failure.
    public func flush() throws(LedgerError) {
        if let failure = queue.sync(execute: { commit() }) { throw failure }
    }

    /// Flushes, then refuses further records and closes the files. For the SIGTERM path. Records the disk still
    /// would not take go to `onDrop` (the process is about to end with them).
    public func close() throws(LedgerError) {
        lock.lock()
        closed = true
        lock.unlock()
        let failure: LedgerError? = queue.sync {
            let failure = commit()
            if failure != nil {
                let owed = backlog.owedLines()
                for (_, line) in owed { onDrop?(line, .unwrittenAtClose) }
                lock.lock()
                dropped += owed.count
                lock.unlock()
                backlog = LedgerBacklog()
            }
            files.removeAll()
            return failure
        }
        if let failure { throw failure }
    }

    /// The most recent write failure, if any commit failed.
    public var lastError: LedgerError? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }

    /// Records handed to `onDrop` instead of the file.
    public var droppedRecords: Int {
        lock.lock()
        defer { lock.unlock() }
        return dropped
    }

    /// Whether a new runtime call may start: false only under the `refuse` policy while the ledger is failing past
    /// its bound. One lock and, while failing, one clock read.
    public var admitsNewCalls: Bool {
        guard policy.onFailure == .refuse else { return true }
        lock.lock()
        defer { lock.unlock() }
        guard failingSince != nil else { return true }
        return !isOverBound(now: DispatchTime.now().uptimeNanoseconds)
    }

    /// The ledger's state now.
    public func health() -> LedgerHealth {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        defer { lock.unlock() }
        return LedgerHealth(
            isWriting: failingSince == nil, isOverBound: isOverBound(now: now), backlogBytes: pendingBytes + owedBytes,
            failingMilliseconds: failingSince.map { Int((now &- $0) / 1_000_000) } ?? 0,
            lastError: failingSince == nil ? nil : error
        )
    }

    /// Under `lock`.
    func isOverBound(now: UInt64) -> Bool {
        guard let since = failingSince else { return false }
        return now &- since >= UInt64(policy.maxBacklogMilliseconds) * 1_000_000
            || pendingBytes + owedBytes > policy.maxBacklogBytes
    }
}
