import Identity
import Core
import Accounting
import Catalogue
import FoundationEssentials
import IO
import Redis
import Support

/// Decoders for the sections of `tollgate.json` that are more than a scalar: listener addresses, the upstream
/// endpoint allow-list and the ledger's failure policy. Each records its problems with their JSON path.
extension GatewayConfiguration {
    /// `"host:port"` or a list of them.
    static func addresses(_ value: JSONValue, at key: String, problems: inout [(path: String, message: String)]) -> [SocketAddress] {
        let path = JSONPath.root.appending(key)
        switch value {
        case .string(let s):
            if let a = SocketAddress(parsing: s) { return [a] }
            problems.append((path.description, "not a host:port address: \(s)"))
        case .array(let items):
            if items.isEmpty { problems.append((path.description, "must name at least one address")) }
            var out: [SocketAddress] = []
            for (i, item) in items.enumerated() {
                if let s = item.stringValue, let a = SocketAddress(parsing: s) { out.append(a) } else {
                    problems.append((path.appending(index: i).description, "not a host:port address"))
                }
            }
            return out
        default:
            problems.append((path.description, "must be a \"host:port\" string or a list of them, not \(value.typeName)"))
        }
        return []
    }

    /// `listen`: entries are `"host:port"` (plain HTTP) or `{"address": "host:port", "tls": {"certificate": …,
    /// "private_key": …}}` (HTTPS), alone or in a list; certificate paths are relative to the config file.
    static func listenEntries(
        _ value: JSONValue, resolve: (String) -> String, problems: inout [(path: String, message: String)]
    ) -> (plain: [SocketAddress], tls: [TLSListen]) {
        let path = JSONPath.root.appending("listen")
        let items: [JSONValue]
        switch value {
        case .array(let list):
            if list.isEmpty { problems.append((path.description, "must name at least one address")) }
            items = list
        case .string, .object:
            items = [value]
        default:
            problems.append((path.description, "must be a \"host:port\" string, an {\"address\", \"tls\"} object or a list of them, not \(value.typeName)"))
            return ([], [])
        }
        var plain: [SocketAddress] = []
        var tls: [TLSListen] = []
        for (i, item) in items.enumerated() {
            let itemPath = value.arrayValue == nil ? path : path.appending(index: i)
            if let text = item.stringValue {
                if let address = SocketAddress(parsing: text) { plain.append(address) }
                else { problems.append((itemPath.description, "not a host:port address: \(text)")) }
                continue
            }
            guard item.objectValue != nil else {
                problems.append((itemPath.description, "must be a \"host:port\" string or an {\"address\", \"tls\"} object"))
                continue
            }
            var entry = ConfigObjectReader(item, path: itemPath, problems: &problems)
            var address: SocketAddress?
            if let text = entry.string("address") {
                address = SocketAddress(parsing: text)
                if address == nil { entry.fail("address", "not a host:port address: \(text)") }
            } else if entry.value("address") == nil {
                entry.fail("address", "required: \"host:port\"")
            }
            var pair: (String, String)?
            if let tlsValue = entry.value("tls") {
                var reader = ConfigObjectReader(tlsValue, path: itemPath.appending("tls"), problems: &problems)
                let certificate = reader.string("certificate")
                let key = reader.string("private_key")
                if reader.value("certificate") == nil { reader.fail("certificate", "required: a PEM certificate (chain) file") }
                if reader.value("private_key") == nil { reader.fail("private_key", "required: the certificate's PEM private key file") }
                if let certificate, let key { pair = (resolve(certificate), resolve(key)) }
                reader.finish(into: &problems)
            } else {
                entry.fail("tls", "required in an object entry (plain HTTP addresses are written as strings)")
            }
            entry.finish(into: &problems)
            if let address, let pair {
                tls.append(TLSListen(address: address, certificatePath: pair.0, privateKeyPath: pair.1,
                                     configPath: itemPath.appending("tls").description))
            }
        }
        return (plain, tls)
    }

    /// `upstream.allowed_endpoints`: origins (`https://host[:port]`, one `*` label allowed) upstream calls may go to.
    static func allowedEndpoints(_ value: JSONValue, problems: inout [(path: String, message: String)]) -> [String] {
        let path = JSONPath.root.appending("upstream").appending("allowed_endpoints")
        guard let items = value.arrayValue else {
            problems.append((path.description, "must be a list of endpoint origins such as \"https://bedrock-runtime.*.amazonaws.com\""))
            return EndpointAllowList.bedrockPatterns
        }
        var patterns: [String] = []
        for (i, item) in items.enumerated() {
            guard let pattern = item.stringValue, EndpointAllowList.firstInvalid([pattern]) == nil else {
                problems.append((path.appending(index: i).description,
                                 "not an endpoint origin (http:// or https://, a host whose labels may be *, an optional port and path)"))
                continue
            }
            patterns.append(pattern)
        }
        return patterns
    }

