import BedrockHTTP
import Accounting
import Admin
import BedrockControlPlane
import BedrockRuntime
import Core
import CustomModelsAPI
import OrqAPI
import OpenAIAPI
import Identity
import AWS
import Catalogue
import Dispatch
import FoundationEssentials
import HTTP
import IO
import Fleet
import Support

/// The gateway: Tollgate's `HTTPResponder`. Answers health checks itself and hands every other request to the API
/// face that owns its path (Bedrock runtime, admin and usage, Bedrock control plane), all over one shared core.
///
/// Thread safety: `respond` runs on the request's loop; shared state lives in `GatewayContext` (immutable or
/// synchronised) and readiness behind `Locked`.
public final class Gateway: HTTPResponder, @unchecked Sendable {
    public let context: GatewayContext
    public let configuration: GatewayConfiguration
    public var logger: Logger { context.logger }
    /// The route table, fixed at start: each face in turn is asked whether it owns a path (runtime calls first, the
    /// hot path).
    let faces: [any APIFace]
    private let readiness = Locked(false)
    /// The fleet's shared store, in fleet mode (`store.redis`).
    public let fleet: FleetStore?
    /// Budgets and rate limits kept in step with the fleet, in fleet mode.
    public let fleetBudgets: FleetBudgetSync?
    /// The fleet's per-day usage aggregates, in fleet mode.
    public let fleetUsage: FleetUsage?

