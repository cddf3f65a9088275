import Accounting
import Dispatch
import FoundationEssentials
import IO
import Redis
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Keeps a replica's budgets and rate limits in step with the fleet (``BudgetGate``'s fleet mode): every interval
/// (100 ms) one pipelined script adds this replica's use since the last sync to the fleet's counters in Redis, and
/// reads back the fleet's totals for every limited key and org, with the number of live replicas (heartbeats).
/// Nothing on the request path waits for it.
///
/// While Redis cannot be reached, each replica enforces `limit / replicas` (the last count of live replicas) on its
/// own use, logged loudly and shown in `/metrics` and `/readyz`; the use it keeps meanwhile is added when Redis is
/// back. Each batch carries an id Redis remembers for 10 minutes, so a batch sent again after a lost reply is counted
/// once.
///
/// Counters in Redis (under the prefix): `budget:{key|org}:{id}:day:{n}` and `…:month:{n}` (spend in 10⁻⁹ currency
/// units, expiring after 2 days and 40 days), `…:req` and `…:tok` (hashes of second → count, last minute only), and
/// `replicas` (a sorted set of replica ids by last heartbeat; 10 s without one and a replica no longer counts).
public final class FleetBudgetSync: @unchecked Sendable {
    private let gate: BudgetGate
    private let client: RedisClient
    private let prefix: String
    private let logger: Logger
    private let intervalMs: Int
    /// This replica's name in the heartbeat set.
    public let replicaID: String
    private var timer: DispatchSourceTimer?
    private var inFlight = false
    /// The batch sent last and not yet acknowledged: sent again as it is, under the same id, which Redis applies
    /// once (a reply lost after Redis ran the script must not count the use twice).
    private var unacknowledged: (id: String, syncs: [FleetSubjectSync])?
    private var batches = 0
    private let liveReplicaCount = Locked(1)

    /// The replicas that sent a heartbeat in the last 10 s, as of the last sync (any thread).
    public var liveReplicas: Int { liveReplicaCount.get() }
    private var replicas = 1
    private var wasDown = false
    /// Told (on the loop) each time the mode changes: nil when the fleet's counters are in use, else the divisor.
    public var onModeChange: (@Sendable (Int?) -> Void)?

    public init(gate: BudgetGate, client: RedisClient, prefix: String, logger: Logger, intervalMs: Int = 100) {
        self.gate = gate
        self.client = client
        self.prefix = prefix
        self.logger = logger
        self.intervalMs = intervalMs
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        replicaID = "\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    public func start() {
        gate.enableFleet()
        timer = client.loop.repeating(everyMs: intervalMs, leewayMs: 5) { [weak self] in self?.tick() }
    }

    public func stop() {
        timer?.cancel()
        timer = nil
    }

    /// Stops syncing and sends this replica's last use, waiting for Redis at most the command timeout (at shutdown,
    /// off the loops), so the fleet's counters hold everything it admitted.
    public func stopAndSync() {
        client.loop.queue.sync { stop() }
        let pending = client.loop.queue.sync { unacknowledged }
        var batches: [(id: String, syncs: [FleetSubjectSync])] = pending.map { [$0] } ?? []
        let last = gate.takeFleetDeltas(now: Date())
        if last.contains(where: { !$0.delta.isEmpty }) { batches.append((replicaID + "-final", last)) }
        for batch in batches {
            if case .failure(let error) = client.sendAndWait(command(batch.syncs, batch: batch.id, now: Date())) {
                logger.error("fleet_budgets_unsent", ["error": .string(error.description)])
                return
            }
        }
    }

    func command(_ syncs: [FleetSubjectSync], batch: String, now: Date) -> RedisCommand {
        var arguments: [String] = [prefix, String(Int(now.timeIntervalSince1970)), replicaID, batch]
        for sync in syncs {
            func pairs(_ values: [Int: Int]) -> String { values.map { "\($0.key)=\($0.value)" }.joined(separator: ";") }
            func spend(_ values: [Int: Money]) -> String {
                values.map { "\($0.key)=\(Int($0.value.units / Self.unitsPerNano))" }.joined(separator: ";")
            }
            arguments += [sync.scope.rawValue, sync.subject, String(sync.day), String(sync.month),
                          spend(sync.delta.spendByDay), spend(sync.delta.spendByMonth), pairs(sync.delta.requests), pairs(sync.delta.tokens)]
        }
        return RedisCommand(["EVAL", Self.script, "0"] + arguments)
    }

