import BedrockHTTP
import Accounting
import AWS
import Catalogue
import Dispatch
import FoundationEssentials
import HTTP
import IO
import Support

/// The gateway: Tollgate's `HTTPResponder`. Routes each request: health, Bedrock Runtime calls (looked up in the
/// catalogue snapshot, then forwarded), admin and control-plane reads.
///
/// Thread safety: `respond` runs on the request's loop; shared state lives in `GatewayContext` (immutable or
/// synchronised) and readiness behind `Locked`.
public final class Gateway: HTTPResponder, @unchecked Sendable {
    public let context: GatewayContext
    public var configuration: GatewayConfiguration { context.configuration }
    public var logger: Logger { context.logger }
    private let readiness = Locked(false)

    /// Loads the catalogue and keys named by the configuration; throws if either cannot be read or is invalid.
    public init(configuration: GatewayConfiguration, logger: Logger) throws {
        let audit = try configuration.auditPath.map { path in
            try FileManager.default.createDirectory(atPath: directoryName(of: path), withIntermediateDirectories: true)
            return try AuditLog(path: path)
        }
        let store = try CatalogueStore(path: configuration.cataloguePath, audit: audit, endpoints: configuration.allowedEndpoints)
        let keys = try KeyStore(path: configuration.keysPath, adminKeyHashes: configuration.adminKeyHashes, logger: logger)
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
        let accountant = Accountant(ledger: ledger, gate: gate, metrics: metrics)
        self.context = GatewayContext(configuration: configuration, logger: logger, catalogue: store, keys: keys, accountant: accountant)
        store.onChange { [logger] snapshot in
            metrics.catalogueReloads.increment()
            logger.info("catalogue_reloaded", ["version": .int(snapshot.version), "models": .int(snapshot.models.count)])
        }
        store.onReloadFailure { [logger] error in
            metrics.catalogueReloadErrors.increment()
            logger.error("catalogue_reload_failed", ["field": .string(error.field?.description ?? ""), "error": .string(error.message)])
        }
    }

    /// Marks the gateway ready (configuration loaded, loops running); `/readyz` answers 200 from then on.
    public func markReady(_ ready: Bool = true) {
        readiness.set(ready)
    }

