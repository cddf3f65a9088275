import Support

/// Verifies SigV4-signed requests, the signer's code the other way round
/// ([create a signed request](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html);
/// errors as in [common errors](https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html)).
///
/// Accepts what boto3 sends for `bedrock-runtime` (double-encoded paths, any signed header set that includes
/// `host` and `x-amz-date`). Failures are ``BedrockError``s with AWS's names, all 403:
/// `MissingAuthenticationTokenException` (no `Authorization`), `IncompleteSignatureException` (malformed),
/// `UnrecognizedClientException` (unknown key id), `InvalidSignatureException` (wrong signature, scope, payload
/// hash or a time outside the skew window). Safe to share between Dispatch queues.
public struct SigV4Verifier: Sendable {
    /// Returns the secret access key of a key id, or nil when the key is unknown.
    public typealias SecretLookup = @Sendable (_ accessKeyId: String) -> String?

    /// The service the credential scope must name (e.g. `bedrock`).
    public let service: String
    /// The region the credential scope must name; nil accepts any region (a gateway serving several).
    public let region: String?
    /// How far the signing time may be from now, either way (AWS: 15 minutes).
    public let allowedSkewSeconds: Int64
    /// Whether paths are normalised before encoding (true for every service but S3).
    public let normalizePath: Bool
    private let lookup: SecretLookup
    private let keyCache: SigV4SigningKeyCache

    /// A verifier for one service.
    public init(service: String, region: String? = nil, allowedSkewSeconds: Int64 = 900, normalizePath: Bool = true,
                keyCache: SigV4SigningKeyCache = .shared, secret: @escaping SecretLookup) {
        self.service = service
        self.region = region
        self.allowedSkewSeconds = allowedSkewSeconds
        self.normalizePath = normalizePath
        self.keyCache = keyCache
        self.lookup = secret
    }

    /// Verifies `request` whose body is `body`.
    public func verify<Body: Collection>(_ request: SigV4Request, body: Body, now: SigV4Date) throws(BedrockError)
        -> SigV4Identity where Body.Element == UInt8
    {
        try verify(request, bodySHA256Hex: SHA256.hexDigest(body), now: now)
    }

    /// Verifies `request` given the lower-case hex SHA-256 of the body it carried (from ``SHA256Hasher`` when
    /// the body was read in pieces).
    public func verify(_ request: SigV4Request, bodySHA256Hex: String, now: SigV4Date) throws(BedrockError)
        -> SigV4Identity
    {
        guard let header = request.header("authorization") else { throw .missingAuthenticationToken() }
        let auth = try SigV4Authorization(parsing: header)
        let signed = Set(auth.signedHeaders)
        guard signed.contains("host") else {
            throw .incompleteSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.")
        }
        guard signed.contains("x-amz-date") else {
            throw .incompleteSignature("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
        }
        guard let dateText = request.header("x-amz-date"), let date = SigV4Date(basic: dateText) else {
            throw .incompleteSignature(
                "Date must be in ISO-8601 'basic format'. Got '\(request.header("x-amz-date") ?? "")'. "
                    + "See http://en.wikipedia.org/wiki/ISO_8601")
        }
        guard date.day == auth.day else {
            throw .invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                                    + "date from HTTP: '\(auth.day)' != '\(date.day)', from '\(date.basic)'.")
        }
        guard auth.service == service else {
            throw .invalidSignature("Credential should be scoped to correct service: '\(service)'.")
        }
        if let region, auth.region != region {
            throw .invalidSignature("Credential should be scoped to a valid region.")
        }
        try checkSkew(date: date, now: now)
        guard let secret = lookup(auth.accessKeyId) else { throw .unrecognizedClient() }

        var payloadHash = bodySHA256Hex
        if let claimed = request.header("x-amz-content-sha256") {
            guard ConstantTime.equals(claimed.lowercased(), bodySHA256Hex) else {
                throw .invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.")
            }
            payloadHash = claimed
        }
        let canonical = SigV4CanonicalRequest(
            request, normalizePath: normalizePath, encodePath: true, payloadHash: payloadHash,
            include: { name in
                // One hash per header, whatever the length of the client's list (it is the client's to make long).
                signed.contains(name) || (name.utf8.contains { ASCIICase.lower($0) != $0 } && signed.contains(name.lowercased()))
            })
        let toSign = SigV4Signer.stringToSign(date: date, scope: auth.scope, canonicalRequest: canonical)
        let key = keyCache.signingKey(secretAccessKey: secret, accessKeyId: auth.accessKeyId,
                                      day: date.day, region: auth.region, service: auth.service)
        let expected = Hex.encode(HMAC.sha256(key: key, data: toSign))
        guard canonical.signedHeaders == auth.signedHeaders.joined(separator: ";"),
            ConstantTime.equals(expected, auth.signature.lowercased())
        else { throw .invalidSignature() }
        return SigV4Identity(accessKeyId: auth.accessKeyId, region: auth.region, service: auth.service,
                             date: date, sessionToken: request.header("x-amz-security-token"))
    }

    /// Rejects a signing time more than ``allowedSkewSeconds`` before or after `now`, with AWS's wording.
    private func checkSkew(date: SigV4Date, now: SigV4Date) throws(BedrockError) {
        let skew = allowedSkewSeconds
        let minutes = skew / 60
        if date.secondsSince1970 < now.secondsSince1970 - skew {
            let limit = SigV4Date(secondsSince1970: now.secondsSince1970 - skew)
            throw .invalidSignature("Signature expired: \(date.basic) is now earlier than \(limit.basic) "
                                    + "(\(now.basic) - \(minutes) min.)")
        }
        if date.secondsSince1970 > now.secondsSince1970 + skew {
            let limit = SigV4Date(secondsSince1970: now.secondsSince1970 + skew)
            throw .invalidSignature("Signature not yet current: \(date.basic) is still later than \(limit.basic) "
                                    + "(\(now.basic) + \(minutes) min.)")
        }
    }
}
