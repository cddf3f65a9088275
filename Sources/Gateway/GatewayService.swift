import BedrockHTTP
import Dispatch
import HTTP
import IO
import Support

/// A running gateway: the `Gateway` responder behind an `HTTPServer`, wired from a `GatewayConfiguration`.
/// Used by `tollgate serve`, the demo and the end-to-end tests alike.
public final class GatewayService: @unchecked Sendable {
    public let configuration: GatewayConfiguration
    public let gateway: Gateway
    public let server: HTTPServer
    /// The key-less operations listener (`admin_listen`), when configured.
    public let operationsServer: HTTPServer?
    public let logger: Logger

    /// Builds and starts listening. Throws if an address cannot be bound.
    public init(configuration: GatewayConfiguration, logger: Logger? = nil) throws {
        let logger = logger ?? Logger(level: configuration.logLevel)
        self.configuration = configuration
        self.logger = logger
        self.gateway = try Gateway(configuration: configuration, logger: logger)
        var serverConfiguration = configuration.server
        serverConfiguration.answerLikeBedrock()
        self.server = HTTPServer(
            configuration: serverConfiguration,
            responder: gateway,
            accessLog: gateway.accessLogSink(),
            eventLog: { event, fields in
                logger.warning(event, ["detail": .object(JSONObject(fields.map { ($0.key, JSONValue.string($0.value)) }))])
            }
        )
        if configuration.adminListen.isEmpty {
            operationsServer = nil
        } else {
            var operations = serverConfiguration
            operations.addresses = configuration.adminListen
            operations.maxConnections = min(operations.maxConnections, 256)
            operationsServer = HTTPServer(configuration: operations, group: server.group,
                                          responder: OperationsResponder(gateway: gateway))
        }
        try server.start()
        try operationsServer?.start()
        gateway.context.catalogue.startWatching()
        gateway.context.keys.startWatching()
        gateway.markReady()
        logger.info("listening", [
            "addresses": .array(server.localAddresses.map { .string($0.description) }),
            "admin_addresses": .array((operationsServer?.localAddresses ?? []).map { .string($0.description) }),
            "workers": .int(server.group.loops.count),
        ])
    }

    /// The addresses bound, with real ports.
    public var localAddresses: [SocketAddress] { server.localAddresses }

    /// Stops accepting, drains in-flight requests for up to the configured grace period, then calls `completion`.
    public func shutdown(completion: @escaping @Sendable () -> Void) {
        gateway.markReady(false)
        gateway.context.catalogue.stopWatching()
        gateway.context.keys.stopWatching()
        operationsServer?.shutdown(gracePeriod: .zero) {}
        logger.info("shutdown_started", ["grace_ms": .int(Int(configuration.shutdownGrace.components.seconds * 1000))])
        server.shutdown(gracePeriod: configuration.shutdownGrace) { [logger, gateway] in
            // Every request has finished: commit the last ledger records before the process goes.
            do {
                try gateway.context.accountant.ledger.close()
            } catch {
                logger.error("ledger_close_failed", ["error": .string("\(error)")])
            }
            logger.info("shutdown_complete")
            completion()
        }
    }
}
