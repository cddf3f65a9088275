import Catalogue
import FoundationEssentials

/// The gateway's one entry point to accounting: the gate before a request, and pricing, ledger,
/// budgets and metrics after it.
///
/// ```swift
/// if let rejection = accountant.admit(keyID: key.id, org: key.org) { /* 429 ThrottlingException, rejection.message */ }
/// … forward, failover, relay (feeding a StreamUsageObserver for streams) …
/// accountant.finish(record, pricing: answeringModel?.pricing)   // cost and currency are filled in here
/// ```
///
/// Thread-safe; both calls are cheap (locks and buffer appends; the ledger writes on its own queue).
public final class Accountant: Sendable {
    /// The usage ledger.
    public let ledger: Ledger
    /// The budget and rate gates.
    public let gate: BudgetGate
    /// The metrics series.
    public let metrics: TollgateMetrics
    /// The clock for `admit` and `finish` defaults.
    public let clock: @Sendable () -> Date
    /// Where usage reports come from: the fleet's aggregates in fleet mode, else this replica's ledger (nil).
    public let fleetUsage: (any UsageSource)?
    /// Told of every record written (the fleet's usage aggregates, in fleet mode).
    private let recordSink: (@Sendable (UsageRecord) -> Void)?

    /// Accounting over `ledger`, `gate` and `metrics`.
    public init(ledger: Ledger, gate: BudgetGate, metrics: TollgateMetrics, clock: @escaping @Sendable () -> Date = { Date() },
                fleetUsage: (any UsageSource)? = nil, recordSink: (@Sendable (UsageRecord) -> Void)? = nil) {
        self.ledger = ledger
        self.gate = gate
        self.metrics = metrics
        self.clock = clock
        self.fleetUsage = fleetUsage
        self.recordSink = recordSink
    }

    /// The usage report for `query`: the fleet's when this replica is one of a fleet, else from the ledger. Blocks
    /// on the disk or the store: call off the loops.
    public func usageReport(_ query: UsageQuery) throws -> UsageReport {
        if let fleetUsage { return try fleetUsage.report(query) }
        try ledger.flush()
        return try ledger.query(query)
    }

    /// The budget and rate gates for a new request: nil admits it (and counts it), a rejection is counted in
    /// `tollgate_budget_rejections_total` and should become a 429 `ThrottlingException` naming the gate.
    public func admit(keyID: String, org: String?, now: Date? = nil) -> GateRejection? {
        let rejection = gate.check(keyID: keyID, org: org, now: now ?? clock())
        if let rejection { metrics.rejected(rejection) }
        return rejection
    }

    /// Whether the ledger can record a new call (``Ledger/admitsNewCalls``); a refusal is counted in
    /// `tollgate_ledger_refusals_total` and should become the face's 503 before anything is spent.
    public func ledgerAdmitsNewCall() -> Bool {
        guard ledger.admitsNewCalls else {
            metrics.ledgerRefusals.increment()
            return false
        }
        return true
    }

    /// Prices `record.usage` under the answering model's `pricing` (nil when none answered: failed attempts cost
    /// nothing), appends the record to the ledger, adds its cost and tokens to the budgets, and counts it in the
    /// metrics. Returns the record as written, with any unpriced kinds. `keepCost` keeps the cost and currency the
    /// record carries instead (a call priced by its own rate, such as a guardrail's per text unit).
    @discardableResult
    public func finish(_ record: UsageRecord, pricing: Pricing?, keepCost: Bool = false) -> (record: UsageRecord, cost: Cost) {
        var priced = record
        let cost: Cost
        if keepCost {
            cost = Cost(amount: record.cost, currency: record.currency)
        } else {
            cost = record.answeringModel == nil ? Cost.zero(pricing?.currency ?? "USD")
                                                : CostCalculator.cost(of: record.usage, pricing: pricing)
            priced.cost = cost.amount
            priced.currency = cost.currency
        }
        ledger.append(priced)
        recordSink?(priced)
        gate.record(keyID: priced.keyID, org: priced.org, cost: priced.cost, tokens: priced.usage.totalTokens, now: priced.time)
        metrics.record(priced)
        return (priced, cost)
    }
}

/// Usage reports from somewhere other than this replica's ledger: the fleet's per-day aggregates.
public protocol UsageSource: Sendable {
    /// Totals for `query`. Blocks; call off the loops.
    func report(_ query: UsageQuery) throws -> UsageReport
}
