/// A Bedrock Runtime request path, `/model/{modelId}/{operation}`
/// ([InvokeModel request syntax](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_RequestSyntax)).
///
/// On the wire the model id is percent-encoded (SDKs encode everything outside the unreserved set: `:` is `%3A`,
/// `/` is `%2F`); ``modelId`` holds it decoded (`anthropic.claude-3-haiku-20240307-v1:0`, or an ARN).
public struct BedrockPath: Sendable, Hashable {
    /// Longest model id the API accepts.
    public static let maxModelIdLength = 2048

    /// The operation.
    public let operation: BedrockOperation
    /// The decoded model id, model ARN or inference-profile ARN.
    public let modelId: String

    /// A path for `modelId` and `operation`.
    public init(modelId: String, operation: BedrockOperation) {
        self.modelId = modelId
        self.operation = operation
    }

    /// Parses a wire path (a query, if any, is ignored). The operation is the last segment, so an id whose `/`
    /// was sent unencoded still parses. Nil when the path is not a runtime operation or the id is empty, longer
    /// than 2048 bytes, badly percent-encoded or not UTF-8.
    public init?(parsing path: String) {
        var utf8 = Substring(path).utf8[...]
        if let q = utf8.firstIndex(of: UInt8(ascii: "?")) { utf8 = utf8[..<q] }
        let prefix = "/model/".utf8
        guard utf8.starts(with: prefix) else { return nil }
        let rest = utf8.dropFirst(prefix.count)
        guard let slash = rest.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let encodedId = rest[..<slash]
        guard let operation = BedrockOperation(rawValue: String(Substring(rest[rest.index(after: slash)...]))),
            BedrockOperation.modelOperations.contains(operation),
            !encodedId.isEmpty, let decoded = PercentEncoding.decode(encodedId, strict: true),
            !decoded.isEmpty, decoded.count <= Self.maxModelIdLength,
            let modelId = String(validating: decoded, as: UTF8.self)
        else { return nil }
        self.init(modelId: modelId, operation: operation)
    }

    /// The wire path to send upstream: `/model/` + the id with every byte outside `A-Z a-z 0-9 - . _ ~`
    /// percent-encoded + `/` + the operation, or the operation's fixed path when the body names the model.
    public var wirePath: String {
        operation.fixedPath ?? "/model/" + Self.encodeModelId(modelId) + "/" + operation.pathSuffix
    }

    /// A model id encoded as one path segment (`:` → `%3A`, `/` → `%2F`).
    public static func encodeModelId(_ modelId: String) -> String {
        PercentEncoding.encode(modelId, keepSlash: false)
    }

    /// A path segment decoded (`%3A` → `:`); nil when an escape is malformed or the bytes are not UTF-8.
    public static func decodeSegment(_ segment: Substring) -> String? {
        guard let bytes = PercentEncoding.decode(segment.utf8, strict: true) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
