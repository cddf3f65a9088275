import AWS
import Catalogue
import Dispatch
import Foundation
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
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            return try AuditLog(path: path)
        }
        let store = try CatalogueStore(path: configuration.cataloguePath, audit: audit)
        let keys = try KeyStore(path: configuration.keysPath, adminKeyHashes: configuration.adminKeyHashes, logger: logger)
        self.context = GatewayContext(configuration: configuration, logger: logger, catalogue: store, keys: keys)
        store.onChange { [logger] snapshot in
            logger.info("catalogue_reloaded", ["version": .int(snapshot.version), "models": .int(snapshot.models.count)])
        }
        store.onReloadFailure { [logger] error in
            logger.error("catalogue_reload_failed", ["field": .string(error.field?.description ?? ""), "error": .string(error.message)])
        }
    }

    /// Marks the gateway ready (configuration loaded, loops running); `/readyz` answers 200 from then on.
    public func markReady(_ ready: Bool = true) {
        readiness.set(ready)
    }

    /// Whether `/readyz` answers 200.
    public var isReady: Bool { readiness.get() }

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
        case .admin(let route):
            AdminAPI(context: context).respond(route, request: request, writer: writer)
        case .controlPlane(let route):
            ControlPlaneAPI(context: context).respond(route, request: request, writer: writer)
        case .health:
            writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: Array("{\"status\":\"ok\"}".utf8))
        case .ready:
            if isReady {
                writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: Array("{\"status\":\"ready\"}".utf8))
            } else {
                writer.respondError(status: 503, message: "Not ready")
            }
        case .methodNotAllowed:
            writer.respondError(status: 405, type: "UnknownOperationException", message: "Method \(request.head.method) not allowed on \(request.head.path)")
        case .notFound:
            writer.respondError(status: 404, type: "UnknownOperationException", message: "Unknown operation \(request.head.method) \(request.head.path)")
        }
    }

    /// A Bedrock Runtime call: resolve the model for this caller, check the operation fits, forward.
    private func runtime(_ call: BedrockPath, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        let caller: Caller
        do {
            caller = try context.authenticator.authenticate(request.head, body: request.body)
        } catch {
            context.logger.info("auth_failed", ["request_id": .string(request.requestID), "error": .string(error.name)])
            return send(error, to: writer)
        }
        let snapshot = context.catalogue.snapshot
        let org = caller.org
        guard let model = snapshot.isRoutable(call.modelId, org: org) else {
            // The same answer whether the model is unknown, disabled or restricted: callers cannot probe.
            return send(.resourceNotFound("Could not resolve the foundation model from the provided model identifier."), to: writer)
        }
        if let problem = Self.operationProblem(call.operation, model: model) {
            return send(.validation(problem), to: writer)
        }
        var targets = [context.target(for: model)]
        for next in snapshot.failoverChain(from: model.id, org: org, maxHops: configuration.retry.maxFailoverHops) where Self.operationProblem(call.operation, model: next) == nil {
            targets.append(context.target(for: next))
        }
        RuntimeCall(context: context, request: request, writer: writer, operation: call.operation, targets: targets).start()
    }

    /// Why `operation` cannot be served by `model`, or nil.
    static func operationProblem(_ operation: BedrockOperation, model: ResolvedModel) -> String? {
        if operation.isStreaming && !(model.resolved.capabilities?["streaming"] ?? false) {
            return "The model \(model.id) does not support streaming."
        }
        switch (operation, model.type) {
        case (.converse, .completion), (.converseStream, .completion), (.invokeModel, _), (.invokeModelWithResponseStream, .completion):
            return nil
        default:
            return "The model \(model.id) (\(model.type.rawValue)) does not support \(operation.actionName)."
        }
    }

    private func send(_ error: BedrockError, to writer: HTTPResponseWriter) {
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
