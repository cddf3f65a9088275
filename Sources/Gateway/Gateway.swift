import Dispatch
import HTTP
import IO
import Support

/// The gateway: Tollgate's `HTTPResponder`. It owns the configuration and routes each request.
///
/// Thread safety: `respond` runs on the request's loop; shared state (configuration, readiness) is immutable or
/// behind `Locked`.
public final class Gateway: HTTPResponder, @unchecked Sendable {
    /// The configuration in force.
    public let configuration: GatewayConfiguration
    /// Where logs go.
    public let logger: Logger
    private let readiness = Locked(false)
    private let reloadHook = Locked<(@Sendable () -> Void)?>(nil)

    public init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
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
        reloadHook.get()?()
    }

    /// Installs what `reload()` runs (the catalogue and keys stores register here).
    public func onReload(_ hook: @escaping @Sendable () -> Void) {
        reloadHook.set(hook)
    }

    public func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        switch GatewayRoute.match(method: request.head.method, path: request.head.path) {
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