    /// Whether `/readyz` answers 200: started, not shutting down, and (under `ledger.on_failure: refuse`) the
    /// ledger is within its backlog bound.
    public var isReady: Bool { readiness.get() && context.accountant.ledger.admitsNewCalls }

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
        switch GatewayRoute.match(method: request.head.method, path: request.head.path) {
        case .runtime(let call):
            runtime(call, request: request, writer: writer)
        case .guardrail(let path):
            guardrail(path, request: request, writer: writer)
        case .usage(let route):
            UsageAPI(context: context).respond(route, request: request, writer: writer)
        case .admin(let route):
            AdminAPI(context: context).respond(route, request: request, writer: writer)
        case .controlPlane(let route):
            ControlPlaneAPI(context: context).respond(route, request: request, writer: writer)
        case .health:
            writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: Array("{\"status\":\"ok\"}".utf8))
        case .ready:
            respondReady(writer)
        case .methodNotAllowed:
            writer.respondError(status: 405, type: "UnknownOperationException", message: "Method \(request.head.method) not allowed on \(request.head.path)")
        case .notFound:
            writer.respondError(status: 404, type: "UnknownOperationException", message: "Unknown operation \(request.head.method) \(request.head.path)")
        }
    }

    /// `GET /readyz`: 200 `{"status":"ready"}`, or 503 in Bedrock's shape saying why, with the ledger's state.
    func respondReady(_ writer: HTTPResponseWriter) {
        let ledger = context.accountant.ledger.health()
        if isReady {
            var body = "{\"status\":\"ready\""
            if !ledger.isWriting { body += ",\"ledger\":\"failing\",\"ledger_backlog_bytes\":\(ledger.backlogBytes)" }
            writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: Array((body + "}").utf8))
        } else if readiness.get() {
            writer.respondError(status: 503, type: "ServiceUnavailableException",
                                message: "Not ready: the usage ledger has failed to write for \(ledger.failingMilliseconds) ms "
                                    + "(\(ledger.backlogBytes) bytes waiting); new calls are refused until it writes again")
        } else {
            writer.respondError(status: 503, type: "ServiceUnavailableException", message: "Not ready")
        }
    }

    /// The caller of a runtime call (a model call or a guardrail), or nil when it was answered: the key must
    /// authenticate and may call models, and the ledger must be able to record the call.
    func runtimeCaller(_ request: HTTPServerRequest, writer: HTTPResponseWriter) -> Caller? {
        let caller: Caller
        do {
            caller = try context.authenticator.authenticate(request.head, body: request.body)
        } catch {
            context.logger.info("auth_failed", ["request_id": .string(request.requestID), "error": .string(error.name)])
            send(error, to: writer)
            return nil
        }
        guard caller.role.mayCallModels else {
            send(.accessDenied("The key \(caller.keyID) may only read metrics."), to: writer)
            return nil
        }
        guard context.accountant.ledger.admitsNewCalls else {
            // The call could not be recorded: refuse it before anything is spent. Not recorded either (the backlog
            // would only grow); counted and in the access log.
            context.accountant.metrics.ledgerRefusals.increment()
            send(.serviceUnavailable("Usage cannot be recorded right now; the call was not attempted. Try again later."), to: writer)
            return nil
        }
        return caller
    }

    /// A Bedrock Runtime call: resolve the model for this caller, check the operation fits, forward.
    private func runtime(_ call: BedrockPath, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        guard let caller = runtimeCaller(request, writer: writer) else { return }
        let snapshot = context.catalogue.snapshot
        let org = caller.org
        guard let model = snapshot.isRoutable(call.modelId, org: org) else {
            // The same answer whether the model is unknown, disabled or restricted: callers cannot probe.
            return reject(.resourceNotFound("Could not resolve the foundation model from the provided model identifier."), call.modelId, call.operation, caller, request, writer)
        }
        if let problem = Self.operationProblem(call.operation, model: model) {
            return reject(.validation(problem), call.modelId, call.operation, caller, request, writer)
        }
        if let rejection = context.accountant.admit(keyID: caller.keyID, org: org) {
            return rejectOverBudget(rejection, call.modelId, call.operation, caller, request, writer)
        }
        var candidates = [RuntimeCall.Candidate(target: context.target(for: model, in: snapshot, loop: request.loop), model: model)]
        // CountTokens counts for the model asked about: another model's count would be wrong, so no failover.
        let hops = call.operation == .countTokens ? 0 : configuration.retry.maxFailoverHops
        for next in snapshot.failoverChain(from: model.id, org: org, maxHops: hops) where Self.operationProblem(call.operation, model: next) == nil {
            candidates.append(RuntimeCall.Candidate(target: context.target(for: next, in: snapshot, loop: request.loop), model: next))
        }
        RuntimeCall(context: context, request: request, writer: writer, operation: call.operation, caller: caller,
                    requestedModel: call.modelId, candidates: candidates).start()
    }

    /// A call a budget or rate gate refused: 429 naming the gate, with `Retry-After`, recorded like every refusal.
    func rejectOverBudget(_ rejection: GateRejection, _ requested: String, _ operation: BedrockOperation, _ caller: Caller,
                          _ request: HTTPServerRequest, _ writer: HTTPResponseWriter) {
        var error = BedrockError.throttling("Rate exceeded: \(rejection.message)")
        error = BedrockError(name: error.name, status: 429, message: error.message)
        reject(error, requested, operation, caller, request, writer, extraHeaders: ["Retry-After": String(rejection.retryAfterSeconds)])
    }

    /// Answers a call Tollgate refuses itself, after authentication; it still gets its ledger record (cost 0).
    func reject(_ error: BedrockError, _ requested: String, _ operation: BedrockOperation, _ caller: Caller,
                _ request: HTTPServerRequest, _ writer: HTTPResponseWriter, extraHeaders: HTTPHeaders = [:]) {
        let latency = Int((DispatchTime.now().uptimeNanoseconds &- request.startNanos) / 1_000_000)
        context.accountant.finish(UsageRecord(
            time: Date(), requestID: request.requestID, keyID: caller.keyID, org: caller.org, requestedModel: requested,
            answeringModel: nil, attempts: [], operation: operation, status: error.status, usage: Usage(), cost: 0,
            currency: "USD", latencyMs: latency, ttfbMs: nil
        ), pricing: nil)
        var headers = HTTPHeaders(error.responseHeaders)
        for field in extraHeaders.fields { headers.add(field.name, field.value) }
        writer.respond(status: error.status, headers: headers, body: error.responseBody)
    }

    /// Why `operation` cannot be served by `model`, or nil.
    static func operationProblem(_ operation: BedrockOperation, model: ResolvedModel) -> String? {
        if operation.isStreaming && !(model.resolved.capabilities?["streaming"] ?? false) {
            return "The model \(model.id) does not support streaming."
        }
        switch (operation, model.type) {
        case (.converse, .completion), (.converseStream, .completion), (.invokeModel, _), (.invokeModelWithResponseStream, .completion),
             (.countTokens, .completion):
            return nil
        default:
            return "The model \(model.id) (\(model.type.rawValue)) does not support \(operation.actionName)."
        }
    }

    func send(_ error: BedrockError, to writer: HTTPResponseWriter) {
        writer.respond(status: error.status, headers: HTTPHeaders(error.responseHeaders), body: error.responseBody)
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
