import Accounting
import FoundationEssentials
import Support

/// One entry of the keys file. The key itself is never stored: only its `tollgate hash-key` hash, and for SigV4
/// clients an access key id plus where to read the secret (an environment variable or a file).
public struct APIKey: Sendable, Equatable {
    public var id: String
    public var org: String?
    public var role: Caller.Role
    /// `sha256:<hex>` of the key, or nil for a SigV4-only entry.
    public var hash: String?
    public var disabled: Bool
    /// Seconds since 1970 after which the key is refused.
    public var expiresAt: Date?
    /// SigV4: the access key id clients sign with.
    public var accessKeyID: String?
    /// SigV4: where the secret comes from.
    public var secretEnv: String?
    public var secretFile: String?

    var caller: Caller { Caller(keyID: id, org: org, role: role) }

    /// Decodes `{"keys": [...]}`; every problem is reported with its JSON path.
    static func decodeFile(_ json: JSONValue, file: String, resolve: (String) -> String) throws(ConfigProblems) -> [APIKey] {
        var problems: [(path: String, message: String)] = []
        var root = ConfigObjectReader(json, path: .root, problems: &problems)
        var keys: [APIKey] = []
        if let list = root.value("keys") {
            if let items = list.arrayValue {
                for (i, item) in items.enumerated() {
                    if let key = decode(item, path: JSONPath.root.appending("keys").appending(index: i), resolve: resolve, problems: &problems) {
                        keys.append(key)
                    }
                }
            } else {
                root.fail("keys", "must be a list")
            }
        } else {
            root.fail("keys", "required")
        }
        root.finish(into: &problems)
        var seenIDs: Set<String> = [], seenHashes: Set<String> = [], seenAccessKeys: Set<String> = []
        for (i, key) in keys.enumerated() {
            let path = "keys[\(i)]"
            if !seenIDs.insert(key.id).inserted { problems.append((path + ".id", "duplicate id '\(key.id)'")) }
            if let h = key.hash, !seenHashes.insert(h).inserted { problems.append((path + ".hash", "duplicate hash")) }
            if let a = key.accessKeyID, !seenAccessKeys.insert(a).inserted { problems.append((path + ".access_key_id", "duplicate access key id")) }
        }
        if !problems.isEmpty {
            throw ConfigProblems(problems.map { ConfigProblem(file: file, path: $0.path, message: $0.message) })
        }
        return keys
    }

    private static func decode(_ value: JSONValue, path: JSONPath, resolve: (String) -> String, problems: inout [(path: String, message: String)]) -> APIKey? {
        var r = ConfigObjectReader(value, path: path, problems: &problems)
        defer { r.finish(into: &problems) }
        guard let id = r.string("id"), !id.isEmpty, id.utf8.count <= 128 else {
            r.fail("id", "required: 1-128 characters")
            return nil
        }
        var key = APIKey(id: id, org: nil, role: .client, hash: nil, disabled: false, expiresAt: nil, accessKeyID: nil, secretEnv: nil, secretFile: nil)
        key.org = r.string("org")
        if let org = key.org, !isSlug(org) { r.fail("org", "must be a slug: lower-case letters, digits and '-'") }
        if let role = r.string("role") {
            if let parsed = Caller.Role(rawValue: role) { key.role = parsed } else { r.fail("role", "must be client, admin or metrics") }
        }
        if let hash = r.string("hash") {
            if KeyHash.isValid(hash) { key.hash = hash } else { r.fail("hash", "must be the output of `tollgate hash-key` (sha256:<64 hex digits>)") }
        }
        key.disabled = r.bool("disabled") ?? false
        if let text = r.string("expires_at") {
            if let date = Timestamp.parse(text) { key.expiresAt = date } else { r.fail("expires_at", "must be an RFC 3339 time such as 2026-12-31T23:59:59Z") }
        }
        key.accessKeyID = r.string("access_key_id")
        key.secretEnv = r.string("secret_env")
        key.secretFile = r.string("secret_file").map(resolve)
        if r.object.contains("secret") || r.object.contains("secret_access_key") || r.object.contains("key") {
            r.fail(r.object.contains("secret") ? "secret" : (r.object.contains("key") ? "key" : "secret_access_key"),
                   "secrets are never written in the keys file: store the hash, or name secret_env / secret_file")
        }
        if key.accessKeyID != nil && key.secretEnv == nil && key.secretFile == nil {
            r.fail("access_key_id", "needs secret_env or secret_file")
        }
        if key.accessKeyID == nil && (key.secretEnv != nil || key.secretFile != nil) {
            r.fail("access_key_id", "required with secret_env / secret_file")
        }
        if key.hash == nil && key.accessKeyID == nil {
            r.fail("hash", "a key needs a hash, SigV4 credentials, or both")
        }
        return key
    }

    static func isSlug(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
