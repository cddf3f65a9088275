import FoundationEssentials
import Support

/// Hard budgets and rate limits per key and per organisation, checked before anything goes upstream.
///
/// Before a request, ``check(keyID:org:now:)`` tests every gate that applies — the key's and the org's
/// monthly and daily spend, tokens per minute and requests per minute — and returns the most severe one that is
/// closed (the one that stays closed longest), or nil and *admits* the request: it counts towards requests per
/// minute right away, so concurrent requests cannot all slip through one remaining slot. After the answer,
/// ``record(keyID:org:cost:tokens:now:)`` adds its cost and tokens.
///
/// A spend gate closes once recorded spend reaches the limit (`spent >= limit`), so a zero budget blocks
/// everything; a rate gate closes once the sliding minute holds `limit` requests or tokens. Days and months are
/// UTC. Spend is summed whatever its currency: budgets are in the catalogue's one currency.
/// After a restart, ``seed(from:now:)`` replays the current month from the ledger.
///
/// Thread-safe and cheap: one lock around a dictionary probe and a few additions per subject.
public final class BudgetGate: @unchecked Sendable {
    struct State {
        var day = Int.min
        var daySpend: Money = 0
        var month = Int.min
        var monthSpend: Money = 0
        var requests = SlidingWindow()
        var tokens = SlidingWindow()
        /// In a fleet: what this replica used since its last sync, and what the other replicas had used then.
        var unsynced = FleetDelta()
        var others = FleetShare()

        mutating func roll(to date: CivilDate) {
            if date.dayNumber != day { day = date.dayNumber; daySpend = 0 }
            if date.monthNumber != month { month = date.monthNumber; monthSpend = 0 }
        }
    }

    let lock = Lock()
    // Guarded by `lock`.
    var config: BudgetConfig
    var keys: [String: State] = [:]
    var orgs: [String: State] = [:]
    /// Fleet mode: whether other replicas' use counts (synced through the fleet's store).
    var fleetEnabled = false
    /// Fleet mode with the store unreachable: each replica enforces `limit / replicas` on its own use.
    var localShareOf: Int?

    /// A gate enforcing `config`.
    public init(config: BudgetConfig) {
        self.config = config
    }

    /// Replaces the limits (a config reload); recorded spend and rates are kept.
    public func update(config: BudgetConfig) {
        lock.lock()
        self.config = config
        lock.unlock()
    }

    /// The limits in force.
    public var currentConfig: BudgetConfig {
        lock.lock()
        defer { lock.unlock() }
        return config
    }

    /// The most severe closed gate for a request by `keyID` (of `org`), or nil: then the request is admitted and
    /// counted against requests per minute.
    public func check(keyID: String, org: String?, now: Date) -> GateRejection? {
        let date = CivilDate(now), second = Self.second(now)
        lock.lock()
        defer { lock.unlock() }
        var worst: GateRejection?
        func consider(_ r: GateRejection?) {
            guard let r else { return }
            if worst == nil || r.gate < worst!.gate { worst = r }
        }
        if let limits = config.keys[keyID] {
            consider(closedGate(&keys[keyID, default: State()], effective(limits), .key, keyID, date, second, now))
        }
        if let org, let limits = config.orgs[org] {
            consider(closedGate(&orgs[org, default: State()], effective(limits), .org, org, date, second, now))
        }
        if worst == nil {
            keys[keyID, default: State()].requests.add(1, at: second)
            if let org { orgs[org, default: State()].requests.add(1, at: second) }
            if fleetEnabled {
                if config.keys[keyID] != nil { keys[keyID]!.unsynced.addRequest(at: second) }
                if let org, config.orgs[org] != nil { orgs[org]!.unsynced.addRequest(at: second) }
            }
        }
        return worst
    }

    /// Adds a finished request's cost and tokens (all kinds) to its key and org.
    public func record(keyID: String, org: String?, cost: Money, tokens: Int, now: Date) {
        let date = CivilDate(now), second = Self.second(now)
        lock.lock()
        defer { lock.unlock() }
        Self.add(&keys[keyID, default: State()], cost: cost, tokens: tokens, date: date, second: second)
        if let org { Self.add(&orgs[org, default: State()], cost: cost, tokens: tokens, date: date, second: second) }
        if fleetEnabled {
            if config.keys[keyID] != nil { keys[keyID]!.unsynced.add(cost: cost, tokens: tokens, date: date, second: second) }
            if let org, config.orgs[org] != nil { orgs[org]!.unsynced.add(cost: cost, tokens: tokens, date: date, second: second) }
        }
    }

