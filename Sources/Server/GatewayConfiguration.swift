import Identity
import Accounting
import Catalogue
import Core
import FoundationEssentials
import HTTP
import IO
import Redis
import Support
import TLS

/// `tollgate.json`: how the gateway listens, its limits, logging, where the catalogue, keys and ledger live, and
/// how it reaches Bedrock. Relative paths are resolved against the config file's directory.
public struct GatewayConfiguration: Sendable {
    /// A named set of upstream credentials (`upstream.credentials`).
    public typealias CredentialSet = Core.CredentialSet

    /// An HTTPS listener: its address and the certificate and key it serves.
    public struct TLSListen: Sendable, Equatable {
        public var address: SocketAddress
        public var certificatePath: String
        public var privateKeyPath: String
        /// Where the entry is in the config file (`listen[1].tls`), for problems found when its files are read.
        public var configPath: String

        public init(address: SocketAddress, certificatePath: String, privateKeyPath: String, configPath: String) {
            self.address = address
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
            self.configPath = configPath
        }

        /// The config path of the field an error is about (`listen[1].tls.private_key`).
        public func path(of error: TLSError) -> String {
            error.field.isEmpty ? configPath : configPath + "." + error.field
        }
    }

    public var configPath: String
    /// Plain-HTTP addresses (`listen` entries written as strings).
    public var listen: [SocketAddress]
    /// HTTPS listeners (`listen` entries written as objects with `tls`).
    public var tlsListen: [TLSListen]
    public var workers: Int
    public var server: HTTPServerConfiguration
    public var shutdownGrace: Duration
    public var logLevel: Logger.Level
    public var accessLog: Bool
    public var cataloguePath: String
    public var keysPath: String?
    public var region: String
    public var endpoint: String?
    /// Where STS `AssumeRole` calls go (`upstream.sts_endpoint`); nil for `https://sts.{region}.amazonaws.com`.
    public var stsEndpoint: String?
    public var connectTimeout: Duration
    public var upstreamIdleTimeout: Duration
    public var upstreamTotalTimeout: Duration?
    public var credentials: [String: CredentialSet]
    public var retry: RetryPolicy
    public var ledgerDirectory: String?
    /// What the ledger tolerates when its disk fails, and what happens past that (`ledger.on_failure`, …).
    public var ledgerPolicy: LedgerPolicy
    /// Where upstream calls may be sent (`upstream.allowed_endpoints`, plus `upstream.endpoint`).
    public var allowedEndpoints: EndpointAllowList
    /// Guardrails callers may apply, by the identifier they send (`guardrails`).
    public var guardrails: [String: GuardrailConfiguration]
    /// A second, key-less listener for `/metrics`, `/healthz` and `/readyz` (`admin_listen`), for operators who
    /// keep that port private; empty when not configured.
    public var adminListen: [SocketAddress]
    /// Budgets and rate limits per key and per org.
    public var budgets: BudgetConfig
    /// The append-only audit log of catalogue changes.
    public var auditPath: String?
    /// Admin API key hashes (`tollgate hash-key` output) until the keys file carries admin roles.
    public var adminKeyHashes: [String]
    /// The fleet's shared store (`store.redis`): the catalogue and keys live there instead of in their files.
    public var store: RedisConfiguration? = nil

