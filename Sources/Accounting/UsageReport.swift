import FoundationEssentials
import Support

/// The answer to a ``UsageQuery``: totals per group (sorted by group, the `null` group first) and overall.
public struct UsageReport: Sendable, Equatable {
    /// One group's totals.
    public struct Group: Sendable, Equatable {
        /// The group value (org, key id, model id or day); nil for records without one.
        public var key: String?
        /// The group's totals.
        public var totals: UsageTotals
    }

    /// The question.
    public var query: UsageQuery
    /// Per-group totals; empty when the query has no grouping.
    public var groups: [Group]
    /// Totals over every matching record.
    public var total: UsageTotals
    /// Ledger lines that could not be read (a torn last line after a crash).
    public var skippedLines: Int

    /// Totals `records` (already filtered) under `query`.
    public init(query: UsageQuery, records: some Sequence<UsageRecord>, skippedLines: Int = 0) {
        var aggregate = Aggregate(query: query)
        for record in records { aggregate.add(record) }
        self = aggregate.report(skippedLines: skippedLines)
    }

    public init(query: UsageQuery, groups: [String?: UsageTotals], total: UsageTotals, skippedLines: Int) {
        self.query = query
        self.total = total
        self.skippedLines = skippedLines
        self.groups = groups.map { Group(key: $0.key, totals: $0.value) }.sorted { a, b in
            switch (a.key, b.key) {
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?): return x < y
            }
        }
    }

    /// Running totals, so a scan never holds the records themselves.
    struct Aggregate {
        let query: UsageQuery
        var groups: [String?: UsageTotals] = [:]
        var total = UsageTotals()

        init(query: UsageQuery) { self.query = query }

        mutating func add(_ record: UsageRecord) {
            total.add(record)
            if query.groupBy != nil { groups[query.group(of: record), default: UsageTotals()].add(record) }
        }

        func report(skippedLines: Int) -> UsageReport {
            UsageReport(query: query, groups: groups, total: total, skippedLines: skippedLines)
        }
    }

    /// The `GET /v1/usage` body:
    /// `{"from":…,"to":…,"group_by":"org"|null,"groups":[{"group":"acme",…totals}],"total":{…totals}}`.
    public var json: JSONValue {
        let groups: [JSONValue] = groups.map { g in
            var o: JSONObject = ["group": g.key.map(JSONValue.string) ?? .null]
            if case .object(let t) = g.totals.json { for (k, v) in t { o[k] = v } }
            return .object(o)
        }
        return .object([
            "from": .string(Timestamp.format(query.from)), "to": .string(Timestamp.format(query.to)),
            "group_by": query.groupBy.map { .string($0.rawValue) } ?? .null,
            "groups": .array(groups), "total": total.json,
        ])
    }
}
