import CShims
import Support

/// Signs requests with AWS Signature Version 4
/// ([create a signed AWS API request](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)).
///
/// The stages are named as in that page: ``canonicalRequest(_:extraHeaders:extraQuery:payloadHash:)``,
/// ``stringToSign(date:canonicalRequest:)``, the signing key (from ``SigV4SigningKeyCache``) and
/// ``signature(stringToSign:day:)``. The clock is a parameter, so signing is deterministic in tests.
/// A value type; safe to share between Dispatch queues (the key cache is locked).
public struct SigV4Signer: Sendable {
    /// The signing algorithm name.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// Choices that vary by service or by caller.
    public struct Options: Sendable {
        /// Remove `.`, `..` and empty path segments before encoding (true for every service but S3).
        public var normalizePath = true
        /// Percent-encode the wire path once more (`%3A` → `%253A`; true for every service but S3).
        public var encodePath = true
        /// Add and sign `x-amz-content-sha256` with the payload hash.
        public var addContentSHA256Header = false
        /// Sign `X-Amz-Security-Token`; when false it is added after signing (some STS flows want that).
        public var signSessionToken = true
        /// Lower-case names of headers never signed: they are changed by proxies or are the signature itself.
        public var unsignedHeaders: Set<String> = [
            "authorization", "user-agent", "expect", "x-amzn-trace-id", "connection", "transfer-encoding",
            "keep-alive", "proxy-connection", "te", "upgrade",
        ]

        /// The defaults for non-S3 services such as `bedrock`.
        public init() {}

        /// The defaults, built once (the unsigned-header set is a hashed set: not something to rebuild per request).
        public static let standard = Options()

        /// Whether a request header (named in any case) is signed: all but the unsigned set and the ones the signer
        /// adds itself.
        func signs(_ name: String) -> Bool {
            !name.equalsCaseInsensitively("x-amz-date") && !name.equalsCaseInsensitively("x-amz-security-token")
                && !name.equalsCaseInsensitively("x-amz-content-sha256")
                && !unsignedHeaders.contains(where: { $0.equalsCaseInsensitively(name) })
        }
    }

    /// The credentials to sign with.
    public let credentials: AWSCredentials
    /// The region of the credential scope, e.g. `us-east-1`.
    public let region: String
    /// The service of the credential scope, e.g. `bedrock`.
    public let service: String
    /// The signing options.
    public let options: Options
    private let keyCache: SigV4SigningKeyCache

