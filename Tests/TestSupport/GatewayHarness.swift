import Foundation
import Catalogue
import Identity
import IO
import Server
import StandIn
import Support
#if canImport(Glibc)
import Glibc
#endif

/// The one gateway harness of the tests: a gateway and a Bedrock stand-in on loopback, with a catalogue, keys and
/// credentials in a temporary directory, logging to `gateway.log` there. Every piece is the real one: sockets,
/// libcurl, SigV4 both ways, files. The default catalogue and keys suit the runtime tests; ``AdminPreset`` and
/// ``adminPreset(workers:)`` give the admin and control-plane tests theirs.
public final class GatewayHarness {
    public static let clientKey = "tg-test-client-key-00000000000000"
    public static let acmeKey = "tg-test-acme-key-0000000000000000"
    public static let adminKey = "tg-test-admin-key-000000000000000"
    public static let disabledKey = "tg-test-disabled-key-00000000000"
    public static let expiredKey = "tg-test-expired-key-000000000000"
    public static let sigV4AccessKeyID = "TGTESTACCESSKEY0001"
    public static let sigV4Secret = "tg-test-sigv4-secret-0123456789"
    public static let upstreamKeyID = "AKIDHARNESS"
    public static let upstreamSecret = "harness-upstream-secret"

    public let directory: URL
    public let standIn: StandInServer
    public private(set) var service: GatewayService!
    public var port: UInt16 { service.localAddresses[0].port }
    /// The catalogue file the gateway serves.
    public var cataloguePath: String { path("catalogue.json") }
    /// The catalogue store behind the gateway.
    public var store: CatalogueStore { service.gateway.context.catalogue }
    private let logLevel: Logger.Level
    private var logFD: Int32 = -1