    /// Loads the catalogue and keys named by the configuration; throws if either cannot be read or is invalid.
    public init(configuration: GatewayConfiguration, logger: Logger) throws {
        let audit = try configuration.auditPath.map { path in
            try FileManager.default.createDirectory(atPath: directoryName(of: path), withIntermediateDirectories: true)
            return try AuditLog(path: path)
        }
        let keys = try KeyStore(path: configuration.keysPath, adminKeyHashes: configuration.adminKeyHashes, logger: logger)
        let store: CatalogueStore
        if let redis = configuration.store {
            // Fleet mode: the catalogue and keys are the fleet's, in Redis; the local files only seed this replica
            // until Redis answers (or while the fleet's store is still empty).
            let fleet = FleetStore(configuration: redis, loop: EventLoop(index: 0, label: "tollgate.fleet"), logger: logger,
                                   configDirectory: directoryName(of: configuration.configPath))
            store = CatalogueStore(backend: fleet, audit: audit, endpoints: configuration.allowedEndpoints)
            if let problem = store.seed(fromFile: configuration.cataloguePath) {
                logger.warning("fleet_seed_unavailable", ["path": .string(configuration.cataloguePath), "error": .string(problem.description)])
            }
            fleet.attach(catalogue: store, keys: keys)
            self.fleet = fleet
        } else {
            store = try CatalogueStore(path: configuration.cataloguePath, audit: audit, endpoints: configuration.allowedEndpoints)
            self.fleet = nil
        }
        // Metrics label a requested model by the catalogue id it names; made-up ids share one `unknown` series.
        let metrics = TollgateMetrics(modelLabel: { [store] id in store.snapshot.model(id)?.id ?? TollgateMetrics.unknownModel })
        let ledgerDirectory = configuration.ledgerDirectory ?? (directoryName(of: configuration.configPath) + "/ledger")
        try FileManager.default.createDirectory(atPath: ledgerDirectory, withIntermediateDirectories: true)
        let ledger = try Ledger(
            directory: ledgerDirectory, policy: configuration.ledgerPolicy,
            onCommitError: { [logger, lastLogged = Locked<UInt64>(0)] error in
                // Retried every commit interval while the disk fails: counted each time, logged every 10 s (the
                // log may be on the same full disk); the state changes themselves are always logged.
                metrics.ledgerWriteErrors.increment()
                let now = DispatchTime.now().uptimeNanoseconds
                let due = lastLogged.withLock { last -> Bool in
                    guard last == 0 || now &- last >= 10_000_000_000 else { return false }
                    last = now
                    return true
                }
                if due { logger.error("ledger_write_failed", ["error": .string("\(error)")]) }
            },
            onHealthChange: { [logger, policy = configuration.ledgerPolicy] health in
                Self.reportLedgerHealth(health, policy: policy, metrics: metrics, logger: logger)
            },
            onDrop: { [logger] line, reason in
                // Never lost without a trace: the record itself goes to the error log, for the operator to replay.
                metrics.ledgerDroppedRecords.increment([reason.rawValue])
                let record = (try? JSONValue.parse(Array(line))) ?? .string(String(decoding: line, as: UTF8.self))
                logger.error("ledger_record_dropped", ["reason": .string(reason.rawValue), "record": record])
            }
        )
        let gate = BudgetGate(config: configuration.budgets)
        // Spend already in the ledger counts against today's and this month's budgets after a restart. That means
        // reading this month's ledger, so it is only done when a spend budget exists to be seeded.
        let limits = Array(configuration.budgets.keys.values) + Array(configuration.budgets.orgs.values)
        if limits.contains(where: { $0.dailySpend != nil || $0.monthlySpend != nil }) {
            try gate.seed(from: ledger, now: Date())
        }
        let usage: FleetUsage? = fleet.map { FleetUsage(client: $0.commands, prefix: $0.keyspace.prefix, logger: logger) }
        var sink: (@Sendable (UsageRecord) -> Void)?
        if let usage { sink = { record in usage.add(record) } }
        let accountant = Accountant(ledger: ledger, gate: gate, metrics: metrics, fleetUsage: usage, recordSink: sink)
        fleetUsage = usage
        fleetBudgets = fleet.map { FleetBudgetSync(gate: gate, client: $0.commands, prefix: $0.keyspace.prefix, logger: logger) }
        let context = GatewayContext(settings: configuration.callSettings, logger: logger, catalogue: store, keys: keys, accountant: accountant)
        self.context = context
        self.configuration = configuration
        self.faces = [
            BedrockRuntimeAPI(context: context),
            AdminFace(context: context, auditPath: configuration.auditPath),
            CustomModelsFace(context: context),
            OrqFace(context: context),
            OpenAIFace(context: context),
            ControlPlaneFace(context: context),
        ]
        if let fleet {
            let up = metrics.registry.gauge("tollgate_store_redis_up", help: "1 while this replica is connected to the fleet's Redis, 0 while it is not.")
            let revision = metrics.registry.gauge("tollgate_catalogue_revision", help: "The fleet-wide catalogue revision this replica serves.")
            up.set(fleet.isConnected ? 1 : 0)
            revision.set(Double(store.snapshot.version))
            fleet.onConnectionChange = { connected in up.set(connected ? 1 : 0) }
            store.onChange { snapshot in revision.set(Double(snapshot.version)) }
            let share = metrics.registry.gauge("tollgate_budget_local_share",
                                               help: "0 while budgets count the whole fleet's use; the number of replicas a limit is divided by while Redis is unreachable.")
            fleetBudgets?.onModeChange = { divisor in share.set(Double(divisor ?? 0)) }
        }
        store.onChange { [logger] snapshot in
            metrics.catalogueReloads.increment()
            logger.info("catalogue_reloaded", ["version": .int(snapshot.version), "models": .int(snapshot.models.count)])
        }
        store.onReloadFailure { [logger] error in
            metrics.catalogueReloadErrors.increment()
            logger.error("catalogue_reload_failed", ["field": .string(error.field?.description ?? ""), "error": .string(error.message)])
        }
        if let fleet, let redis = configuration.store {
            // Started once every observer is in place; the first read is waited for (briefly), so the first calls
            // see the fleet's catalogue.
            fleet.start()
            fleetBudgets?.start()
            fleetUsage?.start()
            if !fleet.waitUntilLoaded(timeoutMs: redis.commandTimeoutMs) {
                logger.error("fleet_store_unreachable_at_start", ["message": .string("serving the local catalogue until Redis answers")])
            }
        }
    }

    /// Marks the gateway ready (configuration loaded, loops running); `/readyz` answers 200 from then on.
    public func markReady(_ ready: Bool = true) {
        readiness.set(ready)
    }

    /// Whether `/readyz` answers 200: started, not shutting down, and (under `ledger.on_failure: refuse`) the
    /// ledger is within its backlog bound.
    public var isReady: Bool { readiness.get() && context.accountant.ledger.admitsNewCalls && fleetCatalogueServable }

    /// In a fleet, a replica serves once it has read the fleet's catalogue, or has a catalogue of its own to serve
    /// meanwhile (its seed file, or the last one it read): a replica restarted while Redis is down still serves.
    private var fleetCatalogueServable: Bool {
        guard let fleet else { return true }
        return fleet.hasLoaded || !context.catalogue.snapshot.models.isEmpty
    }