    /// A signer for one credential set, region and service.
    public init(credentials: AWSCredentials, region: String, service: String, options: Options = .standard,
                keyCache: SigV4SigningKeyCache = .shared) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
        self.keyCache = keyCache
    }

    // MARK: Header signing

    /// Signs `request` for the time `date`, returning the headers to add.
    ///
    /// Any `Authorization`, `X-Amz-Date`, `X-Amz-Security-Token` or `x-amz-content-sha256` already in the request
    /// is ignored and must be replaced by the returned ones. `payloadHash` is the lower-case hex SHA-256 of the
    /// body (``SHA256/emptyStringHex`` for none; ``SHA256Hasher`` for a body that arrives in pieces).
    ///
    /// `host`, when given, is signed as the `host` header the client will send itself (libcurl writes `Host` from
    /// the URL), so the caller need not copy the request's headers to add it.
    public func sign(_ request: SigV4Request, payloadHash: String, date: SigV4Date, host: String? = nil) -> SigV4HeaderSignature {
        var added: [(name: String, value: String)] = [("X-Amz-Date", date.basic)]
        var signedExtra: [(name: String, value: String)] = [("x-amz-date", date.basic)]
        if let host { signedExtra.append(("host", host)) }
        if let token = credentials.sessionToken {
            added.append(("X-Amz-Security-Token", token))
            if options.signSessionToken { signedExtra.append(("x-amz-security-token", token)) }
        }
        if options.addContentSHA256Header {
            added.append(("x-amz-content-sha256", payloadHash))
            signedExtra.append(("x-amz-content-sha256", payloadHash))
        }
        let canonical = canonicalRequest(request, extraHeaders: signedExtra, payloadHash: payloadHash)
        let scope = scope(date)
        let toSign = Self.stringToSign(date: date, scope: scope, canonicalRequest: canonical)
        let signature = signature(stringToSign: toSign, day: date.day)
        let authorization = Self.joined(Self.algorithm, " Credential=", credentials.accessKeyId, "/", scope,
                                        ", SignedHeaders=", canonical.signedHeaders, ", Signature=", signature)
        added.append(("Authorization", authorization))
        return SigV4HeaderSignature(headers: added, authorization: authorization, signature: signature,
                                    canonicalRequest: canonical, stringToSign: toSign)
    }

    /// Signs `request` with the hash of `body` as payload hash.
    public func sign<Body: Collection>(_ request: SigV4Request, body: Body, date: SigV4Date)
        -> SigV4HeaderSignature where Body.Element == UInt8
    {
        sign(request, payloadHash: SHA256.hexDigest(body), date: date)
    }

    // MARK: Query signing

    /// Presigns `request`: the authentication goes into the query string, valid for `expires` seconds.
    /// `payloadHash` defaults to the empty body's hash (use `UNSIGNED-PAYLOAD` where the service allows it).
    public func presign(_ request: SigV4Request, expires: Int, payloadHash: String = SHA256.emptyStringHex,
                        date: SigV4Date) -> SigV4QuerySignature {
        let signedNames = SigV4CanonicalRequest(
            request, normalizePath: false, encodePath: false, payloadHash: "", include: { options.signs($0) }
        ).signedHeaders
        var params: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope(date))"),
            ("X-Amz-Date", date.basic),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", signedNames),
        ]
        let token = credentials.sessionToken
        if let token, options.signSessionToken { params.append(("X-Amz-Security-Token", token)) }
        let canonical = canonicalRequest(request, extraQuery: params, payloadHash: payloadHash)
        let toSign = stringToSign(date: date, canonicalRequest: canonical)
        let signature = signature(stringToSign: toSign, day: date.day)
        if let token, !options.signSessionToken { params.append(("X-Amz-Security-Token", token)) }
        params.append(("X-Amz-Signature", signature))
        var query = request.query
        for (name, value) in params {
            if !query.isEmpty { query += "&" }
            query += PercentEncoding.encode(name) + "=" + PercentEncoding.encode(value)
        }
        return SigV4QuerySignature(query: query, signature: signature, canonicalRequest: canonical,
                                   stringToSign: toSign)
    }

    // MARK: Stages

    /// Stage 1: the canonical request, signing every header except ``Options/unsignedHeaders`` and the ones the
    /// signer adds itself, plus `extraHeaders`.
    public func canonicalRequest(_ request: SigV4Request, extraHeaders: [(name: String, value: String)] = [],
                                 extraQuery: [(name: String, value: String)] = [],
                                 payloadHash: String) -> SigV4CanonicalRequest {
        SigV4CanonicalRequest(
            request, extraHeaders: extraHeaders, extraQuery: extraQuery, normalizePath: options.normalizePath,
            encodePath: options.encodePath, payloadHash: payloadHash, include: { options.signs($0) })
    }


    /// Stage 2: `AWS4-HMAC-SHA256 \n date \n scope \n hex(SHA256(canonical request))`.
    public func stringToSign(date: SigV4Date, canonicalRequest: SigV4CanonicalRequest) -> String {
        Self.stringToSign(date: date, scope: scope(date), canonicalRequest: canonicalRequest)
    }

    /// Stage 2 for any scope (the verifier uses the client's scope).
    static func stringToSign(date: SigV4Date, scope: String, canonicalRequest: SigV4CanonicalRequest) -> String {
        // One allocation: the digest stays on the stack and its hex is written in place.
        canonicalRequest.bytes.withUnsafeBytes { request in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SHA256.digestLength) { digest in
                tg_sha256(request.baseAddress, request.count, digest.baseAddress)
                let head = [algorithm, "\n", date.basic, "\n", scope, "\n"]
                return String(unsafeUninitializedCapacity: length(head) + 2 * SHA256.digestLength) { out in
                    var index = write(head, into: out)
                    for byte in digest {
                        out[index] = Hex.digit(byte >> 4)
                        out[index + 1] = Hex.digit(byte & 0x0F)
                        index += 2
                    }
                    return index
                }
            }
        }
    }

    /// Stages 3 and 4: the hex HMAC of the string to sign under the (cached) signing key of `day`.
    public func signature(stringToSign: String, day: Substring) -> String {
        let key = keyCache.signingKey(secretAccessKey: credentials.secretAccessKey,
                                      accessKeyId: credentials.accessKeyId, day: day, region: region,
                                      service: service)
        return HMAC.hexSHA256(key: key, data: stringToSign)
    }

    /// The credential scope `yyyyMMdd/region/service/aws4_request`.
    public func scope(_ date: SigV4Date) -> String {
        Self.joined(String(date.day), "/", region, "/", service, "/aws4_request")
    }

    /// The parts concatenated into one string with one allocation (interpolation grows the string part by part,
    /// and signing builds three such strings per request).
    static func joined(_ parts: String...) -> String {
        String(unsafeUninitializedCapacity: length(parts)) { write(parts, into: $0) }
    }

    /// The UTF-8 length of the parts together.
    private static func length(_ parts: [String]) -> Int {
        parts.reduce(0) { $0 + $1.utf8.count }
    }

    /// Writes the parts' UTF-8 one after the other at the start of `out`; returns how many bytes.
    private static func write(_ parts: [String], into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var index = 0
        for var part in parts {
            part.withUTF8 { bytes in
                guard let source = bytes.baseAddress, let target = out.baseAddress else { return }
                (target + index).initialize(from: source, count: bytes.count)
                index += bytes.count
            }
        }
        return index
    }
}
