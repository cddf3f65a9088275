import Accounting
import AWS
import Dispatch
import FoundationEssentials
import IO
import Support
import Upstream

/// A role a model's calls are made as (`provider_config.assume_role_arn` and `assume_role_external_id`): assumed
/// with the model's credential set, through STS in the model's region.
public struct AssumedRole: Hashable, Sendable {
    public var arn: String
    public var externalID: String?
    public var credentialSet: String
    public var region: String

    public init(arn: String, externalID: String?, credentialSet: String, region: String) {
        self.arn = arn
        self.externalID = externalID
        self.credentialSet = credentialSet
        self.region = region
    }
}

/// Temporary credentials of the roles models are called as, from STS `AssumeRole` (``STSAssumeRole``): fetched on a
/// role's first call, kept per role, and refreshed in the background five minutes before they expire, so once
/// warm no call waits for STS. A role that cannot be assumed fails its calls with Bedrock's 403
/// `AccessDeniedException` and is logged with the role (never the credentials).
public final class AssumedRoles: @unchecked Sendable {
    /// A failed renewal is retried this often while the old credentials last.
    public static let retryInterval: TimeInterval = 30
    /// How long before expiry credentials are renewed (5 minutes by default), and the shortest wait before a renewal.
    let refreshMargin: TimeInterval
    let minimumRefreshDelay: TimeInterval

    private typealias Waiter = (loop: EventLoop, done: @Sendable (Result<AWSCredentials, BedrockError>) -> Void)

    private struct Entry {
        var credentials: AWSCredentials?
        var expires = Date.distantPast
        var fetching = false
        var waiters: [Waiter] = []
        /// The loop whose upstream client fetches for this role.
        var loop: EventLoop?
        /// A failed assumption is the answer until then, so a role that cannot be assumed costs no STS call per request.
        var failure: (error: BedrockError, until: Date)?
        var timer: DispatchSourceTimer?
    }

    private let entries = Locked<[AssumedRole: Entry]>([:])
    private let settings: CallSettings
    private let credentials: UpstreamCredentials
    private let logger: Logger
    private let client: @Sendable (EventLoop) -> UpstreamClient

    public init(settings: CallSettings, credentials: UpstreamCredentials, logger: Logger,
                refreshMargin: TimeInterval = 300, minimumRefreshDelay: TimeInterval = 10,
                client: @escaping @Sendable (EventLoop) -> UpstreamClient) {
        self.refreshMargin = refreshMargin
        self.minimumRefreshDelay = minimumRefreshDelay
        self.settings = settings
        self.credentials = credentials
        self.logger = logger
        self.client = client
    }

    deinit {
        entries.withLock { $0.values.forEach { $0.timer?.cancel() } }
    }

    /// The role's credentials while they are valid.
    public func current(_ role: AssumedRole, now: Date = Date()) -> AWSCredentials? {
        entries.withLock { all in
            guard let entry = all[role], let credentials = entry.credentials, entry.expires > now else { return nil }
            return credentials
        }
    }

    /// Calls `completion` on `loop` once every role in `roles` has valid credentials or has failed, with the
    /// failures by role; at once (synchronously) when all are warm.
    public func ensure(_ roles: Set<AssumedRole>, on loop: EventLoop,
                       completion: @escaping @Sendable ([AssumedRole: BedrockError]) -> Void) {
        let missing = roles.filter { current($0) == nil }
        guard !missing.isEmpty else { return completion([:]) }
        let pending = Locked((count: missing.count, failures: [AssumedRole: BedrockError]()))
        for role in missing {
            wait(for: role, on: loop) { result in
                let finished = pending.withLock { state -> [AssumedRole: BedrockError]? in
                    if case .failure(let error) = result { state.failures[role] = error }
                    state.count -= 1
                    return state.count == 0 ? state.failures : nil
                }
                if let finished { completion(finished) }
            }
        }
    }

    private func wait(for role: AssumedRole, on loop: EventLoop, _ done: @escaping @Sendable (Result<AWSCredentials, BedrockError>) -> Void) {
        let remembered = entries.withLock { all -> BedrockError? in
            guard let failure = all[role]?.failure, failure.until > Date() else { return nil }
            return failure.error
        }
        if let remembered { return done(.failure(remembered)) }
        let start = entries.withLock { all -> Bool in
            var entry = all[role] ?? Entry()
            entry.waiters.append((loop, done))
            entry.loop = entry.loop ?? loop
            let start = !entry.fetching
            entry.fetching = true
            all[role] = entry
            return start
        }
        if start { fetch(role, on: loop) }
    }