    /// `ledger`: `directory`, and the failure policy `on_failure` (`refuse` | `serve`), `max_backlog_bytes`,
    /// `max_backlog_ms`, `serve_limit_bytes`.
    static func ledger(_ value: JSONValue, directory: inout String?, resolve: (String) -> String,
                       problems: inout [(path: String, message: String)]) -> LedgerPolicy {
        var reader = ConfigObjectReader(value, path: "ledger", problems: &problems)
        defer { reader.finish(into: &problems) }
        directory = reader.string("directory").map(resolve) ?? resolve("ledger")
        var policy = LedgerPolicy()
        if let name = reader.string("on_failure") {
            if let choice = LedgerPolicy.OnFailure(rawValue: name) { policy.onFailure = choice } else {
                reader.fail("on_failure", "must be \"refuse\" (stop taking calls the ledger cannot record) or \"serve\"")
            }
        }
        if let v = reader.int("max_backlog_bytes", min: 4096, max: 1 << 30) { policy.maxBacklogBytes = v }
        if let v = reader.int("max_backlog_ms", min: 100, max: 3_600_000) { policy.maxBacklogMilliseconds = v }
        if let v = reader.int("serve_limit_bytes", min: 4096, max: 1 << 32) { policy.serveLimitBytes = v }
        policy.serveLimitBytes = max(policy.serveLimitBytes, policy.maxBacklogBytes)
        return policy
    }

    /// `store: {"redis": {"url", "prefix", "username_env", "password_env", "ca_file"}}`: the fleet's shared store. The
    /// variables are read now; a named one that is unset is a problem (a fleet must not start half-configured).
    static func fleetStore(_ value: JSONValue, resolve: (String) -> String, problems: inout [(path: String, message: String)]) -> RedisConfiguration? {
        var store = ConfigObjectReader(value, path: "store", problems: &problems)
        defer { store.finish(into: &problems) }
        guard let redisValue = store.value("redis") else { return nil }
        var redis = ConfigObjectReader(redisValue, path: JSONPath.root.appending("store").appending("redis"), problems: &problems)
        defer { redis.finish(into: &problems) }
        guard let url = redis.string("url") else {
            redis.fail("url", "required: redis://[user[:password]@]host[:port][/db]")
            return nil
        }
        var configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(url: url)
        } catch {
            redis.fail("url", "\(error)")
            return nil
        }
        if let prefix = redis.string("prefix") { configuration.prefix = prefix }
        let environment = ProcessInfo.processInfo.environment
        if let name = redis.string("username_env") {
            if let value = environment[name], !value.isEmpty { configuration.username = value } else { redis.fail("username_env", "environment variable \(name) is not set") }
        }
        if let name = redis.string("password_env") {
            if let value = environment[name], !value.isEmpty { configuration.password = value } else { redis.fail("password_env", "environment variable \(name) is not set") }
        }
        if configuration.username != nil && configuration.password == nil {
            redis.fail("username_env", "a user needs a password (password_env, or in the URL)")
        }
        if let v = redis.int("command_timeout_ms", min: 10, max: 60_000) { configuration.commandTimeoutMs = v }
        if let path = redis.string("ca_file") {
            if configuration.tls { configuration.caFile = resolve(path) } else { redis.fail("ca_file", "only with a rediss:// (TLS) URL") }
        }
        return configuration
    }

    /// One named credential set of `upstream.credentials` (its `source` and what that source needs).
    static func decodeCredentialSet(
        name: String, _ value: JSONValue, path: JSONPath, resolve: (String) -> String,
        problems: inout [(path: String, message: String)]
    ) -> CredentialSet? {
        var reader = ConfigObjectReader(value, path: path, problems: &problems)
        defer { reader.finish(into: &problems) }
        guard let kind = reader.string("source") else {
            reader.fail("source", "required: environment, env_vars, file or bearer_env")
            return nil
        }
        switch kind {
        case "environment":
            return CredentialSet(name: name, source: .standardEnvironment)
        case "env_vars":
            guard let id = reader.string("access_key_id_env"), let secret = reader.string("secret_access_key_env") else {
                reader.fail("access_key_id_env", "env_vars needs access_key_id_env and secret_access_key_env")
                return nil
            }
            return CredentialSet(name: name, source: .environment(accessKeyID: id, secretAccessKey: secret, sessionToken: reader.string("session_token_env")))
        case "file":
            guard let file = reader.string("path") else { reader.fail("path", "required for source file"); return nil }
            return CredentialSet(name: name, source: .file(resolve(file)))
        case "bearer_env":
            guard let variable = reader.string("variable") else { reader.fail("variable", "required for source bearer_env"); return nil }
            return CredentialSet(name: name, source: .bearerEnvironment(variable))
        default:
            reader.fail("source", "must be environment, env_vars, file or bearer_env")
            return nil
        }
    }
}
