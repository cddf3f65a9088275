import Accounting
import Dispatch
import FoundationEssentials
import IO
import Redis
import Support

/// The fleet's usage, per UTC day, in Redis: every replica keeps writing its own JSONL ledger (the record of truth)
/// and adds each record to the day's aggregate, so `GET /v1/usage` on any replica answers for the whole fleet.
///
/// One hash per day, `{prefix}usage:{YYYY-MM-DD}`, with a field per (key, org, model, measure) — model being the
/// answering one, else the requested one — so every grouping and filter of ``UsageQuery`` can be answered. Measures:
/// `requests`, `partial`, each token kind, and cost per currency as whole 10⁻⁹ units plus the remainder in 10⁻¹⁸
/// units (`cost:USD:n`, `cost:USD:r`), which together keep the ledger's exact sum. Records are added up in memory
/// and flushed every 250 ms with one pipelined script; while Redis is down they wait and go when it is back. Each batch
/// has an id Redis remembers for 10 minutes, so one sent again after a lost reply is added once.
///
/// Reports count whole UTC days: a query's `from` and `to` are widened to midnight (the report says so).
public final class FleetUsage: UsageSource, @unchecked Sendable {
    private let client: RedisClient
    private let prefix: String
    private let logger: Logger
    private let pending = Locked<[String: [String: Int64]]>([:])
    private var timer: DispatchSourceTimer?
    private var inFlight = false
    private static let separator = "\u{1F}"
    /// The batch sent last and not yet acknowledged, sent again as it is under its id (Redis applies an id once).
    private var unacknowledged: (id: String, days: [String: [String: Int64]])?
    private var batches = 0
    private let batchPrefix = "usage-\(UInt64.random(in: 0...UInt64.max))-"

    public init(client: RedisClient, prefix: String, logger: Logger) {
        self.client = client
        self.prefix = prefix
        self.logger = logger
    }

    /// Adds a finished call's record to its day's aggregate (in memory until the next flush). Any thread.
    public func add(_ record: UsageRecord) {
        let day = record.day.description
        let stem = [record.keyID, record.org ?? "", record.answeringModel ?? record.requestedModel].joined(separator: Self.separator) + Self.separator
        pending.withLock { days in
            var fields = days[day] ?? [:]
            fields[stem + "requests", default: 0] += 1
            if record.partial { fields[stem + "partial", default: 0] += 1 }
            for kind in Usage.Kind.allCases where record.usage[kind] != 0 {
                fields[stem + kind.rawValue, default: 0] += Int64(record.usage[kind])
            }
            let (nanos, rest) = record.cost.units.quotientAndRemainder(dividingBy: 1_000_000_000)
            if nanos != 0 { fields[stem + "cost:\(record.currency):n", default: 0] += Int64(nanos) }
            if rest != 0 { fields[stem + "cost:\(record.currency):r", default: 0] += Int64(rest) }
            days[day] = fields
        }
    }

    public func start(intervalMs: Int = 250) {
        timer = client.loop.repeating(everyMs: intervalMs) { [weak self] in self?.flush() }
    }

    public func stop() {
        timer?.cancel()
        timer = nil
    }

    /// Stops the timer and sends what is still pending, waiting for Redis at most the command timeout (at shutdown,
    /// off the loops: the last records reach the fleet's aggregates too). False when they could not be sent.
    @discardableResult
    public func stopAndFlush() -> Bool {
        client.loop.queue.sync { stop() }
        var batches: [(id: String, days: [String: [String: Int64]])] = client.loop.queue.sync { unacknowledged }.map { [$0] } ?? []
        let last = pending.withLock { days -> [String: [String: Int64]] in
            defer { days = [:] }
            return days
        }
        if !last.isEmpty { batches.append((batchPrefix + "final", last)) }
        for batch in batches {
            guard case .success = client.sendAndWait(Self.command(prefix: prefix, batch: batch.id, batch.days)) else {
                logger.error("fleet_usage_unsent", ["days": .int(batch.days.count), "message": .string("the last usage aggregates did not reach Redis; the ledger has every record")])
                return false
            }
        }
        return true
    }

    static func command(prefix: String, batch: String, _ days: [String: [String: Int64]]) -> RedisCommand {
        var arguments: [[UInt8]] = [Array("EVAL".utf8), Array(flushScript.utf8), Array("0".utf8), Array(prefix.utf8), Array(batch.utf8)]
        for (day, fields) in days {
            for (field, amount) in fields {
                arguments += [Array(day.utf8), Array(field.utf8), Array(String(amount).utf8)]
            }
        }
        return RedisCommand(arguments)
    }

