/// What the shared core needs to make upstream calls: the default region and endpoint, timeouts, the credential sets,
/// the retry policy and the guardrails callers may apply. The server module reads them from `tollgate.json`.
public struct CallSettings: Sendable {
    public var region: String
    public var endpoint: String?
    public var connectTimeout: Duration
    public var upstreamIdleTimeout: Duration
    public var upstreamTotalTimeout: Duration?
    public var credentials: [String: CredentialSet]
    public var retry: RetryPolicy
    public var guardrails: [String: GuardrailConfiguration]
    /// Where STS `AssumeRole` calls go (`upstream.sts_endpoint`); nil for `https://sts.{region}.amazonaws.com`.
    public var stsEndpoint: String?

    public init(
        region: String = "us-east-1", endpoint: String? = nil, connectTimeout: Duration = .seconds(5),
        upstreamIdleTimeout: Duration = .seconds(60), upstreamTotalTimeout: Duration? = nil,
        credentials: [String: CredentialSet] = [:], retry: RetryPolicy = RetryPolicy(),
        guardrails: [String: GuardrailConfiguration] = [:], stsEndpoint: String? = nil
    ) {
        self.region = region
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.upstreamIdleTimeout = upstreamIdleTimeout
        self.upstreamTotalTimeout = upstreamTotalTimeout
        self.credentials = credentials
        self.retry = retry
        self.guardrails = guardrails
        self.stsEndpoint = stsEndpoint
    }

    /// Whether `region` reads like an AWS region name (`us-east-1`, `us-gov-west-1`): lowercase words and a number.
    public static func isValidRegion(_ region: String) -> Bool {
        let parts = region.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, Int(last) != nil else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLetter && $0.isLowercase } }
    }
}

/// A named set of upstream credentials. Secrets are never written in the config: it names where to read them.
public struct CredentialSet: Sendable, Equatable {
    /// Where the secret material comes from.
    public enum Source: Sendable, Equatable {
        /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` of the process.
        case standardEnvironment
        /// Environment variables with the given names.
        case environment(accessKeyID: String, secretAccessKey: String, sessionToken: String?)
        /// A file (see README) holding the key pair.
        case file(String)
        /// A Bedrock API key sent as `Authorization: Bearer`, read from this environment variable.
        case bearerEnvironment(String)
    }
    public var name: String
    public var source: Source

    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }
}
