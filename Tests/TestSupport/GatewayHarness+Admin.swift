import Foundation
import Identity
import Support
#if canImport(Glibc)
import Glibc
#endif

extension GatewayHarness {
    /// The admin and control-plane tests' catalogue and keys: models `open`, `private` (org acme, failover open),
    /// `embed`, `off` (disabled) and `custom` (a custom-model ARN); an admin key, a disabled admin key, and client keys
    /// of the orgs acme and globex.
    public enum AdminPreset {
        public static let adminKey = "tg-test-admin-key-000000000000000000"
        public static let disabledAdminKey = "tg-test-disabled-admin-000000000000"
        public static let acmeKey = "tg-test-acme-client-000000000000000"
        public static let globexKey = "tg-test-globex-client-00000000000000"

        public static let catalogue = #"""
        {"models": [
          {"id": "open", "type": "completion", "display": {"label": "Open", "brand": "Anthropic"},
           "capabilities": {"streaming": true}, "tags": ["general"],
           "provider_config": {"provider": "bedrock", "model_id": "anthropic.claude-3-haiku-20240307-v1:0", "region": "us-east-1",
                               "credentials": "nowhere"}},
          {"id": "private", "type": "completion", "display": {"label": "Private", "brand": "Anthropic"},
           "description": "acme only", "capabilities": {"streaming": true}, "org_slugs": ["acme"], "failover": "open",
           "parameters": [{"name": "Temperature", "parameter": "temperature", "parameter_type": "number", "config": {"min": 0, "max": 1}}],
           "provider_config": {"provider": "bedrock", "model_id": "anthropic.claude-3-5-sonnet-20240620-v1:0", "region": "eu-central-1"}},
          {"id": "embed", "type": "embeddings", "display": {"label": "Embed", "brand": "Amazon"},
           "provider_config": {"provider": "bedrock", "model_id": "amazon.titan-embed-text-v2:0"}},
          {"id": "off", "type": "completion", "enabled": false},
          {"id": "custom", "type": "completion", "display": {"label": "Tuned"},
           "provider_config": {"provider": "bedrock", "region": "us-west-2",
             "model_id": "arn:aws:bedrock:us-west-2:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abcdef012345"}}
        ]}
        """#

        public static var keys: String {
            let keys: JSONValue = ["keys": [
                ["id": "test-admin", "role": "admin", "hash": .string(KeyHash.hash(adminKey))],
                ["id": "test-admin-off", "role": "admin", "disabled": true, "hash": .string(KeyHash.hash(disabledAdminKey))],
                ["id": "acme-client", "org": "acme", "role": "client", "hash": .string(KeyHash.hash(acmeKey))],
                ["id": "globex-client", "org": "globex", "role": "client", "hash": .string(KeyHash.hash(globexKey))],
            ]]
            return keys.serializedString()
        }
    }

    /// A harness with ``AdminPreset``'s catalogue and keys, logging at `info` (the admin tests read the log).
    public static func adminPreset(workers: Int = 1) throws -> GatewayHarness {
        try GatewayHarness(catalogue: AdminPreset.catalogue, keys: AdminPreset.keys, workers: workers, logLevel: .info)
    }

    public enum HarnessError: Error { case unexpected(String) }

    /// One request on a fresh connection, with `key` as a bearer token.
    public func request(_ method: String, _ target: String, key: String?, headers: [(String, String)] = [],
                        body: String = "") throws -> TestHTTPClient.Response {
        let client = try TestHTTPClient(port: port)
        var all = headers
        if let key { all.append(("Authorization", "Bearer \(key)")) }
        if !body.isEmpty { all.append(("Content-Type", "application/json")) }
        return try client.request(method, target, headers: all, body: Array(body.utf8))
    }

    /// The admin API's `error.code` of a response.
    public func errorCode(_ response: TestHTTPClient.Response) throws -> String? {
        try JSONValue.parse(response.body)["error"]?["code"]?.stringValue
    }

    /// The admin API's `error.message` of a response.
    public func errorMessage(_ response: TestHTTPClient.Response) throws -> String {
        try JSONValue.parse(response.body)["error"]?["message"]?.stringValue ?? ""
    }

    /// The ids an admin listing answers (first page).
    public func ids(_ target: String) throws -> [String] {
        let response = try request("GET", target, key: AdminPreset.adminKey)
        guard response.status == 200 else { throw HarnessError.unexpected("\(response.status) \(response.text)") }
        return try JSONValue.parse(response.body)["models"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    /// The audit events `GET /v1/audit?query` answers.
    public func auditEvents(_ query: String) throws -> [JSONValue] {
        let response = try request("GET", "/v1/audit?\(query)", key: AdminPreset.adminKey)
        guard response.status == 200 else { throw HarnessError.unexpected("\(response.status) \(response.text)") }
        return try JSONValue.parse(response.body)["events"]?.arrayValue ?? []
    }

    /// Rewrites the catalogue file the way an operator's editor would (new file, renamed over the old one).
    public func editCatalogue(_ edit: (inout [JSONValue]) -> Void) throws {
        var models = try JSONValue.parse(try AtomicFile.read(cataloguePath))["models"]?.arrayValue ?? []
        edit(&models)
        let bytes = JSONValue.object(["models": .array(models)]).serialized(pretty: true)
        try Data(bytes).write(to: URL(fileURLWithPath: cataloguePath + ".edit"))
        guard rename(cataloguePath + ".edit", cataloguePath) == 0 else { throw HarnessError.unexpected("rename: errno \(errno)") }
    }
}
