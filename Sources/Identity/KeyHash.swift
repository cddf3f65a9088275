import AWS

/// How API keys are stored: `sha256:<64 hex digits>` of the key, the output of `tollgate hash-key`.
///
/// Keys are long random strings, so an unsalted SHA-256 is the standard choice (as for GitHub or Stripe tokens):
/// it lets a presented key be found with one hash and one table lookup, and the stored hashes are useless for
/// signing in. Comparison with a stored hash is constant-time.
public enum KeyHash {
    static let prefix = "sha256:"

    /// The string to store for `key`.
    public static func hash(_ key: String) -> String {
        var key = key
        return key.withUTF8 { SHA256.hexDigest(UnsafeRawBufferPointer($0), prefix: prefix) }
    }

    /// Whether `stored` has the stored-hash format.
    public static func isValid(_ stored: String) -> Bool {
        guard stored.hasPrefix(prefix) else { return false }
        let hex = stored.dropFirst(prefix.count)
        return hex.utf8.count == 64 && hex.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Whether `key` hashes to `stored`, compared in constant time.
    public static func matches(_ key: String, stored: String) -> Bool {
        ConstantTime.equals(hash(key), stored)
    }
}