    /// Adds the days' increments once per batch id: `ARGV` is the prefix, the batch id, then day, field, amount
    /// triples. A batch sent again after a lost reply changes nothing.
    static let flushScript = """
    if not redis.call('SET', ARGV[1] .. 'sync:' .. ARGV[2], '1', 'NX', 'EX', 600) then return 0 end
    for i = 3, #ARGV, 3 do
      local key = ARGV[1] .. 'usage:' .. ARGV[i]
      redis.call('HINCRBY', key, ARGV[i + 1], ARGV[i + 2])
      redis.call('EXPIRE', key, 34560000)
    end
    return 1
    """

    private func flush() {
        guard !inFlight else { return }
        let batch: (id: String, days: [String: [String: Int64]])
        if let waiting = unacknowledged {
            batch = waiting
        } else {
            let days = pending.withLock { days -> [String: [String: Int64]] in
                defer { days = [:] }
                return days
            }
            guard !days.isEmpty else { return }
            batches += 1
            batch = (batchPrefix + String(batches), days)
            unacknowledged = batch
        }
        inFlight = true
        client.send(Self.command(prefix: prefix, batch: batch.id, batch.days)) { [self] result in
            inFlight = false
            // Acknowledged (applied now or before): done. Otherwise it goes again as it is; the records added
            // meanwhile wait for the next batch.
            if case .success = result { unacknowledged = nil }
        }
    }

    /// Whether every record added so far has reached Redis (for tests and shutdown).
    public var isFlushed: Bool { pending.get().isEmpty && client.loop.queue.sync { !inFlight && unacknowledged == nil } }

    // MARK: - Reports

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public func report(_ query: UsageQuery) throws -> UsageReport {
        let first = CivilDate(query.from), last = CivilDate(query.to.addingTimeInterval(-0.001))
        guard last.dayNumber >= first.dayNumber else {
            return UsageReport(query: query, groups: [:], total: UsageTotals(), skippedLines: 0)
        }
        guard last.dayNumber - first.dayNumber <= 400 else { throw Failure(description: "the fleet's usage is kept per day: ask for at most 400 days") }
        var widened = query
        widened.from = first.start
        widened.to = CivilDate(dayNumber: last.dayNumber + 1).start
        var groups: [String?: UsageTotals] = [:]
        var total = UsageTotals()
        for number in first.dayNumber...last.dayNumber {
            let day = CivilDate(dayNumber: number)
            let reply: RESPValue
            switch client.sendAndWait(RedisCommand("HGETALL", prefix + "usage:" + day.description)) {
            case .success(let value): reply = value
            case .failure(let error): throw Failure(description: "the fleet's usage cannot be read: \(error)")
            }
            guard let fields = reply.array else { continue }
            // Totals per (key, org, model) of the day, then filtered and grouped as the ledger would be.
            var rows: [String: UsageTotals] = [:]
            var remainders: [String: [String: Int128]] = [:]
            for i in stride(from: 0, to: fields.count - 1, by: 2) {
                guard let field = fields[i].string, let amount = fields[i + 1].integer else { continue }
                guard let cut = field.lastIndex(of: "\u{1F}") else { continue }
                let stem = String(field[..<cut]), measure = field[field.index(after: cut)...]
                var row = rows[stem] ?? UsageTotals()
                switch measure {
                case "requests": row.requests += amount
                case "partial": row.partialRequests += amount
                default:
                    if let kind = Usage.Kind(rawValue: String(measure)) {
                        row.usage[kind] += amount
                    } else if measure.hasPrefix("cost:") {
                        let parts = measure.split(separator: ":")
                        guard parts.count == 3 else { continue }
                        let currency = String(parts[1])
                        if parts[2] == "n" {
                            row.cost[currency, default: 0] += Money(units: Int128(amount) * 1_000_000_000)
                        } else {
                            remainders[stem, default: [:]][currency, default: 0] += Int128(amount)
                        }
                    }
                }
                rows[stem] = row
            }
            for (stem, byCurrency) in remainders {
                for (currency, units) in byCurrency { rows[stem, default: UsageTotals()].cost[currency, default: 0] += Money(units: units) }
            }
            for (stem, row) in rows {
                let parts = stem.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3 else { continue }
                let key = parts[0], org = parts[1].isEmpty ? nil : parts[1], model = parts[2]
                if let wanted = query.keyID, wanted != key { continue }
                if let wanted = query.org, wanted != org { continue }
                total.merge(row)
                switch query.groupBy {
                case nil: break
                case .org: groups[org, default: UsageTotals()].merge(row)
                case .key: groups[key, default: UsageTotals()].merge(row)
                case .model: groups[model, default: UsageTotals()].merge(row)
                case .day: groups[day.description, default: UsageTotals()].merge(row)
                }
            }
        }
        return UsageReport(query: widened, groups: groups, total: total, skippedLines: 0)
    }
}
