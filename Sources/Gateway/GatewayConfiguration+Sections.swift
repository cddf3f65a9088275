import Accounting
import Catalogue
import IO
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
}
