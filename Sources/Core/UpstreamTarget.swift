import Identity
import AWS

/// Where one upstream attempt goes: the Bedrock endpoint, the model id Bedrock knows, and how to sign.
///
/// Everything a request needs that depends only on the target — wire paths, URLs and the signed `Host` — is
/// computed once, when the target is made; targets are cached per catalogue snapshot (``UpstreamTargetCache``).
public final class UpstreamTarget: Sendable {
    /// The catalogue id that chose this target (what `x-tollgate-model` reports).
    public let modelID: String
    /// The id or ARN sent to Bedrock in the path.
    public let upstreamModelID: String
    /// Signing region.
    public let region: String
    /// Base URL without a trailing slash, e.g. `https://bedrock-runtime.us-east-1.amazonaws.com`.
    public let endpoint: String
    /// The credential set to sign with (or, with a `role`, to assume it with).
    public let credentialSet: String
    /// The role calls are made as, when the model names one: they are signed with its temporary credentials.
    public let role: AssumedRole?
    /// The `Host` header libcurl sends for `endpoint` (the authority without a default port), which SigV4 signs.
    public let hostHeader: String
    /// Wire path and full URL per operation, in `BedrockOperation.allCases` order.
    private let wirePaths: [String]
    private let urls: [String]
    /// The SigV4 canonical URI of each wire path, made once.
    private let canonicalURIs: [[UInt8]]

    public init(modelID: String, upstreamModelID: String, region: String, endpoint: String?, credentialSet: String,
                role: AssumedRole? = nil) {
        self.role = role
        self.modelID = modelID
        self.upstreamModelID = upstreamModelID
        self.region = region
        let endpoint = endpoint ?? "https://bedrock-runtime.\(region).amazonaws.com"
        self.endpoint = endpoint
        self.credentialSet = credentialSet
        self.hostHeader = Self.hostHeader(of: endpoint)
        let paths = BedrockOperation.allCases.map { BedrockPath(modelId: upstreamModelID, operation: $0).wirePath }
        self.wirePaths = paths
        self.urls = paths.map { endpoint + $0 }
        self.canonicalURIs = paths.map { SigV4CanonicalRequest.canonicalURI(of: $0) }
    }

    /// The path sent upstream for `operation` (the model id percent-encoded as one segment).
    public func wirePath(for operation: BedrockOperation) -> String { wirePaths[Self.index(of: operation)] }

    /// The SigV4 canonical URI of ``wirePath(for:)``.
    public func canonicalURI(for operation: BedrockOperation) -> [UInt8] { canonicalURIs[Self.index(of: operation)] }

    /// The request URL for `operation`.
    public func url(for operation: BedrockOperation) -> String { urls[Self.index(of: operation)] }

    /// The position of `operation` in `allCases`, the order the tables were built in.
    private static func index(of operation: BedrockOperation) -> Int {
        BedrockOperation.allCases.firstIndex(of: operation)!
    }

    public static func hostHeader(of endpoint: String) -> String {
        var rest = Substring(endpoint)
        var defaultPort = ""
        if rest.hasPrefix("https://") { rest = rest.dropFirst(8); defaultPort = ":443" }
        else if rest.hasPrefix("http://") { rest = rest.dropFirst(7); defaultPort = ":80" }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasSuffix(defaultPort) { rest = rest.dropLast(defaultPort.count) }
        return String(rest)
    }
}

/// The targets of one catalogue snapshot by model id, kept per event loop (so without a lock) and dropped when a
/// new snapshot is published.
final class UpstreamTargetCache {
    private weak var snapshot: AnyObject?
    private var targets: [String: UpstreamTarget] = [:]

    /// The cached target of `modelID` in `snapshot`, made with `make` on first use.
    func target(_ modelID: String, in snapshot: AnyObject, make: () -> UpstreamTarget) -> UpstreamTarget {
        if self.snapshot !== snapshot {
            self.snapshot = snapshot
            targets.removeAll(keepingCapacity: true)
        }
        if let target = targets[modelID] { return target }
        let target = make()
        targets[modelID] = target
        return target
    }
}