    /// Loads and validates `path`; throws every problem found, each with its JSON path.
    public static func load(path: String) throws(ConfigProblems) -> GatewayConfiguration {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw ConfigProblems([ConfigProblem(file: path, path: "", message: "cannot read: \(error)")])
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw ConfigProblems([ConfigProblem(file: path, path: "", message: "invalid JSON: \(error)")])
        }
        return try decode(json, path: path)
    }

    /// Validates a parsed config. `path` names the file in problems and anchors relative paths.
    public static func decode(_ json: JSONValue, path: String) throws(ConfigProblems) -> GatewayConfiguration {
        var problems: [(path: String, message: String)] = []
        let directory = directoryName(of: path)
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") ? p : ((directory.isEmpty ? "." : directory) + "/" + p)
        }

        var root = ConfigObjectReader(json, path: .root, problems: &problems)

        let entries = root.value("listen").map { listenEntries($0, resolve: resolve, problems: &problems) }
            ?? (plain: [SocketAddress(parsing: "127.0.0.1:8080")!], tls: [])
        let listen = entries.plain
        let adminListen = root.value("admin_listen").map { addresses($0, at: "admin_listen", problems: &problems) } ?? []
        let workers = root.int("workers", min: 0, max: 256) ?? 0

        var server = HTTPServerConfiguration(addresses: listen, workers: workers)
        var shutdownGrace = Duration.seconds(30)
        if let limitsValue = root.value("limits") {
            var limits = ConfigObjectReader(limitsValue, path: "limits", problems: &problems)
            if let v = limits.int("max_header_bytes", min: 1024, max: 1 << 20) { server.parserLimits.maxHeaderBytes = v }
            if let v = limits.int("max_body_bytes", min: 0, max: 1 << 30) { server.parserLimits.maxBodyBytes = v }
            if let v = limits.int("header_timeout_ms", min: 1) { server.headerTimeout = .milliseconds(v) }
            if let v = limits.int("body_timeout_ms", min: 1) { server.bodyTimeout = .milliseconds(v) }
            if let v = limits.int("idle_timeout_ms", min: 1) { server.idleTimeout = .milliseconds(v) }
            if let v = limits.int("max_connections", min: 1) { server.maxConnections = v }
            if let v = limits.int("shutdown_grace_ms", min: 0) { shutdownGrace = .milliseconds(v) }
            if let v = limits.int("write_buffer_bytes", min: 4096) {
                server.writeHighWaterMark = v
                server.writeLowWaterMark = v / 4
            }
            limits.finish(into: &problems)
        }

        var level = Logger.Level.info
        var accessLog = true
        if let logValue = root.value("log") {
            var log = ConfigObjectReader(logValue, path: "log", problems: &problems)
            if let name = log.string("level") {
                if let l = Logger.Level(name: name) { level = l } else { log.fail("level", "must be debug, info, warning or error") }
            }
            accessLog = log.bool("access") ?? true
            log.finish(into: &problems)
        }

        var cataloguePath = resolve("catalogue.json")
        if let c = root.string("catalogue") { cataloguePath = resolve(c) }
        let keysPath = root.string("keys").map(resolve)
        let auditPath = root.string("audit").map(resolve)

        var region = "us-east-1"
        var endpoint: String?
        var stsEndpoint: String?
        var connectTimeout = Duration.seconds(5)
        var idleTimeout = Duration.seconds(60)
        var totalTimeout: Duration? = nil
        var credentials: [String: CredentialSet] = ["default": CredentialSet(name: "default", source: .standardEnvironment)]
        var retry = RetryPolicy()
        var endpointPatterns = EndpointAllowList.bedrockPatterns
        if let upstreamValue = root.value("upstream") {
            var upstream = ConfigObjectReader(upstreamValue, path: "upstream", problems: &problems)
            if let r = upstream.string("region") {
                if isValidRegion(r) { region = r } else { upstream.fail("region", "not an AWS region name: \(r)") }
            }
            if let e = upstream.string("endpoint") {
                if (e.hasPrefix("http://") || e.hasPrefix("https://")) && EndpointAllowList.firstInvalid([e]) == nil {
                    endpoint = e.hasSuffix("/") ? String(e.dropLast()) : e
                } else {
                    upstream.fail("endpoint", "must be an http:// or https:// URL")
                }
            }
            if let e = upstream.string("sts_endpoint") {
                if e.hasPrefix("http://") || e.hasPrefix("https://") {
                    stsEndpoint = e.hasSuffix("/") ? String(e.dropLast()) : e
                } else {
                    upstream.fail("sts_endpoint", "must be an http:// or https:// URL")
                }
            }
            if let list = upstream.value("allowed_endpoints") {
                endpointPatterns = allowedEndpoints(list, problems: &problems)
            }
            if let v = upstream.int("connect_timeout_ms", min: 1) { connectTimeout = .milliseconds(v) }
            if let v = upstream.int("idle_timeout_ms", min: 1) { idleTimeout = .milliseconds(v) }
            if let v = upstream.int("total_timeout_ms", min: 1) { totalTimeout = .milliseconds(v) }
            if let retryValue = upstream.value("retry") {
                var r = ConfigObjectReader(retryValue, path: JSONPath.root.appending("upstream").appending("retry"), problems: &problems)
                if let v = r.int("attempts_per_model", min: 1, max: 10) { retry.attemptsPerModel = v }
                if let v = r.int("base_delay_ms", min: 0, max: 60_000) { retry.baseDelayMs = v }
                if let v = r.int("max_delay_ms", min: 0, max: 300_000) { retry.maxDelayMs = v }
                if let v = r.int("max_failover_hops", min: 0, max: 16) { retry.maxFailoverHops = v }
                r.finish(into: &problems)
            }
            if let setsValue = upstream.value("credentials") {
                let setsPath = JSONPath.root.appending("upstream").appending("credentials")
                if let sets = setsValue.objectValue {
                    for (name, value) in sets {
                        if let set = decodeCredentialSet(name: name, value, path: setsPath.appending(name), resolve: resolve, problems: &problems) {
                            credentials[name] = set
                        }
                    }
                } else {
                    problems.append((setsPath.description, "must be an object of named credential sets"))
                }
            }
            upstream.finish(into: &problems)
        }

        var budgets = BudgetConfig()
        if let budgetsValue = root.value("budgets") {
            do {
                budgets = try BudgetConfig(json: budgetsValue, at: JSONPath.root.appending("budgets"))
            } catch {
                problems.append((error.field.description, error.message))
            }
        }
        var ledgerDirectory: String? = resolve("ledger")
        var ledgerPolicy = LedgerPolicy()
        if let ledgerValue = root.value("ledger") {
            ledgerDirectory = nil
            ledgerPolicy = ledger(ledgerValue, directory: &ledgerDirectory, resolve: resolve, problems: &problems)
        }

        var guardrails: [String: GuardrailConfiguration] = [:]
        if let value = root.value("guardrails") {
            if let entries = value.objectValue {
                for (id, entry) in entries {
                    if let g = GuardrailConfiguration.decode(entry, id: id, path: JSONPath.root.appending("guardrails").appending(id), problems: &problems) {
                        guardrails[id] = g
                    }
                }
            } else {
                problems.append(("guardrails", "must be an object of guardrails by the identifier callers send"))
            }
        }
        var adminKeyHashes: [String] = []
        if let adminValue = root.value("admin") {
            var admin = ConfigObjectReader(adminValue, path: "admin", problems: &problems)
            if let list = admin.value("key_hashes") {
                for (i, item) in (list.arrayValue ?? []).enumerated() {
                    if let s = item.stringValue, KeyHash.isValid(s) { adminKeyHashes.append(s) }
                    else { problems.append(("admin.key_hashes[\(i)]", "must be the output of `tollgate hash-key`")) }
                }
                if list.arrayValue == nil { admin.fail("key_hashes", "must be a list") }
            }
            admin.finish(into: &problems)
        }
        let store = root.value("store").flatMap { fleetStore($0, resolve: resolve, problems: &problems) }
        root.finish(into: &problems)

        if !problems.isEmpty {
            throw ConfigProblems(problems.map { ConfigProblem(file: path, path: $0.path, message: $0.message) })
        }
        var configuration = GatewayConfiguration(
            configPath: path, listen: listen, tlsListen: entries.tls, workers: workers, server: server, shutdownGrace: shutdownGrace,
            logLevel: level, accessLog: accessLog, cataloguePath: cataloguePath, keysPath: keysPath, region: region,
            endpoint: endpoint, stsEndpoint: stsEndpoint, connectTimeout: connectTimeout, upstreamIdleTimeout: idleTimeout,
            upstreamTotalTimeout: totalTimeout, credentials: credentials, retry: retry, ledgerDirectory: ledgerDirectory,
            ledgerPolicy: ledgerPolicy,
            allowedEndpoints: EndpointAllowList(patterns: endpointPatterns + (endpoint.map { [$0] } ?? [])) ?? .bedrock,
            guardrails: guardrails, adminListen: adminListen, budgets: budgets, auditPath: auditPath, adminKeyHashes: adminKeyHashes
        )
        configuration.store = store
        return configuration
    }

    /// AWS region names such as `us-east-1`, `eu-central-2`, `us-gov-west-1`.
    public static func isValidRegion(_ region: String) -> Bool {
        CallSettings.isValidRegion(region)
    }

    /// What the shared core needs of the configuration to make calls.
    public var callSettings: CallSettings {
        CallSettings(region: region, endpoint: endpoint, connectTimeout: connectTimeout, upstreamIdleTimeout: upstreamIdleTimeout,
                     upstreamTotalTimeout: upstreamTotalTimeout, credentials: credentials, retry: retry, guardrails: guardrails,
                     stsEndpoint: stsEndpoint)
    }
}
