import AWS
import FoundationEssentials
import HTTP

/// Establishes who is calling, the way Bedrock clients authenticate: a Bedrock API key
/// (`Authorization: Bearer`, what boto3 sends when `AWS_BEARER_TOKEN_BEDROCK` is set), `x-api-key`, or a SigV4
/// signature made with a Tollgate access key id and secret (so an unmodified AWS SDK works). Failures are
/// Bedrock's 403s.
struct Authenticator: Sendable {
    let keys: KeyStore
    let now: @Sendable () -> Date

    func authenticate(_ head: HTTPRequestHead, body: [UInt8]) throws(BedrockError) -> Caller {
        let snapshot = keys.snapshot
        let authorization = head.headers["Authorization"]
        if let authorization, authorization.hasPrefix("AWS4-HMAC-SHA256") {
            return try verifySigV4(head, body: body, snapshot: snapshot)
        }
        let presented: String?
        if let authorization, authorization.utf8.count > 7, authorization.utf8.prefix(7).elementsEqual("Bearer ".utf8, by: { $0 | 0x20 == $1 | 0x20 }) {
            // Trim ASCII spaces and tabs on bytes (Foundation's character-set trimming cost more than the key's hash).
            var token = authorization.utf8.dropFirst(7)
            while let first = token.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
            while let last = token.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
            presented = String(Substring(token))
        } else {
            presented = head.headers["x-api-key"]
        }
        guard let presented, !presented.isEmpty else {
            throw .missingAuthenticationToken("Missing Authentication Token")
        }
        let hash = KeyHash.hash(presented)
        // The dictionary finds the candidate; the final comparison is constant-time.
        guard let key = snapshot.byHash[hash], let stored = key.hash, ConstantTime.equals(hash, stored) else {
            throw .unrecognizedClient("The security token included in the request is invalid.")
        }
        return try admit(key)
    }

    private func verifySigV4(_ head: HTTPRequestHead, body: [UInt8], snapshot: KeyStore.Snapshot) throws(BedrockError) -> Caller {
        let verifier = SigV4Verifier(service: "bedrock") { snapshot.secrets[$0] }
        let request = SigV4Request(method: head.method, target: head.target, headers: head.headers.fields)
        let identity = try verifier.verify(request, body: body, now: SigV4Date(now()))
        guard let key = snapshot.byAccessKeyID[identity.accessKeyId] else {
            throw .unrecognizedClient("The security token included in the request is invalid.")
        }
        return try admit(key)
    }

    private func admit(_ key: APIKey) throws(BedrockError) -> Caller {
        if key.disabled {
            throw .accessDenied("The API key \(key.id) is disabled.")
        }
        if let expiry = key.expiresAt, expiry <= now() {
            throw .accessDenied("The API key \(key.id) has expired.")
        }
        return key.caller
    }
}