    /// Logs (loudly) and exports a change of the ledger's state.
    static func reportLedgerHealth(_ health: LedgerHealth, policy: LedgerPolicy, metrics: TollgateMetrics, logger: Logger) {
        metrics.ledgerWriting.set(health.isWriting ? 1 : 0)
        metrics.ledgerBacklogBytes.set(Double(health.backlogBytes))
        let fields: KeyValuePairs<String, JSONValue> = [
            "backlog_bytes": .int(health.backlogBytes), "failing_ms": .int(health.failingMilliseconds),
            "on_failure": .string(policy.onFailure.rawValue), "error": .string(health.lastError.map { "\($0)" } ?? ""),
        ]
        if health.isWriting {
            logger.warning("ledger_recovered", fields)
        } else if health.isOverBound {
            logger.error(policy.onFailure == .refuse ? "ledger_failing_refusing_calls" : "ledger_failing_serving_unrecorded", fields)
        } else {
            logger.error("ledger_failing", fields)
        }
    }

    /// Re-reads the files the configuration names (catalogue, keys). Called on `SIGHUP`.
    public func reload() {
        logger.info("reload_requested")
        if case .unchanged = context.catalogue.reload() { logger.info("catalogue_unchanged") }
        context.keys.reload()
    }

    public func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        let path = request.head.path
        if path.equalsBytes("/healthz") || path.equalsBytes("/readyz") {
            guard request.head.method == "GET" || request.head.method == "HEAD" else {
                return writer.respondError(status: 405, type: "UnknownOperationException", message: "Method \(request.head.method) not allowed on \(path)")
            }
            if path.equalsBytes("/readyz") { return respondReady(writer) }
            return writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: Array("{\"status\":\"ok\"}".utf8))
        }
        guard let face = face(for: path) else {
            return writer.respondError(status: 404, type: "UnknownOperationException", message: "Unknown operation \(request.head.method) \(path)")
        }
        face.respond(to: request, writer: writer)
    }

    /// `Expect: 100-continue`: the face that owns the path decides (credentials that do not hold are answered in its
    /// shape before any body is read); health checks and unknown paths need no body anyway.
    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? {
        face(for: head.path)?.answerBeforeBody(head)
    }

    /// The first face of the route table that owns `path`.
    @inline(__always)
    func face(for path: Substring) -> (any APIFace)? {
        for face in faces where face.owns(path: path) { return face }
        return nil
    }

    /// `GET /readyz`: 200 `{"status":"ready"}`, or 503 in Bedrock's shape saying why, with the ledger's state.
    func respondReady(_ writer: HTTPResponseWriter) {
        let ledger = context.accountant.ledger.health()
        if isReady {
            var body = "{\"status\":\"ready\""
            if !ledger.isWriting { body += ",\"ledger\":\"failing\",\"ledger_backlog_bytes\":\(ledger.backlogBytes)" }
            if let fleet {
                // Serving goes on from the last snapshot while Redis is down; the detail says so.
                body += ",\"store\":\"\(fleet.isConnected ? "redis_connected" : "redis_down")\",\"catalogue_revision\":\(context.catalogue.snapshot.version)"
                if let divisor = context.accountant.gate.localShare { body += ",\"budgets\":\"local_share\",\"budget_divisor\":\(divisor)" }
            }
            writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: Array((body + "}").utf8))
        } else if readiness.get(), !fleetCatalogueServable {
            writer.respondError(status: 503, type: "ServiceUnavailableException",
                                message: "Not ready: no catalogue to serve yet (the fleet's store, Redis, has not answered and there is no seed file)")
        } else if readiness.get() {
            writer.respondError(status: 503, type: "ServiceUnavailableException",
                                message: "Not ready: the usage ledger has failed to write for \(ledger.failingMilliseconds) ms "
                                    + "(\(ledger.backlogBytes) bytes waiting); new calls are refused until it writes again")
        } else {
            writer.respondError(status: 503, type: "ServiceUnavailableException", message: "Not ready")
        }
    }

    /// The access-log sink for the HTTP server: one JSON line per finished request.
    public func accessLogSink() -> (@Sendable (HTTPAccessRecord) -> Void)? {
        guard configuration.accessLog else { return nil }
        let logger = self.logger
        return { record in
            var line = JSONObject()
            line["time"] = .string(Logger.timestamp())
            line["level"] = "info"
            line["event"] = "request"
            line["request_id"] = .string(record.requestID)
            line["method"] = .string(record.method)
            line["path"] = .string(record.path)
            line["status"] = .int(record.status)
            line["bytes_in"] = .int(record.bytesIn)
            line["bytes_out"] = .int(record.bytesOut)
            line["duration_us"] = .int(record.durationMicros)
            if let remote = record.remoteAddress { line["remote"] = .string(remote) }
            logger.emit(line)
        }
    }
}