    static let script = """
    local p = ARGV[1]
    local now = tonumber(ARGV[2])
    redis.call('ZADD', p .. 'replicas', now, ARGV[3])
    redis.call('ZREMRANGEBYSCORE', p .. 'replicas', '-inf', now - 10)
    local function window(key)
      local sum = 0
      local all = redis.call('HGETALL', key)
      for j = 1, #all, 2 do
        if tonumber(all[j]) <= now - 60 then redis.call('HDEL', key, all[j]) else sum = sum + tonumber(all[j + 1]) end
      end
      if #all > 0 then redis.call('EXPIRE', key, 120) end
      return sum
    end
    -- A batch is applied once: sent again after a lost reply, only its totals are read.
    local fresh = redis.call('SET', p .. 'sync:' .. ARGV[4], '1', 'NX', 'EX', 600)
    local out = {}
    local i = 5
    while i + 7 <= #ARGV do
      local base = p .. 'budget:' .. ARGV[i] .. ':' .. ARGV[i + 1]
      if fresh then
        for d, n in string.gmatch(ARGV[i + 4], '(%d+)=(%-?%d+)') do
          redis.call('INCRBY', base .. ':day:' .. d, n)
          redis.call('EXPIRE', base .. ':day:' .. d, 172800)
        end
        for m, n in string.gmatch(ARGV[i + 5], '(%d+)=(%-?%d+)') do
          redis.call('INCRBY', base .. ':month:' .. m, n)
          redis.call('EXPIRE', base .. ':month:' .. m, 3456000)
        end
        for s, n in string.gmatch(ARGV[i + 6], '(%d+)=(%d+)') do redis.call('HINCRBY', base .. ':req', s, n) end
        for s, n in string.gmatch(ARGV[i + 7], '(%d+)=(%d+)') do redis.call('HINCRBY', base .. ':tok', s, n) end
      end
      table.insert(out, redis.call('GET', base .. ':day:' .. ARGV[i + 2]) or '0')
      table.insert(out, redis.call('GET', base .. ':month:' .. ARGV[i + 3]) or '0')
      table.insert(out, window(base .. ':req'))
      table.insert(out, window(base .. ':tok'))
      i = i + 8
    end
    table.insert(out, redis.call('ZCARD', p .. 'replicas'))
    return out
    """

    /// Spend goes to Redis in 10⁻⁹ currency units (its integers are 64-bit; ``Money`` keeps 10⁻¹⁸).
    static let unitsPerNano: Int128 = 1_000_000_000

    private func tick() {
        guard !inFlight else { return }
        let now = Date()
        // Sent even with no subject in use: the heartbeat counts this replica for the others' local shares.
        let batch: (id: String, syncs: [FleetSubjectSync])
        if let pending = unacknowledged {
            batch = pending
        } else {
            batches += 1
            batch = ("\(replicaID)-\(batches)", gate.takeFleetDeltas(now: now))
            unacknowledged = batch
        }
        let syncs = batch.syncs
        inFlight = true
        client.send(command(syncs, batch: batch.id, now: now)) { [self] result in
            inFlight = false
            guard case .success(let reply) = result, let values = reply.array, values.count == syncs.count * 4 + 1 else {
                // The batch stays unacknowledged and goes again, as it is; what is used meanwhile waits in the gate.
                gate.enterLocalShare(replicas: replicas)
                if !wasDown {
                    wasDown = true
                    let reason: String
                    switch result {
                    case .failure(let error): reason = error.description
                    case .success(let reply): reason = "unexpected answer: \(reply)"
                    }
                    logger.error("fleet_budgets_local_share", [
                        "replicas": .int(replicas), "error": .string(reason),
                        "message": .string("Redis is unreachable: each replica enforces limit / \(replicas) on its own use until it is back"),
                    ])
                    onModeChange?(replicas)
                }
                return
            }
            var results: [(FleetSubjectSync, FleetTotals)] = []
            for (i, sync) in syncs.enumerated() {
                let base = i * 4
                let nanos = { (v: RESPValue) in Int128(v.integer ?? 0) * Self.unitsPerNano }
                results.append((sync, FleetTotals(daySpend: Money(units: nanos(values[base])), monthSpend: Money(units: nanos(values[base + 1])),
                                                  requests: values[base + 2].integer ?? 0, tokens: values[base + 3].integer ?? 0)))
            }
            unacknowledged = nil
            replicas = max(1, values.last?.integer ?? 1)
            liveReplicaCount.set(replicas)
            gate.applyFleetTotals(results)
            if wasDown {
                wasDown = false
                logger.warning("fleet_budgets_synced", ["replicas": .int(replicas)])
                onModeChange?(nil)
            }
        }
    }
}
