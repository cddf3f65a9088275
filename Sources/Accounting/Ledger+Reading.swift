import FoundationEssentials

/// Reading the ledger back: scans the daily files that overlap a time range (what `GET /v1/usage`,
/// `GET /v1/usage/self` and ``BudgetGate/seed(from:now:)`` use). Buffered records are flushed first, so a
/// reader sees every record appended before it started.
extension Ledger {
    /// The days that have a ledger file, oldest first.
    public func days() -> [CivilDate] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> CivilDate? in
            guard name.hasPrefix("usage-"), name.hasSuffix(".jsonl") else { return nil }
            return CivilDate(parsing: name.dropFirst(6).dropLast(6))
        }.sorted()
    }

    /// Calls `body` with every record whose time is in `from..<to`, file by file, in file order.
    /// Returns the number of lines skipped: unreadable ones (a torn last line after a crash) and repeats.
    ///
    /// A record is counted once even if its line is in the file twice. This ledger never writes one twice, but an
    /// older Tollgate re-wrote a whole batch after a partial write, so a repeat sits within one batch (128 KiB, a few
    /// hundred lines) of the original: a window of the last ``repeatWindow`` request ids finds it in bounded memory.
    @discardableResult
    public func forEachRecord(from: Date, to: Date, _ body: (UsageRecord) -> Void) throws(LedgerError) -> Int {
        try? flush()
        guard from < to else { return 0 }
        // A record lands in the file of its own UTC day, so only the files of days in range need reading.
        let first = CivilDate(from), last = CivilDate(to.addingTimeInterval(-0.001))
        var skipped = 0
        var recent = RecentIDs(capacity: Self.repeatWindow)
        for day in days() where day >= first && day <= last {
            try LedgerFileReader.forEachLine(path: path(for: day)) { line in
                guard let record = UsageRecord(line: line), recent.insert(record.requestID) else {
                    skipped += 1
                    return
                }
                if record.time >= from && record.time < to { body(record) }
            }
        }
        return skipped
    }

    /// How many recent request ids a reader remembers to skip repeated lines.
    static let repeatWindow = 65_536

    /// Every record whose time is in `from..<to`.
    public func records(from: Date, to: Date) throws(LedgerError) -> [UsageRecord] {
        var result: [UsageRecord] = []
        try forEachRecord(from: from, to: to) { result.append($0) }
        return result
    }

    /// Answers `query` from the files.
    public func query(_ query: UsageQuery) throws(LedgerError) -> UsageReport {
        var aggregate = UsageReport.Aggregate(query: query)
        let skipped = try forEachRecord(from: query.from, to: query.to) { if query.matches($0) { aggregate.add($0) } }
        return aggregate.report(skippedLines: skipped)
    }

    /// A client key's own usage (`GET /v1/usage/self`), by model; by default from the start of the current
    /// UTC month until now.
    public func selfUsage(keyID: String, from: Date? = nil, to: Date? = nil) throws(LedgerError) -> UsageReport {
        let now = clock()
        let start = from ?? CivilDate(now).firstOfMonth.start
        let end = to ?? now.addingTimeInterval(0.001)
        return try query(UsageQuery(from: start, to: end, groupBy: .model, keyID: keyID))
    }
}

/// The last `capacity` ids seen, in insertion order: a set with a ring buffer that forgets the oldest.
struct RecentIDs {
    private var members: Set<String> = []
    private var ring: [String] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds `id`; false when it is already among the remembered ones.
    mutating func insert(_ id: String) -> Bool {
        guard members.insert(id).inserted else { return false }
        if ring.count < capacity {
            ring.append(id)
        } else {
            members.remove(ring[next])
            ring[next] = id
            next = (next + 1) % capacity
        }
        return true
    }
}
