/// What the ledger owes the disk, per day file: bytes not yet written, and files written but not yet synced.
///
/// A value the commit loop settles after each write, so the rules that keep a ledger free of duplicates and torn
/// lines are stated (and tested) in one place:
///
/// - A write that stops part-way (`ENOSPC`, `EIO`, a short write) leaves exactly `bytes[written...]` owed: the next
///   commit writes the remainder, which completes the line the file ends in. Nothing already on disk is written
///   again, so no record appears twice and no fragment is left behind.
/// - A day whose file ends inside a line (``isMidLine(_:)``) must not have a newline put in front of its next
///   write: that write continues the line.
/// - Bytes that reached the file but whose `fsync` failed are owed a sync, not a write.
struct LedgerBacklog {
    private var unwritten: [CivilDate: [UInt8]] = [:]
    private var unsynced: Set<CivilDate> = []
    private var midLine: Set<CivilDate> = []
    /// Bytes owed across all days.
    private(set) var byteCount = 0

    /// Whether nothing is owed: every byte handed to the ledger is written and synced.
    var isSettled: Bool { byteCount == 0 && unsynced.isEmpty }

    /// The days with something owed, oldest first.
    var days: [CivilDate] { Set(unwritten.keys).union(unsynced).sorted() }

    /// Whether `day`'s file ends inside a line that the owed bytes complete.
    func isMidLine(_ day: CivilDate) -> Bool { midLine.contains(day) }

    /// Queues encoded lines for `day`, after anything already owed for it.
    mutating func add(_ lines: [UInt8], day: CivilDate) {
        guard !lines.isEmpty else { return }
        if unwritten[day] == nil { unwritten[day] = lines } else { unwritten[day]!.append(contentsOf: lines) }
        byteCount += lines.count
    }

    /// Takes the bytes owed for `day` (empty when only a sync is owed), to hand to one write.
    mutating func take(_ day: CivilDate) -> [UInt8] {
        let bytes = unwritten.removeValue(forKey: day) ?? []
        byteCount -= bytes.count
        return bytes
    }

    /// Records how a write of `bytes` (from ``take(_:)``) for `day` went: the first `written` reached the file, and
    /// `synced` tells whether the file was synced afterwards.
    mutating func settle(_ day: CivilDate, bytes: [UInt8], written: Int, synced: Bool) {
        precondition(written >= 0 && written <= bytes.count, "wrote \(written) of \(bytes.count) bytes")
        if written < bytes.count {
            // Anything added for the day since `take` goes after the remainder.
            let rest = Array(bytes[written...]) + (unwritten[day] ?? [])
            byteCount += bytes.count - written
            unwritten[day] = rest
        }
        if written > 0 {
            if bytes[written - 1] == 0x0A { midLine.remove(day) } else { midLine.insert(day) }
        }
        if synced && written == bytes.count {
            unsynced.remove(day)
        } else if written > 0 {
            unsynced.insert(day)
        }
    }

    /// Every owed line, whole, for a last report when the bytes can never be written (the process is stopping).
    /// The first line of a mid-line day is only the end of a record; it is reported as is.
    func owedLines() -> [(day: CivilDate, line: ArraySlice<UInt8>)] {
        var out: [(CivilDate, ArraySlice<UInt8>)] = []
        for day in unwritten.keys.sorted() {
            for line in unwritten[day]!.split(separator: 0x0A) { out.append((day, line)) }
        }
        return out
    }
}
