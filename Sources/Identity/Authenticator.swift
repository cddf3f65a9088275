import AWS
import FoundationEssentials
import HTTP
import Support

/// Establishes who is calling, the way Bedrock clients authenticate: a Bedrock API key
/// (`Authorization: Bearer`, what boto3 sends when `AWS_BEARER_TOKEN_BEDROCK` is set), `x-api-key`, or a SigV4
/// signature made with a Tollgate access key id and secret (so an unmodified AWS SDK works). Failures are an
/// ``AuthFailure``, which each face words in its own protocol.
public struct Authenticator: Sendable {
    let keys: KeyStore
    let now: @Sendable () -> Date

    /// Authenticates against `keys`' current snapshot, at the time `now` says (SigV4's clock window, expiry).
    public init(keys: KeyStore, now: @escaping @Sendable () -> Date) {
        self.keys = keys
        self.now = now
    }

    /// Who is calling. A request must carry one credential: two `Authorization` fields, two `x-api-key` fields, a
    /// SigV4 signature beside an `x-api-key`, or a bearer token and an `x-api-key` that differ are refused (403)
    /// rather than resolved by "first wins", which an intermediary that reads the other one would disagree with.
    public func authenticate(_ head: HTTPRequestHead, body: [UInt8]) throws(AuthFailure) -> Caller {
        let snapshot = keys.snapshot
        let (authorization, apiKey) = try credentials(in: head)
        if let authorization, authorization.hasPrefix("AWS4-HMAC-SHA256") {
            if apiKey != nil { throw Self.conflicting("both a SigV4 signature and an x-api-key") }
            return try verifySigV4(head, body: body, snapshot: snapshot)
        }
        let presented: String?
        if let authorization, authorization.utf8.count > 7, authorization.utf8.prefix(7).elementsEqual("Bearer ".utf8, by: { $0 | 0x20 == $1 | 0x20 }) {
            // Trim ASCII spaces and tabs on bytes (Foundation's character-set trimming cost more than the key's hash).
            var token = authorization.utf8.dropFirst(7)
            while let first = token.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
            while let last = token.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
            presented = String(Substring(token))
            if let apiKey, apiKey != presented { throw Self.conflicting("a bearer token and an x-api-key that differ") }
        } else {
            presented = apiKey
        }
        guard let presented, !presented.isEmpty else {
            throw .missingCredentials("Missing Authentication Token")
        }
        let hash = KeyHash.hash(presented)
        // The dictionary finds the candidate; the final comparison is constant-time.
        guard let key = snapshot.byHash[hash], let stored = key.hash, ConstantTime.equals(hash, stored) else {
            throw .unrecognizedKey("The security token included in the request is invalid.")
        }
        return try admit(key)
    }

    /// Who is calling, from the head alone: for `Expect: 100-continue`, where the body may be sent only once the
    /// credentials hold (RFC 9110 §10.1.1 lets a server answer the final status instead). Keys are checked in full; a
    /// SigV4 signature is verified against `x-amz-content-sha256` when the client sends it, otherwise its key id and
    /// the key's state are (the signature itself is verified once the body is there, as for every request).
    public func authenticateHead(_ head: HTTPRequestHead) throws(AuthFailure) -> Caller {
        let (authorization, apiKey) = try credentials(in: head)
        guard let authorization, authorization.hasPrefix("AWS4-HMAC-SHA256") else {
            return try authenticate(head, body: [])
        }
        if apiKey != nil { throw Self.conflicting("both a SigV4 signature and an x-api-key") }
        let snapshot = keys.snapshot
        if let declared = head.headers["x-amz-content-sha256"], declared.utf8.count == 64, declared.utf8.allSatisfy(\.isHexDigit) {
            let verifier = SigV4Verifier(service: "bedrock") { snapshot.secrets[$0] }
            let request = SigV4Request(method: head.method, target: head.target, headers: head.headers.fields)
            let identity: SigV4Identity
            do throws(BedrockError) {
                identity = try verifier.verify(request, bodySHA256Hex: declared.lowercased(), now: SigV4Date(now()))
            } catch {
                throw AuthFailure(signature: error)
            }
            guard let key = snapshot.byAccessKeyID[identity.accessKeyId] else { throw .unrecognizedKey("The security token included in the request is invalid.") }
            return try admit(key)
        }
        let parsed: SigV4Authorization
        do throws(BedrockError) {
            parsed = try SigV4Authorization(parsing: authorization)
        } catch {
            throw AuthFailure(signature: error)
        }
        guard let key = snapshot.byAccessKeyID[parsed.accessKeyId] else {
            throw .unrecognizedKey("The security token included in the request is invalid.")
        }
        return try admit(key)
    }

    /// Why the credentials in `head` do not hold, or nil when they do (or when a SigV4 signature can only be checked
    /// with the body): what every face asks before `100 Continue` (see ``authenticateHead(_:)``).
    public func failureBeforeBody(_ head: HTTPRequestHead) -> AuthFailure? {
        do {
            _ = try authenticateHead(head)
            return nil
        } catch {
            return error
        }
    }

    /// The `Authorization` and `x-api-key` values, each of which may appear at most once. One pass over the fields,
    /// comparing only names of the right length.
    private func credentials(in head: HTTPRequestHead) throws(AuthFailure) -> (authorization: String?, apiKey: String?) {
        var authorization: String?, apiKey: String?
        for field in head.headers.fields {
            switch field.name.utf8.count {
            case 13 where field.name.equalsCaseInsensitively("Authorization"):
                if authorization != nil { throw Self.conflicting("more than one Authorization header") }
                authorization = field.value
            case 9 where field.name.equalsCaseInsensitively("x-api-key"):
                if apiKey != nil { throw Self.conflicting("more than one x-api-key header") }
                apiKey = field.value
            default:
                continue
            }
        }
        return (authorization, apiKey)
    }

    private static func conflicting(_ what: String) -> AuthFailure {
        .unrecognizedKey("The request carries \(what); send exactly one credential.")
    }

    private func verifySigV4(_ head: HTTPRequestHead, body: [UInt8], snapshot: KeyStore.Snapshot) throws(AuthFailure) -> Caller {
        let verifier = SigV4Verifier(service: "bedrock") { snapshot.secrets[$0] }
        let request = SigV4Request(method: head.method, target: head.target, headers: head.headers.fields)
        let identity: SigV4Identity
        do throws(BedrockError) {
            identity = try verifier.verify(request, body: body, now: SigV4Date(now()))
        } catch {
            throw AuthFailure(signature: error)
        }
        guard let key = snapshot.byAccessKeyID[identity.accessKeyId] else {
            throw .unrecognizedKey("The security token included in the request is invalid.")
        }
        return try admit(key)
    }

    private func admit(_ key: APIKey) throws(AuthFailure) -> Caller {
        if key.disabled {
            throw .keyNotAllowed("The API key \(key.id) is disabled.")
        }
        if let expiry = key.expiresAt, expiry <= now() {
            throw .keyNotAllowed("The API key \(key.id) has expired.")
        }
        return key.caller
    }
}

extension UInt8 {
    /// `0-9`, `a-f`, `A-F`.
    fileprivate var isHexDigit: Bool { (self &- 0x30) < 10 || ((self | 0x20) &- 0x61) < 6 }
}
