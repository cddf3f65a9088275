import FoundationEssentials
import Support

/// What one replica used since its last sync with the fleet, for one limited key or org: spend by UTC day and month
/// (a sync can straddle midnight), requests and tokens by second.
public struct FleetDelta: Sendable, Equatable {
    public var spendByDay: [Int: Money] = [:]
    public var spendByMonth: [Int: Money] = [:]
    public var requests: [Int: Int] = [:]
    public var tokens: [Int: Int] = [:]

    public init() {}

    public var isEmpty: Bool { spendByDay.isEmpty && spendByMonth.isEmpty && requests.isEmpty && tokens.isEmpty }

    mutating func addRequest(at second: Int) { requests[second, default: 0] += 1 }

    mutating func add(cost: Money, tokens count: Int, date: CivilDate, second: Int) {
        if cost != 0 {
            spendByDay[date.dayNumber, default: 0] += cost
            spendByMonth[date.monthNumber, default: 0] += cost
        }
        if count > 0 { tokens[second, default: 0] += count }
    }
}

/// What the other replicas of the fleet had used at the last sync, for one limited key or org.
public struct FleetShare: Sendable, Equatable {
    public var day = Int.min
    public var daySpend: Money = 0
    public var month = Int.min
    public var monthSpend: Money = 0
    /// Requests and tokens in the sliding minute.
    public var requests = 0
    public var tokens = 0

    public init() {}

    /// The share as of `date`: spend of a day or month that has ended no longer counts.
    func current(date: CivilDate) -> FleetShare {
        var share = self
        if date.dayNumber != day { share.daySpend = 0 }
        if date.monthNumber != month { share.monthSpend = 0 }
        return share
    }
}

/// One limited key or org as a sync sees it: this replica's use since the last sync, and its own totals when the
/// delta was taken (the fleet's totals minus those are the other replicas' part).
public struct FleetSubjectSync: Sendable {
    public let scope: GateRejection.Scope
    public let subject: String
    public var delta: FleetDelta
    public let day: Int
    public let month: Int
    public let second: Int
    let own: FleetShare
}

/// The fleet's totals for one subject after a sync: spend of the day and month, requests and tokens in the minute.
public struct FleetTotals: Sendable, Equatable {
    public var daySpend: Money
    public var monthSpend: Money
    public var requests: Int
    public var tokens: Int

    public init(daySpend: Money, monthSpend: Money, requests: Int, tokens: Int) {
        self.daySpend = daySpend
        self.monthSpend = monthSpend
        self.requests = requests
        self.tokens = tokens
    }
}

/// Fleet mode (``BudgetGate``): budgets and rate limits hold across replicas that share counters in the fleet's store.
///
/// No store round trip on the request path: a replica admits against its own use plus the other replicas' use as of
/// its last sync, and syncs every ≤ 100 ms (``takeFleetDeltas(now:)`` → the store → ``applyFleetTotals(_:)``). The
/// worst-case overshoot of a limit is what the fleet admits between two syncs: about the fleet's request rate × the
/// sync interval (plus the store's round trip), never more than `replicas × limit`. While the store cannot be
/// reached, each replica enforces `limit / replicas` on its own use (``enterLocalShare(replicas:)``), and its use is
/// kept to be synced when the store returns.
extension BudgetGate {
    /// Turns fleet accounting on: from now on the use of limited keys and orgs is kept for syncing.
    public func enableFleet() {
        lock.lock()
        fleetEnabled = true
        lock.unlock()
    }

    /// Takes every limited subject's use since the last sync (emptied here), with this replica's totals now.
    public func takeFleetDeltas(now: Date) -> [FleetSubjectSync] {
        let date = CivilDate(now), second = Self.second(now)
        lock.lock()
        defer { lock.unlock() }
        var out: [FleetSubjectSync] = []
        func take(_ state: inout State, _ scope: GateRejection.Scope, _ subject: String) {
            state.roll(to: date)
            state.requests.advance(to: second)
            state.tokens.advance(to: second)
            // Only subjects in use here or elsewhere are synced: thousands of configured keys that see no traffic
            // cost Redis nothing. (A key first used here is learnt about with its first sync.)
            let others = state.others.current(date: date)
            let idle = state.unsynced.isEmpty && state.monthSpend == 0 && state.requests.sum == 0 && state.tokens.sum == 0
                && others.monthSpend == 0 && others.requests == 0 && others.tokens == 0
            guard !idle else { return }
            var own = FleetShare()
            own.day = date.dayNumber
            own.month = date.monthNumber
            own.daySpend = state.daySpend
            own.monthSpend = state.monthSpend
            own.requests = state.requests.sum
            own.tokens = state.tokens.sum
            out.append(FleetSubjectSync(scope: scope, subject: subject, delta: state.unsynced, day: date.dayNumber,
                                        month: date.monthNumber, second: second, own: own))
            state.unsynced = FleetDelta()
        }
        for subject in config.keys.keys where keys[subject] != nil { take(&keys[subject]!, .key, subject) }
        for subject in config.orgs.keys where orgs[subject] != nil { take(&orgs[subject]!, .org, subject) }
        return out
    }

    /// Records the fleet's totals after a sync: the other replicas' part is the totals less this replica's own
    /// totals at the time the deltas were taken. Leaves the local-share mode.
    public func applyFleetTotals(_ results: [(FleetSubjectSync, FleetTotals)]) {
        lock.lock()
        defer { lock.unlock() }
        localShareOf = nil
        for (sync, totals) in results {
            var others = FleetShare()
            others.day = sync.day
            others.month = sync.month
            others.daySpend = max(0, totals.daySpend - sync.own.daySpend)
            others.monthSpend = max(0, totals.monthSpend - sync.own.monthSpend)
            others.requests = max(0, totals.requests - sync.own.requests)
            others.tokens = max(0, totals.tokens - sync.own.tokens)
            switch sync.scope {
            case .key: keys[sync.subject, default: State()].others = others
            case .org: orgs[sync.subject, default: State()].others = others
            }
        }
    }


    /// The other replicas' use of a key's limits as of the last sync (for tests and diagnostics).
    public func fleetShare(key keyID: String) -> FleetShare {
        lock.lock()
        defer { lock.unlock() }
        return keys[keyID]?.others ?? FleetShare()
    }

    /// The store cannot be reached: enforce `limit / replicas` on this replica's own use until it can.
    public func enterLocalShare(replicas: Int) {
        lock.lock()
        localShareOf = max(1, replicas)
        lock.unlock()
    }

    /// Whether limits are divided among the replicas right now (the store is unreachable): the divisor, or nil.
    public var localShare: Int? {
        lock.lock()
        defer { lock.unlock() }
        return localShareOf
    }

    /// The limits enforced now: the configured ones, or this replica's share of them while the store is unreachable.
    func effective(_ limits: BudgetLimits) -> BudgetLimits {
        guard let n = localShareOf, n > 1 else { return limits }
        var share = limits
        share.dailySpend = limits.dailySpend?.multiplied(by: 1, dividedBy: n)
        share.monthlySpend = limits.monthlySpend?.multiplied(by: 1, dividedBy: n)
        share.requestsPerMinute = limits.requestsPerMinute.map { max(1, $0 / n) }
        share.tokensPerMinute = limits.tokensPerMinute.map { max(1, $0 / n) }
        return share
    }
}
