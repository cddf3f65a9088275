import FoundationEssentials

/// Where the fleet's shared store is and how to log in (`store.redis` in `tollgate.json`).
///
/// The URL follows the `redis://` scheme of the IANA registration
/// ([redis URI](https://www.iana.org/assignments/uri-schemes/prov/redis)): `redis://[user[:password]@]host[:port][/db]`,
/// or `rediss://…` for TLS ([rediss URI](https://www.iana.org/assignments/uri-schemes/prov/rediss)).
/// Credentials are better kept out of the config: `username_env` and `password_env` name environment variables that
/// hold them (they win over the URL's), so a Kubernetes Secret can supply the password.
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: UInt16
    public var database: Int
    public var username: String?
    public var password: String?
    /// TLS to Redis (`rediss://`), verifying its certificate and name against `caFile` (the system's trust store by
    /// default).
    public var tls: Bool = false
    public var caFile: String = "/etc/ssl/certs/ca-certificates.crt"
    /// Prefix of every key and channel Tollgate uses (several gateways can share one Redis).
    public var prefix: String
    /// How long a caller off the loop waits for a reply (admin writes, the CLI).
    public var commandTimeoutMs: Int
    /// First and largest pause between reconnection attempts.
    public var reconnectBaseMs: Int
    public var reconnectMaxMs: Int

    public init(host: String = "127.0.0.1", port: UInt16 = 6379, database: Int = 0, username: String? = nil,
                password: String? = nil, prefix: String = "tollgate:", commandTimeoutMs: Int = 2000,
                reconnectBaseMs: Int = 100, reconnectMaxMs: Int = 5000) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
        self.prefix = prefix
        self.commandTimeoutMs = commandTimeoutMs
        self.reconnectBaseMs = reconnectBaseMs
        self.reconnectMaxMs = reconnectMaxMs
    }

    /// Reads a `redis://` URL; the error says what is wrong with it.
    public init(url: String, prefix: String = "tollgate:") throws(RedisError) {
        self.init(prefix: prefix)
        var rest = Substring(url)
        if rest.hasPrefix("rediss://") {
            tls = true
            rest = rest.dropFirst("rediss://".count)
        } else if rest.hasPrefix("redis://") {
            rest = rest.dropFirst("redis://".count)
        } else {
            throw .configuration("the URL must start with redis:// or rediss:// (TLS)")
        }
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                let user = String(userinfo[..<colon])
                username = user.isEmpty ? nil : Self.decode(user)
                password = Self.decode(String(userinfo[userinfo.index(after: colon)...]))
            } else if !userinfo.isEmpty {
                username = Self.decode(String(userinfo))
            }
        }
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !db.isEmpty {
                guard let n = Int(db), n >= 0 else { throw .configuration("the database must be a number, not \"\(db)\"") }
                database = n
            }
        }
        var hostPart = rest
        if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            hostPart = hostPart[hostPart.index(after: close)...]
            if hostPart.hasPrefix(":") {
                guard let p = UInt16(hostPart.dropFirst()), p > 0 else { throw .configuration("bad port in the URL") }
                port = p
            }
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = String(hostPart[..<colon])
            guard let p = UInt16(hostPart[hostPart.index(after: colon)...]), p > 0 else { throw .configuration("bad port in the URL") }
            port = p
        } else {
            host = String(hostPart)
        }
        guard !host.isEmpty else { throw .configuration("the URL names no host") }

    }

    private static func decode(_ text: String) -> String {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "%"), bytes.count >= 2,
               let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(value)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// What can go wrong talking to Redis.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not connected (or not logged in yet): the caller falls back instead of waiting.
    case unavailable
    /// The connection dropped before the reply came.
    case connectionLost
    /// Redis answered with an error reply (`-ERR …`, `-NOAUTH …`, `-WRONGPASS …`).
    case server(String)
    /// No reply within the configured timeout (callers off the loop only).
    case timeout
    /// The configuration is wrong.
    case configuration(String)

    public var description: String {
        switch self {
        case .unavailable: return "Redis is not reachable"
        case .connectionLost: return "the connection to Redis was lost"
        case .server(let message): return "Redis answered: \(message)"
        case .timeout: return "Redis did not answer in time"
        case .configuration(let message): return "store.redis: \(message)"
        }
    }
}
