import Identity
import Core
import BedrockHTTP
import Dispatch
import HTTP
import IO
import Support
import TLS

/// A running gateway: the `Gateway` responder behind an `HTTPServer`, wired from a `GatewayConfiguration`.
/// Used by `tollgate serve`, the demo and the end-to-end tests alike.
public final class GatewayService: @unchecked Sendable {
    public let configuration: GatewayConfiguration
    public let gateway: Gateway
    public let server: HTTPServer
    /// The key-less operations listener (`admin_listen`), when configured.
    public let operationsServer: HTTPServer?
    public let logger: Logger
    /// The certificate and key of each HTTPS listener, in the order of ``GatewayConfiguration/tlsListen``.
    public let tls: [TLSServerSecurity]

    /// Builds and starts listening. Throws if an address cannot be bound or a TLS pair cannot be used (a
    /// ``ConfigProblems`` naming the entry's field).
    public init(configuration: GatewayConfiguration, logger: Logger? = nil) throws {
        let logger = logger ?? Logger(level: configuration.logLevel)
        self.configuration = configuration
        self.logger = logger
        self.tls = try Self.loadTLS(configuration)
        self.gateway = try Gateway(configuration: configuration, logger: logger)
        var serverConfiguration = configuration.server
        serverConfiguration.answerLikeBedrock()
        serverConfiguration.secureAddresses = zip(configuration.tlsListen, tls).map {
            SecureAddress(address: $0.address, security: $1)
        }
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
        if gateway.fleet == nil {
            // In a fleet the catalogue and keys come from Redis; the files only seeded them.
            gateway.context.catalogue.startWatching()
            gateway.context.keys.startWatching()
        }
        for (entry, security) in zip(configuration.tlsListen, tls) {
            security.startWatching { [logger] outcome in Self.logReload(outcome, entry: entry, logger: logger) }
        }
        gateway.markReady()
        logger.info("listening", [
            "addresses": .array(server.localAddresses.map { .string($0.description) }),
            "tls_addresses": .array(server.secureLocalAddresses.map { .string($0.description) }),
            "admin_addresses": .array((operationsServer?.localAddresses ?? []).map { .string($0.description) }),
            "workers": .int(server.group.loops.count),
        ])
    }

    /// The plain-HTTP addresses bound, with real ports.
    public var localAddresses: [SocketAddress] { server.localAddresses }
    /// The HTTPS addresses bound, with real ports.
    public var tlsAddresses: [SocketAddress] { server.secureLocalAddresses }

    /// Re-reads every file the configuration names: catalogue, keys, TLS certificates and keys. Called on `SIGHUP`;
    /// whatever fails to load keeps its last good version.
    public func reload() {
        gateway.reload()
        for (entry, security) in zip(configuration.tlsListen, tls) {
            do throws(TLSError) {
                try security.reload()
                Self.logReload(.success(()), entry: entry, logger: logger)
            } catch {
                Self.logReload(.failure(error), entry: entry, logger: logger)
            }
        }
    }

    private static func loadTLS(_ configuration: GatewayConfiguration) throws(ConfigProblems) -> [TLSServerSecurity] {
        var loaded: [TLSServerSecurity] = []
        var problems: [ConfigProblem] = []
        for entry in configuration.tlsListen {
            do throws(TLSError) {
                loaded.append(try TLSServerSecurity(certificatePath: entry.certificatePath, privateKeyPath: entry.privateKeyPath))
            } catch {
                problems.append(ConfigProblem(file: configuration.configPath, path: entry.path(of: error), message: error.message))
            }
        }
        if !problems.isEmpty { throw ConfigProblems(problems) }
        return loaded
    }

    private static func logReload(_ outcome: Result<Void, TLSError>, entry: GatewayConfiguration.TLSListen, logger: Logger) {
        switch outcome {
        case .success:
            logger.info("tls_reloaded", ["address": .string(entry.address.description), "certificate": .string(entry.certificatePath)])
        case .failure(let error):
            logger.error("tls_reload_failed", [
                "address": .string(entry.address.description), "field": .string(entry.path(of: error)),
                "error": .string(error.message),
            ])
        }
    }

    /// Stops accepting, drains in-flight requests for up to the configured grace period, then calls `completion`.
    public func shutdown(completion: @escaping @Sendable () -> Void) {
        gateway.markReady(false)
        gateway.context.catalogue.stopWatching()
        gateway.context.keys.stopWatching()
        tls.forEach { $0.stopWatching() }
        operationsServer?.shutdown(gracePeriod: .zero) {}
        logger.info("shutdown_started", ["grace_ms": .int(Int(configuration.shutdownGrace.components.seconds * 1000))])
        server.shutdown(gracePeriod: configuration.shutdownGrace) { [logger, gateway] in
            // The last use goes to the fleet's counters and aggregates before the connections close.
            gateway.fleetBudgets?.stopAndSync()
            gateway.fleetUsage?.stopAndFlush()
            gateway.fleet?.stop()
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