    /// The default test catalogue: a failover chain a → b → c, a restricted model, a disabled one, a model without
    /// streaming, an embeddings model, an image model, and ids whose upstream form is an ARN.
    public static let defaultModels: [String] = [
        model("test/a", upstream: "anthropic.claude-3-haiku-20240307-v1:0", failover: "test/b"),
        model("test/b", upstream: "anthropic.claude-3-5-sonnet-20240620-v1:0", failover: "test/c"),
        model("test/c", upstream: "amazon.titan-text-express-v1"),
        model("test/restricted", upstream: "anthropic.claude-3-haiku-20240307-v1:0", extra: #""org_slugs": ["acme"]"#),
        model("test/via-restricted", upstream: "anthropic.claude-3-haiku-20240307-v1:0", failover: "test/restricted-hop"),
        model("test/restricted-hop", upstream: "anthropic.claude-3-haiku-20240307-v1:0", failover: "test/c", extra: #""org_slugs": ["acme"]"#),
        model("test/disabled", upstream: "anthropic.claude-3-haiku-20240307-v1:0", extra: #""enabled": false"#),
        model("test/no-stream", upstream: "meta.llama3-8b-instruct-v1:0", streaming: false),
        model("test/embed", upstream: "amazon.titan-embed-text-v2:0", type: "embeddings", streaming: false),
        model("test/image", upstream: "stability.sd3-large-v1:0", type: "image_generation", streaming: false),
        model("test/profile-arn", upstream: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"),
        model("anthropic.claude-3-haiku-20240307-v1:0", upstream: "anthropic.claude-3-haiku-20240307-v1:0"),
        model("test/dead", upstream: "anthropic.claude-3-haiku-20240307-v1:0", failover: "test/c", endpoint: "http://127.0.0.1:1"),
    ]

    public static func model(_ id: String, upstream: String, type: String = "completion", failover: String? = nil,
                      streaming: Bool = true, endpoint: String? = nil, extra: String? = nil) -> String {
        var fields = [
            #""id": "\#(id)""#, #""type": "\#(type)""#,
            #""capabilities": {"streaming": \#(streaming)}"#,
            #""provider_config": {"provider": "bedrock", "model_id": "\#(upstream)", "region": "us-east-1", "credentials": "standin"\#(endpoint.map { #", "endpoint": "\#($0)""# } ?? "")}"#,
            #""pricing": {"currency": "USD", "input_cost": 3, "output_cost": 15}"#,
        ]
        if let failover { fields.append(#""failover": "\#(failover)""#) }
        if let extra { fields.append(extra) }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// - Parameters:
    ///   - models: catalogue entries (JSON objects as text); `catalogue` replaces the whole file instead.
    ///   - keys: the keys file's text; nil for the default keys (``writeKeys(extra:)``).
    ///   - logLevel: what the gateway writes to `gateway.log` (``log()``).
    ///   - standInRoles: roles the stand-in's STS grants (role ARN → the external id it requires).
    public init(models: [String] = GatewayHarness.defaultModels, catalogue: String? = nil, keys: String? = nil,
                retry: String = #"{"attempts_per_model": 2, "base_delay_ms": 1, "max_delay_ms": 50}"#,
                upstreamIdleTimeoutMs: Int = 5000, extraConfig: String = "", listen: String = #""127.0.0.1:0""#,
                workers: Int = 2, logLevel: Logger.Level = .error, standInRoles: [String: String?] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-e2e-\(UUID().uuidString)")
        self.logLevel = logLevel
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        standIn = try StandInServer(configuration: .init(credentials: [Self.upstreamKeyID: Self.upstreamSecret], roles: standInRoles))
        try write("catalogue.json", catalogue ?? #"{"models": [\#(models.joined(separator: ",\n"))]}"#)
        try write("upstream-credentials.json", #"{"AccessKeyId": "\#(Self.upstreamKeyID)", "SecretAccessKey": "\#(Self.upstreamSecret)"}"#)
        try write("sigv4.secret", Self.sigV4Secret + "\n")
        if let keys { try write("keys.json", keys) } else { try writeKeys() }
        try write("tollgate.json", """
        {"listen": \(listen), "workers": \(workers), "catalogue": "catalogue.json", "keys": "keys.json", "audit": "audit.jsonl",
         "log": {"level": "info", "access": false}, "limits": {"shutdown_grace_ms": 1000}, \(extraConfig)
         "upstream": {"region": "us-east-1", "endpoint": "\(standIn.endpoint)", "sts_endpoint": "\(standIn.endpoint)",
                      "idle_timeout_ms": \(upstreamIdleTimeoutMs),
                      "connect_timeout_ms": 1000, "retry": \(retry), "allowed_endpoints": ["http://127.0.0.1:1", "https://bedrock-runtime.*.amazonaws.com"],
                      "credentials": {"standin": {"source": "file", "path": "upstream-credentials.json"}}}}
        """)
        logFD = open(path("gateway.log"), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        do {
            service = try startService()
        } catch {
            standIn.shutdown()
            close(logFD)
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    private func startService() throws -> GatewayService {
        let configuration = try GatewayConfiguration.load(path: path("tollgate.json"))
        return try GatewayService(configuration: configuration, logger: Logger(level: logLevel, fileDescriptor: logFD))
    }

    /// What the gateway has logged so far.
    public func log() -> String {
        (try? String(contentsOfFile: path("gateway.log"), encoding: .utf8)) ?? ""
    }

    public func writeKeys(extra: String = "") throws {
        try write("keys.json", """
        {"keys": [
          {"id": "client", "org": "t", "role": "client", "hash": "\(KeyHash.hash(Self.clientKey))"},
          {"id": "acme", "org": "acme", "role": "client", "hash": "\(KeyHash.hash(Self.acmeKey))"},
          {"id": "admin", "role": "admin", "hash": "\(KeyHash.hash(Self.adminKey))"},
          {"id": "off", "org": "t", "hash": "\(KeyHash.hash(Self.disabledKey))", "disabled": true},
          {"id": "old", "org": "t", "hash": "\(KeyHash.hash(Self.expiredKey))", "expires_at": "2020-01-01T00:00:00Z"},
          {"id": "sigv4", "org": "t", "access_key_id": "\(Self.sigV4AccessKeyID)", "secret_file": "sigv4.secret"}\(extra)
        ]}
        """)
    }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public func write(_ name: String, _ text: String) throws {
        try AtomicFile.write(Array(text.utf8), to: path(name))
    }

    /// Stops the gateway and the stand-in and removes the directory.
    public func shutdown() {
        stopGateway()
        standIn.shutdown()
        if logFD >= 0 { close(logFD) }
        logFD = -1
        try? FileManager.default.removeItem(at: directory)
    }

    private var gatewayStopped = false

    /// Drains and stops the gateway (the ledger is closed), leaving the files for inspection.
    public func stopGateway() {
        guard !gatewayStopped else { return }
        gatewayStopped = true
        let done = DispatchSemaphore(value: 0)
        service.shutdown { done.signal() }
        done.wait()
    }

    /// The ledger once it holds `count` records. A response can reach the client a moment before its call is
    /// recorded (the last body byte goes out before libcurl reports the transfer done), so wait for the condition.
    public func ledgerRecords(count: Int) throws -> [JSONValue] {
        _ = waitUntil { ((try? self.ledgerRecords()) ?? []).count >= count }
        return try ledgerRecords()
    }

    /// Stops the gateway and starts a new one on the same files (a restart).
    public func restartGateway() throws {
        stopGateway()
        service = try startService()
        gatewayStopped = false
    }

    /// Every ledger record written so far (flushing first).
    public func ledgerRecords() throws -> [JSONValue] {
        if !gatewayStopped { try service.gateway.context.accountant.ledger.flush() }
        let dir = path("ledger")
        var out: [JSONValue] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name.hasSuffix(".jsonl") {
            let text = String(decoding: try AtomicFile.read(dir + "/" + name), as: UTF8.self)
            for line in text.split(separator: "\n") { out.append(try JSONValue.parse(String(line))) }
        }
        return out
    }

    /// A runtime call with a bearer key (or none).
    public func call(_ operation: String, model: String, body: String? = nil, key: String? = GatewayHarness.clientKey,
              headers: [(String, String)] = [], client: TestHTTPClient? = nil) throws -> TestHTTPClient.Response {
        let c = try client ?? TestHTTPClient(port: port)
        var all = headers
        if let key { all.append(("Authorization", "Bearer \(key)")) }
        if !all.contains(where: { $0.0.lowercased() == "content-type" }) { all.append(("Content-Type", "application/json")) }
        let encoded = model.replacingOccurrences(of: ":", with: "%3A")
        return try c.request("POST", "/model/\(encoded)/\(operation)", headers: all, body: Array((body ?? Self.body(for: operation)).utf8))
    }

    public static func body(for operation: String) -> String {
        operation.hasPrefix("converse")
            ? #"{"messages": [{"role": "user", "content": [{"text": "Hello"}]}]}"#
            : #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64, "messages": [{"role": "user", "content": "Hello"}]}"#
    }
}
