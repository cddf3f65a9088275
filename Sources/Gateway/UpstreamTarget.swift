import AWS

/// Where one upstream attempt goes: the Bedrock endpoint, the model id Bedrock knows, and how to sign.
public struct UpstreamTarget: Sendable, Equatable {
    /// The catalogue id that chose this target (what `x-tollgate-model` reports).
    public var modelID: String
    /// The id or ARN sent to Bedrock in the path.
    public var upstreamModelID: String
    /// Signing region.
    public var region: String
    /// Base URL without a trailing slash, e.g. `https://bedrock-runtime.us-east-1.amazonaws.com`.
    public var endpoint: String
    /// The credential set to sign with.
    public var credentialSet: String

    public init(modelID: String, upstreamModelID: String, region: String, endpoint: String?, credentialSet: String) {
        self.modelID = modelID
        self.upstreamModelID = upstreamModelID
        self.region = region
        self.endpoint = endpoint ?? "https://bedrock-runtime.\(region).amazonaws.com"
        self.credentialSet = credentialSet
    }

    /// The request URL for `operation`.
    public func url(for operation: BedrockOperation) -> String {
        endpoint + BedrockPath(modelId: upstreamModelID, operation: operation).wirePath
    }

    /// The `Host` header libcurl sends for `endpoint` (the authority without a default port), which SigV4 signs.
    public var hostHeader: String {
        var rest = Substring(endpoint)
        var defaultPort = ""
        if rest.hasPrefix("https://") { rest = rest.dropFirst(8); defaultPort = ":443" }
        else if rest.hasPrefix("http://") { rest = rest.dropFirst(7); defaultPort = ":80" }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasSuffix(defaultPort) { rest = rest.dropLast(defaultPort.count) }
        return String(rest)
    }
}
