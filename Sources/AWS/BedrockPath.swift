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
        var path = path
        guard let (modelId, operation) = path.withUTF8({ Self.parse($0) }) else { return nil }
        self.init(modelId: modelId, operation: operation)
    }

    /// The operations a path can name, with their last segments as bytes.
    private static let suffixes: [(bytes: [UInt8], operation: BedrockOperation)] =
        BedrockOperation.modelOperations.map { (Array($0.pathSuffix.utf8), $0) }

    /// ``init(parsing:)`` on the path's bytes, in place.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (String, BedrockOperation)? {
        var end = bytes.count
        if let q = bytes.firstIndex(of: UInt8(ascii: "?")) { end = q }
        let prefix: StaticString = "/model/"
        let prefixCount = prefix.utf8CodeUnitCount
        guard end > prefixCount, prefix.withUTF8Buffer({ $0.elementsEqual(bytes[0..<prefixCount]) }) else { return nil }
        var slash = end - 1
        while slash >= prefixCount && bytes[slash] != UInt8(ascii: "/") { slash -= 1 }
        guard slash > prefixCount else { return nil }  // no slash after the prefix, or an empty id
        let suffix = bytes[(slash + 1)..<end]
        guard let operation = suffixes.first(where: { $0.bytes.elementsEqual(suffix) })?.operation else { return nil }
        let encoded = UnsafeBufferPointer(rebasing: bytes[prefixCount..<slash])
        let modelId: String?
        if encoded.contains(UInt8(ascii: "%")) {
            guard let decoded = PercentEncoding.decode(encoded, strict: true), !decoded.isEmpty,
                  decoded.count <= maxModelIdLength else { return nil }
            modelId = String(validating: decoded, as: UTF8.self)
        } else {
            guard encoded.count <= maxModelIdLength else { return nil }
            modelId = String(validating: encoded, as: UTF8.self)
        }
        guard let modelId else { return nil }
        return (modelId, operation)
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