    /// Replays the ledger's records of the current UTC month up to `now` (spend; and the last minute's requests
    /// and tokens), so budgets survive a restart. Call once at start-up, before traffic.
    public func seed(from ledger: Ledger, now: Date) throws(LedgerError) {
        let monthStart = CivilDate(now).firstOfMonth.start
        let minuteAgo = now.addingTimeInterval(-Double(SlidingWindow.seconds))
        try ledger.forEachRecord(from: monthStart, to: now.addingTimeInterval(0.001)) { r in
            record(keyID: r.keyID, org: r.org, cost: r.cost, tokens: r.usage.totalTokens, now: r.time)
            if r.time > minuteAgo {
                let second = Self.second(r.time)
                lock.lock()
                keys[r.keyID, default: State()].requests.add(1, at: second)
                if let org = r.org { orgs[org, default: State()].requests.add(1, at: second) }
                lock.unlock()
            }
        }
    }

    /// Spend recorded today and this month for a key (for `/v1/usage/self` and tests).
    public func spend(keyID: String, now: Date) -> (day: Money, month: Money) {
        lock.lock()
        defer { lock.unlock() }
        guard var state = keys[keyID] else { return (0, 0) }
        state.roll(to: CivilDate(now))
        return (state.daySpend, state.monthSpend)
    }

    /// Requests this replica admitted for a key in the sliding minute (for tests and diagnostics).
    public func requestsInLastMinute(key keyID: String, now: Date) -> Int {
        lock.lock()
        defer { lock.unlock() }
        guard var state = keys[keyID] else { return 0 }
        state.requests.advance(to: Self.second(now))
        return state.requests.sum
    }

    private static func add(_ state: inout State, cost: Money, tokens: Int, date: CivilDate, second: Int) {
        state.roll(to: date)
        state.daySpend += cost
        state.monthSpend += cost
        if tokens > 0 { state.tokens.add(tokens, at: second) }
    }

    private func closedGate(_ state: inout State, _ limits: BudgetLimits, _ scope: GateRejection.Scope,
                            _ subject: String, _ date: CivilDate, _ second: Int, _ now: Date) -> GateRejection? {
        state.roll(to: date)
        state.requests.advance(to: second)
        state.tokens.advance(to: second)
        func reject(_ gate: GateRejection.Gate, _ limit: String, _ retry: Int) -> GateRejection {
            GateRejection(scope: scope, subject: subject, gate: gate, limit: limit, retryAfterSeconds: max(1, retry))
        }
        // In a fleet, what the other replicas used (as of the last sync) counts too.
        let others = fleetEnabled && localShareOf == nil ? state.others.current(date: date) : FleetShare()
        if let limit = limits.monthlySpend, state.monthSpend + others.monthSpend >= limit {
            let next = date.month == 12 ? CivilDate(year: date.year + 1, month: 1, day: 1)
                                        : CivilDate(year: date.year, month: date.month + 1, day: 1)
            return reject(.monthlySpend, Cost.text(limit), Int(next.start.timeIntervalSince(now).rounded(.up)))
        }
        if let limit = limits.dailySpend, state.daySpend + others.daySpend >= limit {
            let next = CivilDate(dayNumber: date.dayNumber + 1)
            return reject(.dailySpend, Cost.text(limit), Int(next.start.timeIntervalSince(now).rounded(.up)))
        }
        if let limit = limits.tokensPerMinute, state.tokens.sum + others.tokens >= limit {
            return reject(.tokensPerMinute, String(limit), state.tokens.secondsUntilBelow(limit))
        }
        if let limit = limits.requestsPerMinute, state.requests.sum + others.requests >= limit {
            return reject(.requestsPerMinute, String(limit), state.requests.secondsUntilBelow(limit))
        }
        return nil
    }

    static func second(_ date: Date) -> Int { Int(date.timeIntervalSince1970.rounded(.down)) }
}
