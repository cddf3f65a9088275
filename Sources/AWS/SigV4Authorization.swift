/// A parsed SigV4 `Authorization` header
/// ([signature elements](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html)):
///
/// ```
/// AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=…
/// ```
public struct SigV4Authorization: Sendable, Hashable {
    /// The access key id from the credential.
    public let accessKeyId: String
    /// The credential scope's date, `yyyyMMdd`.
    public let day: String
    /// The credential scope's region.
    public let region: String
    /// The credential scope's service.
    public let service: String
    /// The signed header names, as listed (lower-case, `;`-separated in the header).
    public let signedHeaders: [String]
    /// The hex signature.
    public let signature: String

    /// The credential scope `day/region/service/aws4_request`.
    public var scope: String { "\(day)/\(region)/\(service)/aws4_request" }

    /// Parses a header value; throws `IncompleteSignatureException` with AWS-like messages when parts are
    /// missing or malformed.
    public init(parsing value: String) throws(BedrockError) {
        let prefix = SigV4Signer.algorithm + " "
        guard value.hasPrefix(prefix) else {
            let algorithm = value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            throw .incompleteSignature("Unsupported AWS 'algorithm': '\(algorithm)'")
        }
        var credential: Substring?
        var signedHeaders: Substring?
        var signature: Substring?
        for part in value.dropFirst(prefix.count).split(separator: ",") {
            let trimmed = part.drop(while: { $0 == " " })
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw .incompleteSignature("Authorization header requires each component to be of the form key=value.")
            }
            let key = trimmed[..<eq]
            let val = trimmed[trimmed.index(after: eq)...].trimmingSuffix(" ")
            switch key {
            case "Credential": credential = val
            case "SignedHeaders": signedHeaders = val
            case "Signature": signature = val
            default: break
            }
        }
        var missing: [String] = []
        if credential == nil { missing.append("Authorization header requires 'Credential' parameter.") }
        if signature == nil { missing.append("Authorization header requires 'Signature' parameter.") }
        if signedHeaders == nil { missing.append("Authorization header requires 'SignedHeaders' parameter.") }
        guard let credential, let signedHeaders, let signature else {
            throw .incompleteSignature(missing.joined(separator: " "))
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard scope.count == 5, !scope[0].isEmpty, scope[1].count == 8, !scope[2].isEmpty, !scope[3].isEmpty else {
            throw .incompleteSignature("Credential should have 5 parts: access key/date/region/service/aws4_request, "
                                       + "got '\(credential.split(separator: "/").dropFirst().joined(separator: "/"))'.")
        }
        guard scope[4] == "aws4_request" else {
            throw .incompleteSignature("Credential should be scoped with a valid terminator: 'aws4_request', not '\(scope[4])'.")
        }
        guard !signature.isEmpty, signature.utf8.allSatisfy({ Hex.value(of: $0) != nil }) else {
            throw .incompleteSignature("Signature should be hexadecimal.")
        }
        accessKeyId = String(scope[0])
        day = String(scope[1])
        region = String(scope[2])
        service = String(scope[3])
        self.signedHeaders = signedHeaders.split(separator: ";").map(String.init)
        self.signature = String(signature)
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ c: Character) -> Substring {
        var s = self
        while s.last == c { s = s.dropLast() }
        return s
    }
}
