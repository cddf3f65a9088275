/// An ApplyGuardrail request path, `/guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`
/// ([ApplyGuardrail](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html)).
/// The identifier (an id or a guardrail ARN, whose `/` SDKs send as `%2F`) and the version are held decoded.
public struct GuardrailPath: Sendable, Hashable {
    /// The guardrail id or ARN.
    public let identifier: String
    /// The version: a number or `DRAFT`.
    public let version: String

    public init(identifier: String, version: String) {
        self.identifier = identifier
        self.version = version
    }

    /// Parses a wire path (a query, if any, is ignored); nil when it is not an ApplyGuardrail path.
    public init?(parsing path: String) {
        var text = Substring(path)
        if let q = text.firstIndex(of: "?") { text = text[..<q] }
        guard text.hasPrefix("/guardrail/"), text.hasSuffix("/apply") else { return nil }
        let middle = text.dropFirst("/guardrail/".count).dropLast("/apply".count)
        guard let marker = middle.ranges(of: "/version/").last else { return nil }
        let encodedID = middle[..<marker.lowerBound], encodedVersion = middle[marker.upperBound...]
        guard !encodedID.isEmpty, !encodedVersion.isEmpty, encodedID.utf8.count <= 3 * 2048, encodedVersion.utf8.count <= 16,
              let id = PercentEncoding.decode(encodedID.utf8, strict: true).flatMap({ String(validating: $0, as: UTF8.self) }),
              let version = PercentEncoding.decode(encodedVersion.utf8, strict: true).flatMap({ String(validating: $0, as: UTF8.self) }),
              !id.isEmpty, version == "DRAFT" || (version.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && Int(version).map { $0 > 0 } == true)
        else { return nil }
        self.init(identifier: id, version: version)
    }

    /// The wire path to send upstream, every byte of the identifier outside `A-Z a-z 0-9 - . _ ~` encoded.
    public var wirePath: String {
        "/guardrail/" + PercentEncoding.encode(identifier, keepSlash: false) + "/version/" + version + "/apply"
    }
}
