import BedrockHTTP
import AWS
import Dispatch
import FoundationEssentials
import HTTP
import IO
import Support

/// A Bedrock Runtime stand-in: verifies SigV4 with Tollgate's own verifier and answers the four runtime operations
/// in Bedrock's wire formats, with scripted failures. Tests and the demo point Tollgate's upstream at it.
///
/// Control endpoints (no signature; loopback use only): `POST /_standin/rules` (a rule object or a list, replacing
/// the script), `DELETE /_standin/rules`, `GET /_standin/stats`.
public final class StandInServer: @unchecked Sendable {
    /// Who may call the stand-in.
    public struct Configuration: Sendable {
        /// SigV4 key pairs: access key id → secret.
        public var credentials: [String: String]
        /// Bedrock API keys accepted as `Authorization: Bearer`.
        public var bearerKeys: Set<String>
        /// Where to listen.
        public var address: SocketAddress
        /// Event loops.
        public var workers: Int
        /// Roles STS `AssumeRole` grants: role ARN → the external id it requires (nil: none).
        public var roles: [String: String?]

        public init(credentials: [String: String] = ["AKIDSTANDIN": "standin-secret"], bearerKeys: Set<String> = [],
                    address: SocketAddress = SocketAddress(parsing: "127.0.0.1:0")!, workers: Int = 1,
                    roles: [String: String?] = [:]) {
            self.credentials = credentials
            self.bearerKeys = bearerKeys
            self.address = address
            self.workers = workers
            self.roles = roles
        }
    }

    public let configuration: Configuration
    let server: HTTPServer
    let state = Locked(State())

    struct State {
        var rules: [StandInRule] = []
        var stats = StandInStats()
        /// Temporary credentials STS handed out: access key id → secret and session token.
        var temporary: [String: (secret: String, sessionToken: String)] = [:]
        /// STS answers held back while the test holds them (nil: answered at once).
        var heldRoleAnswers: [@Sendable () -> Void]?
    }

    /// Starts listening.
    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        let responder = StandInResponder()
        var serverConfig = HTTPServerConfiguration(addresses: [configuration.address], workers: configuration.workers)
        serverConfig.writeHighWaterMark = 64 * 1024
        serverConfig.writeLowWaterMark = 16 * 1024
        serverConfig.answerLikeBedrock()
        self.server = HTTPServer(configuration: serverConfig, responder: responder)
        responder.owner = self
        try server.start()
    }

    /// The bound port.
    public var port: UInt16 { server.localAddresses[0].port }
    /// `http://127.0.0.1:<port>`, for Tollgate's `upstream.endpoint`.
    public var endpoint: String { "http://\(server.localAddresses[0])" }

    /// Replaces the script.
    public func script(_ rules: [StandInRule]) {
        state.withLock { $0.rules = rules }
    }

    /// A copy of the stats.
    public var stats: StandInStats { state.get().stats }

    /// Clears the stats.
    public func resetStats() {
        state.withLock { $0.stats = StandInStats() }
    }

    /// Holds STS `AssumeRole` answers back until ``releaseRoleAssumptions()``, so a test can act while Tollgate
    /// waits for a role's credentials.
    public func holdRoleAssumptions() {
        state.withLock { $0.heldRoleAnswers = $0.heldRoleAnswers ?? [] }
    }

    /// How many `AssumeRole` requests are being held.
    public var heldRoleAssumptions: Int { state.get().heldRoleAnswers?.count ?? 0 }

    /// Answers the held `AssumeRole` requests and stops holding.
    public func releaseRoleAssumptions() {
        let held = state.withLock { s in
            defer { s.heldRoleAnswers = nil }
            return s.heldRoleAnswers ?? []
        }
        for answer in held { answer() }
    }

    /// Keeps `answer` for ``releaseRoleAssumptions()`` when answers are held; false when it should run now.
    func holdRoleAnswer(_ answer: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { s in
            guard s.heldRoleAnswers != nil else { return false }
            s.heldRoleAnswers!.append(answer)
            return true
        }
    }

    /// Stops the server.
    public func shutdown() {
        let done = DispatchSemaphore(value: 0)
        server.shutdown(gracePeriod: .milliseconds(200)) { done.signal() }
        done.wait()
    }

    /// Consumes the first rule matching the call (decrementing `times`).
    func takeRule(model: String, operation: String) -> StandInRule? {
        state.withLock { s in
            guard let i = s.rules.firstIndex(where: { $0.matches(model: model, operation: operation) }) else { return nil }
            let rule = s.rules[i]
            if let times = rule.times {
                if times <= 1 { s.rules.remove(at: i) } else { s.rules[i].times = times - 1 }
            }
            return rule
        }
    }

    func secret(for accessKeyID: String) -> String? {
        configuration.credentials[accessKeyID] ?? state.withLock { $0.temporary[accessKeyID]?.secret }
    }
}
