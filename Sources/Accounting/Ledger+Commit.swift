#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Support

/// The commit loop: runs on the ledger's queue, moves buffered lines into the backlog, writes what each day file is
/// owed, and retries every `commitInterval` while anything is still owed.
extension Ledger {
    /// Writes the buffered records and whatever earlier commits left owed. Runs on `queue`; returns the first failure.
    func commit() -> LedgerError? {
        dispatchPrecondition(condition: .onQueue(queue))
        lock.lock()
        let batch = pending
        pending = [:]
        // The batch stays counted while it is written (the bounds and the serve limit read these two).
        owedBytes += pendingBytes
        pendingBytes = 0
        scheduled = false
        earlyCommitScheduled = false
        lock.unlock()

        for day in batch.keys.sorted() { backlog.add(batch[day]!, day: day) }
        var failure: LedgerError?
        for day in backlog.days {
            let bytes = backlog.take(day)
            var written = 0
            var synced = false
            do throws(LedgerError) {
                let file = try file(for: day)
                let outcome: AtomicFileError? = bytes.withUnsafeBytes { raw in
                    do throws(AtomicFileError) {
                        if raw.isEmpty { try file.sync() } else { try file.append(raw, written: &written) }
                    } catch {
                        return error
                    }
                    return nil
                }
                if let outcome { throw LedgerError(.write, outcome) }
                synced = true
            } catch {
                failure = failure ?? error
            }
            backlog.settle(day, bytes: bytes, written: written, synced: synced)
        }

        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        owedBytes = backlog.byteCount
        if let failure {
            error = failure
            if failingSince == nil { failingSince = now }
        } else if backlog.isSettled {
            failingSince = nil
        }
        let health = (writing: failingSince == nil, overBound: isOverBound(now: now))
        lock.unlock()

        if let failure { onCommitError?(failure) }
        if health != reportedHealth {
            reportedHealth = health
            onHealthChange?(self.health())
        }
        if !backlog.isSettled { scheduleRetry() }
        return failure
    }

    private func scheduleRetry() {
        guard !retryScheduled else { return }
        retryScheduled = true
        queue.asyncAfter(deadline: .now() + commitInterval) { [self] in
            retryScheduled = false
            _ = commit()
        }
    }

    /// The open file for `day`, opening it (and closing days older than the previous one) when needed.
    private func file(for day: CivilDate) throws(LedgerError) -> AppendOnlyFile {
        if let file = files[day] { return file }
        let path = path(for: day)
        let file: AppendOnlyFile
        do { file = try AppendOnlyFile(path: path, permissions: 0o640, calls: calls) } catch { throw LedgerError(.write, error) }
        // A crash may have left a torn last line without its newline: end it, so the next record starts clean. Not
        // when this ledger's own interrupted write left it: the owed bytes continue that line.
        if !backlog.isMidLine(day) && !Self.endsWithNewline(path) {
            do { try file.append([0x0A]) } catch { throw LedgerError(.write, error) }
        }
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
}
