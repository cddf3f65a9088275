import FoundationEssentials
import Support

/// Caches SigV4 signing keys per (access key, day, region, service)
/// ([derive the signing key](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key)),
/// so a request costs one HMAC for its signature instead of five.
///
/// Thread-safe: signers on several Dispatch queues share one cache. The lock covers only a dictionary lookup or
/// store; keys are derived outside it. Entries remember the secret they were derived from, so a rotated secret
/// under the same key id is never served a stale key. The cache is bounded: it empties itself when full
/// (entries are per day, so old ones are useless anyway).
public final class SigV4SigningKeyCache: @unchecked Sendable {
    /// A process-wide cache, the default for signers and verifiers.
    public static let shared = SigV4SigningKeyCache()

    private struct Scope: Hashable {
        var accessKeyId: String
        var day: Substring
        var region: String
        var service: String
    }

    private struct Entry {
        var secret: String
        var key: [UInt8]
    }

    private let lock = Lock()
    private var entries: [Scope: Entry] = [:]
    private var last: (scope: Scope, entry: Entry)?
    private let capacity: Int
    private var derivations = 0

    /// A cache holding at most `capacity` keys.
    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// How many keys have been derived (not served from the cache); for tests and metrics.
    public var derivationCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return derivations
    }

    /// The signing key for the scope, from the cache when possible.
    public func signingKey(secretAccessKey: String, accessKeyId: String, day: Substring, region: String,
                           service: String) -> [UInt8] {
        let scope = Scope(accessKeyId: accessKeyId, day: day, region: region, service: service)
        lock.lock()
        // The key served last is checked first, by equality alone: a gateway signs for a few scopes all day.
        if let last, last.scope == scope, last.entry.secret == secretAccessKey {
            lock.unlock()
            return last.entry.key
        }
        if let entry = entries[scope], entry.secret == secretAccessKey {
            last = (scope, entry)
            lock.unlock()
            return entry.key
        }
        lock.unlock()
        let key = Self.deriveSigningKey(secretAccessKey: secretAccessKey, day: day, region: region, service: service)
        lock.lock()
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[scope] = Entry(secret: secretAccessKey, key: key)
        last = (scope, Entry(secret: secretAccessKey, key: key))
        derivations += 1
        lock.unlock()
        return key
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`, uncached.
    public static func deriveSigningKey(secretAccessKey: String, day: Substring, region: String,
                                        service: String) -> [UInt8] {
        let dateKey = HMAC.sha256(key: Array(("AWS4" + secretAccessKey).utf8), data: String(day))
        let regionKey = HMAC.sha256(key: dateKey, data: region)
        let serviceKey = HMAC.sha256(key: regionKey, data: service)
        return HMAC.sha256(key: serviceKey, data: "aws4_request")
    }
}
