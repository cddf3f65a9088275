import Support

/// Totals over a set of ledger records: requests, each token kind, and cost per currency (exact).
public struct UsageTotals: Sendable, Equatable {
    /// Records counted.
    public var requests = 0
    /// Of which had partial usage (cut streams).
    public var partialRequests = 0
    /// Tokens and images by kind (``Usage/partial`` is unused here).
    public var usage = Usage()
    /// Cost by ISO 4217 currency.
    public var cost: [String: Money] = [:]

    /// Empty totals.
    public init() {}

    /// Adds one record.
    public mutating func add(_ record: UsageRecord) {
        requests += 1
        if record.partial { partialRequests += 1 }
        var u = record.usage
        u.partial = false
        usage += u
        cost[record.currency, default: 0] += record.cost
    }

    /// Adds other totals (the fleet's rows, summed per group).
    public mutating func merge(_ other: UsageTotals) {
        requests += other.requests
        partialRequests += other.partialRequests
        usage += other.usage
        for (currency, amount) in other.cost { cost[currency, default: 0] += amount }
    }

    /// `{"requests":…,"partial_requests":…,"tokens":{…},"cost":{"USD":"1.23"}}`, costs as decimal strings.
    public var json: JSONValue {
        var tokens = JSONObject()
        for kind in Usage.Kind.allCases { tokens[kind.rawValue] = .int(usage[kind]) }
        var costs = JSONObject()
        for currency in cost.keys.sorted() { costs[currency] = .string(Cost.text(cost[currency]!)) }
        return .object(["requests": .int(requests), "partial_requests": .int(partialRequests),
                        "tokens": .object(tokens), "cost": .object(costs)])
    }
}
