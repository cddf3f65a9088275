import AWS
import FoundationEssentials
import IO

/// How an upstream request is authorised.
public enum UpstreamAuthorization: Sendable {
    /// SigV4 with a key pair (and session token).
    case sigV4(AWSCredentials)
    /// A Bedrock API key sent as `Authorization: Bearer`.
    case bearer(String)

    /// The headers that authorize one request: `Authorization: Bearer` for an API key; for key pairs, the SigV4
    /// signature headers ([AWS SigV4](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html))
    /// over `method`, `path`, `headers`, the `host` the client will send and `payloadHash`, for `service` in `region`.
    /// `canonicalURI` is `path`'s, when the caller keeps it (``UpstreamTarget/canonicalURI(for:)``).
    public func headers(method: String, path: String, host: String, signing headers: [(name: String, value: String)],
                        payloadHash: String, region: String, service: String = "bedrock",
                        date: SigV4Date = SigV4Date(Date()), canonicalURI: [UInt8]? = nil) -> [(name: String, value: String)] {
        switch self {
        case .bearer(let key):
            return [(name: "Authorization", value: "Bearer \(key)")]
        case .sigV4(let credentials):
            let signer = SigV4Signer(credentials: credentials, region: region, service: service)
            let request = SigV4Request(method: method, path: path, headers: headers, canonicalURI: canonicalURI)
            return signer.sign(request, payloadHash: payloadHash, date: date, host: host).headers
        }
    }
}

/// The named credential sets of the configuration, loaded once on first use and kept in memory (never logged).
/// A set that cannot be loaded is reported by name with the reason, and retried on the next request.
public final class UpstreamCredentials: @unchecked Sendable {
    private let sets: [String: CredentialSet]
    private let loaded = Locked<[String: UpstreamAuthorization]>([:])
    private let environment: @Sendable () -> [String: String]

    public init(sets: [String: CredentialSet],
                environment: @escaping @Sendable () -> [String: String] = { ProcessInfo.processInfo.environment }) {
        self.sets = sets
        self.environment = environment
    }

    /// The authorization for the set called `name`.
    public func authorization(for name: String) throws(BedrockError) -> UpstreamAuthorization {
        if let cached = loaded.withLock({ $0[name] }) { return cached }
        guard let set = sets[name] else {
            throw .internalServer("Upstream credential set '\(name)' is not configured")
        }
        let auth: UpstreamAuthorization
        do {
            switch set.source {
            case .standardEnvironment:
                auth = .sigV4(try AWSCredentialsProvider.load(.standardEnvironment, environment: environment()))
            case .environment(let id, let secret, let token):
                auth = .sigV4(try AWSCredentialsProvider.load(
                    .environmentVariables(accessKeyId: id, secretAccessKey: secret, sessionToken: token), environment: environment()))
            case .file(let path):
                auth = .sigV4(try AWSCredentialsProvider.load(.file(path: path), environment: environment()))
            case .bearerEnvironment(let variable):
                guard let key = environment()[variable], !key.isEmpty else {
                    throw AWSCredentialsBearerMissing(variable: variable)
                }
                auth = .bearer(key)
            }
        } catch {
            throw .internalServer("Upstream credential set '\(name)' is unavailable: \(error)")
        }
        loaded.withLock { $0[name] = auth }
        return auth
    }
}

private struct AWSCredentialsBearerMissing: Error, CustomStringConvertible {
    var variable: String
    var description: String { "environment variable \(variable) is not set" }
}
