#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FoundationEssentials
import Support

/// The usage ledger (issue 6, "Ledger"): one JSON line per ``UsageRecord`` in daily files
/// `usage-YYYY-MM-DD.jsonl` (the record's UTC day) under one directory, appended with group commit.
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
/// A failed write keeps its bytes and retries them at the next commit, starting with a newline so any torn
/// fragment stays a line of its own. ``lastError`` reports the most recent failure.
///
/// Thread-safe: the buffer is guarded by a lock; files are only touched on the commit queue.
public final class Ledger: @unchecked Sendable {
    /// Records buffered while the disk is failing are kept up to this many bytes, then dropped (and counted).
    public static let maxUnwrittenBytes = 64 << 20

    /// The directory holding the daily files.
    public let directory: String
    /// The longest a record waits in the buffer.
    public let commitInterval: DispatchTimeInterval
    /// The clock used for default query ranges.
    public let clock: @Sendable () -> Date
    /// Called on the commit queue after each failed commit (e.g. to count `tollgate_ledger_write_errors_total`).
    public let onCommitError: (@Sendable (LedgerError) -> Void)?

    private let queue = DispatchQueue(label: "tollgate.ledger")
    private let lock = Lock()
    // Guarded by `lock`.
    /// Encoded lines waiting for the next commit, by day. Lines, not records: a burst of thousands of finishing
    /// streams then costs their bytes once, not records plus a second, encoded copy at commit time.
    private var pending: [CivilDate: [UInt8]] = [:]
    private var pendingBytes = 0
    private var scheduled = false
    private var earlyCommitScheduled = false
    private var closed = false
    private var error: LedgerError?
    private var dropped = 0
    // Confined to `queue`.
    private var files: [CivilDate: AppendOnlyFile] = [:]
    private var unwritten: [CivilDate: [UInt8]] = [:]
    private var unwrittenBytes = 0
    private var retryScheduled = false

    /// Opens the ledger in `directory`, creating it if needed.
    public init(directory: String, commitInterval: DispatchTimeInterval = .milliseconds(100),
                clock: @escaping @Sendable () -> Date = { Date() },
                onCommitError: (@Sendable (LedgerError) -> Void)? = nil) throws(LedgerError) {
        self.directory = directory
        self.onCommitError = onCommitError
        self.commitInterval = commitInterval
        self.clock = clock
        if mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw LedgerError(.directory, path: directory, errno: errno)
        }
    }

    /// The path of the file for `day`.
    public func path(for day: CivilDate) -> String { "\(directory)/usage-\(day).jsonl" }

    /// Buffers `record` for the next commit: encodes its line (outside the lock), then appends it under the lock.
    /// Records appended after ``close()`` are dropped and counted in ``droppedRecords``.
    public func append(_ record: UsageRecord) {
        var line: [UInt8] = []
        line.reserveCapacity(512)
        record.write(into: &line)
        line.append(0x0A)
        let day = record.day
        lock.lock()
        if closed {
            dropped += 1
            lock.unlock()
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

    /// Buffered bytes that trigger a commit before `commitInterval` is up.
    static let commitSize = 128 * 1024

    /// Commits everything buffered now and waits for the `fsync`. Throws the commit's failure.
    public func flush() throws(LedgerError) {
        if let failure = queue.sync(execute: { commit() }) { throw failure }
    }

    /// Flushes, then refuses further records and closes the files. For the SIGTERM path.
    public func close() throws(LedgerError) {
        lock.lock()
        closed = true
        lock.unlock()
        let failure: LedgerError? = queue.sync {
            let failure = commit()
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

    /// Records dropped: appended after ``close()``, or beyond ``maxUnwrittenBytes`` while the disk failed.
    public var droppedRecords: Int {
        lock.lock()
        defer { lock.unlock() }
        return dropped
    }

    /// Writes the buffered records. Runs on `queue`; returns the first failure.
    private func commit() -> LedgerError? {
        dispatchPrecondition(condition: .onQueue(queue))
        lock.lock()
        let batch = pending
        pending = [:]
        pendingBytes = 0
        scheduled = false
        earlyCommitScheduled = false
        lock.unlock()

        var byDay = unwritten
        unwritten.removeAll()
        unwrittenBytes = 0
        for (day, lines) in batch {
            if byDay[day] == nil { byDay[day] = lines } else { byDay[day]!.append(contentsOf: lines) }
        }
        var failure: LedgerError?
        for day in byDay.keys.sorted() {
            let bytes = byDay[day]!
            do throws(LedgerError) {
                try file(for: day).append(bytes)
            } catch {
                failure = failure ?? error
                keepUnwritten(bytes, day: day)
            }
        }
        if let failure {
            lock.lock()
            self.error = failure
            lock.unlock()
            onCommitError?(failure)
        }
        return failure
    }

    private func file(for day: CivilDate) throws(LedgerError) -> AppendOnlyFile {
        if let file = files[day] { return file }
        let path = path(for: day)
        let file: AppendOnlyFile
        do { file = try AppendOnlyFile(path: path, permissions: 0o640) } catch { throw LedgerError(.write, error) }
        // A crash may have left a torn last line without its newline: end it, so the next record starts clean.
        if !Self.endsWithNewline(path) { try file.append([0x0A]) }
        // Keep the newest two days open (a commit may straddle midnight); close older ones.
        for old in files.keys.sorted().dropLast(1) where old != day { files[old] = nil }
        files[day] = file
        return file
    }

    /// True when the file at `path` is empty or ends with `\n`.
    static func endsWithNewline(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return true }
        var last: UInt8 = 0
        return pread(fd, &last, 1, info.st_size - 1) == 1 && last == 0x0A
    }

    private func keepUnwritten(_ bytes: [UInt8], day: CivilDate) {
        // Start the retry on a fresh line: the failed write may have left a fragment.
        let retry = bytes.first == 0x0A ? bytes : [0x0A] + bytes
        guard unwrittenBytes + retry.count <= Self.maxUnwrittenBytes else {
            lock.lock()
            dropped += retry.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1
            lock.unlock()
            return
        }
        unwritten[day] = retry
        unwrittenBytes += retry.count
        guard !retryScheduled else { return }
        retryScheduled = true
        queue.asyncAfter(deadline: .now() + commitInterval) { [self] in
            retryScheduled = false
            _ = commit()
        }
    }
}

extension AppendOnlyFile {
    /// `append(_:)` with the ledger's error type.
    fileprivate func append(_ bytes: [UInt8]) throws(LedgerError) {
        do { try append(bytes, sync: true) } catch { throw LedgerError(.write, error) }
    }
}