    /// Asks STS, on `loop`'s upstream client.
    private func fetch(_ role: AssumedRole, on loop: EventLoop) {
        loop.execute { [self] in
            let request: UpstreamRequest
            do throws(BedrockError) {
                request = try assumeRoleRequest(role)
            } catch {
                return finished(role, .failure(error))
            }
            WholeResponse.fetch(request, with: client(loop)) { [self] answer in
                switch answer {
                case .failure(let error):
                    finished(role, .failure(.accessDenied("STS could not be reached to assume the model's role (\(error.name)).")))
                case .success(let (status, body)):
                    switch STSAssumeRole.outcome(status: status, body: body) {
                    case .credentials(let credentials):
                        finished(role, .success(credentials))
                    case .failure(let code, let message):
                        finished(role, .failure(.accessDenied("AssumeRole failed: \(code): \(message)")))
                    }
                }
            }
        }
    }

    /// The signed `AssumeRole` request: the form body, SigV4 for `sts` in the role's region with the credential set.
    private func assumeRoleRequest(_ role: AssumedRole) throws(BedrockError) -> UpstreamRequest {
        guard case .sigV4(let base) = try credentials.authorization(for: role.credentialSet) else {
            throw .accessDenied("The credential set '\(role.credentialSet)' is a Bedrock API key and cannot assume \(role.arn).")
        }
        let endpoint = settings.stsEndpoint ?? "https://sts.\(role.region).amazonaws.com"
        let body = STSAssumeRole.Request(roleARN: role.arn, sessionName: Self.sessionName(for: role.credentialSet), externalID: role.externalID).formBody
        var headers: [(name: String, value: String)] = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        headers.append(contentsOf: UpstreamAuthorization.sigV4(base).headers(
            method: "POST", path: "/", host: UpstreamTarget.hostHeader(of: endpoint), signing: headers,
            payloadHash: SHA256.hexDigest(body), region: role.region, service: "sts"))
        return UpstreamRequest(method: "POST", url: endpoint + "/", headers: headers, body: body)
    }

    /// `RoleSessionName` for a credential set: `tollgate-` and the set's name, in the characters and length STS
    /// accepts (`[\w+=,.@-]{2,64}`,
    /// [AssumeRole](https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)); others become `-`.
    static func sessionName(for credentialSet: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-")
        return String(("tollgate-" + credentialSet).map { allowed.contains($0) ? $0 : "-" }.prefix(64))
    }

    private func finished(_ role: AssumedRole, _ result: Result<STSAssumeRole.Credentials, BedrockError>) {
        let outcome: Result<AWSCredentials, BedrockError>
        var expires = Date.distantPast
        switch result {
        case .success(let temporary):
            if let date = Timestamp.parse(temporary.expiration) {
                expires = date
                outcome = .success(AWSCredentials(accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey,
                                                  sessionToken: temporary.sessionToken))
            } else {
                outcome = .failure(.accessDenied("STS answered an unreadable expiration for \(role.arn)."))
            }
        case .failure(let error):
            outcome = .failure(error)
        }
        let (waiters, stillValid) = entries.withLock { all -> ([Waiter], Bool) in
            var entry = all[role] ?? Entry()
            switch outcome {
            case .success(let credentials):
                entry.credentials = credentials
                entry.expires = expires
                entry.failure = nil
            case .failure(let error):
                entry.failure = (error, Date().addingTimeInterval(Self.retryInterval))
            }
            entry.fetching = false
            let waiters = entry.waiters
            entry.waiters = []
            all[role] = entry
            return (waiters, entry.credentials != nil && entry.expires > Date())
        }
        switch outcome {
        case .success:
            logger.info("assume_role_succeeded", ["role": .string(role.arn), "expires": .string(RFC3339.format(expires))])
            schedule(role, in: max(minimumRefreshDelay, expires.timeIntervalSinceNow - refreshMargin))
        case .failure(let error):
            logger.error("assume_role_failed", ["role": .string(role.arn), "credentials": .string(role.credentialSet),
                                                "error": .string(error.message)])
            if stillValid { schedule(role, in: Self.retryInterval) }
        }
        // A renewal that failed while the old credentials last fails no call.
        let answer: Result<AWSCredentials, BedrockError>
        if case .failure = outcome, let kept = current(role) { answer = .success(kept) } else { answer = outcome }
        for waiter in waiters {
            waiter.loop.execute { waiter.done(answer) }
        }
    }

    /// Renews `role`'s credentials after `seconds`, in the background.
    private func schedule(_ role: AssumedRole, in seconds: TimeInterval) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + seconds)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let loop = entries.withLock { all -> EventLoop? in
                guard var entry = all[role], !entry.fetching, let loop = entry.loop else { return nil }
                entry.fetching = true
                entry.timer = nil
                all[role] = entry
                return loop
            }
            if let loop { fetch(role, on: loop) }
        }
        entries.withLock { all in
            all[role]?.timer?.cancel()
            all[role]?.timer = timer
        }
        timer.resume()
    }
}
