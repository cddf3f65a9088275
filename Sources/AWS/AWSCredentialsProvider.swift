import FoundationEssentials
import Support

/// Loads ``AWSCredentials`` from an ``AWSCredentialsSource``
/// ([environment variables](https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html),
/// [shared credentials file](https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html),
/// [credential_process output](https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html)).
///
/// A credentials document (file or environment variable) is either
///
/// - JSON, as `credential_process` and STS print it:
///   `{"AccessKeyId": "AKIA…", "SecretAccessKey": "…", "SessionToken": "…"}` (other members are ignored), or
/// - `key = value` lines, as in `~/.aws/credentials`: keys `aws_access_key_id`, `aws_secret_access_key`,
///   `aws_session_token` (case-insensitive; the environment variable names are accepted too). Blank lines,
///   `#`/`;` comments and one `[section]` header are ignored; values may be quoted. A second section is refused,
///   so a multi-profile file is never read ambiguously.
///
/// The session token is optional everywhere. Errors never contain secret values.
public enum AWSCredentialsProvider {
    /// Loads credentials from `source`, reading variables from `environment`.
    public static func load(_ source: AWSCredentialsSource,
                            environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(AWSCredentialsError) -> AWSCredentials
    {
        switch source {
        case .standardEnvironment:
            return try load(.environmentVariables(accessKeyId: "AWS_ACCESS_KEY_ID",
                                                  secretAccessKey: "AWS_SECRET_ACCESS_KEY",
                                                  sessionToken: "AWS_SESSION_TOKEN"), environment: environment)
        case .environmentVariables(let idName, let secretName, let tokenName):
            guard let id = environment[idName], !id.isEmpty else { throw .missingVariable(idName) }
            guard let secret = environment[secretName], !secret.isEmpty else { throw .missingVariable(secretName) }
            return AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                                  sessionToken: tokenName.flatMap { environment[$0] })
        case .environmentDocument(let name):
            guard let text = environment[name], !text.isEmpty else { throw .missingVariable(name) }
            return try parse(document: text, origin: "environment variable \(name)")
        case .file(let path):
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw .unreadableFile(path, String(describing: error))
            }
            guard let text = String(data: data, encoding: .utf8) else { throw .malformed(path, "not UTF-8") }
            return try parse(document: text, origin: path)
        }
    }

    /// The region from `AWS_REGION`, else `AWS_DEFAULT_REGION`, else nil.
    public static func region(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// Parses a credentials document (JSON or `key = value` lines, see above). `origin` names it in errors.
    public static func parse(document: String, origin: String) throws(AWSCredentialsError) -> AWSCredentials {
        let trimmed = document.trimmingASCIIWhitespace()
        var values: [String: String]
        if trimmed.hasPrefix("{") {
            guard let object = (try? JSONValue.parse(Array(trimmed.utf8)))?.objectValue else {
                throw .malformed(origin, "invalid JSON")
            }
            values = [:]
            for (key, value) in object {
                if let string = value.stringValue { values[canonicalKey(key) ?? key] = string }
            }
        } else {
            values = try parseLines(trimmed, origin: origin)
        }
        guard let id = values["id"], !id.isEmpty else { throw .missingKey(origin, "aws_access_key_id") }
        guard let secret = values["secret"], !secret.isEmpty else {
            throw .missingKey(origin, "aws_secret_access_key")
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: values["token"])
    }

    private static func parseLines(_ text: String, origin: String) throws(AWSCredentialsError) -> [String: String] {
        var values: [String: String] = [:]
        var sections = 0
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingASCIIWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                sections += 1
                if sections > 1 { throw .malformed(origin, "more than one [section] (line \(number + 1))") }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw .malformed(origin, "line \(number + 1) is not key = value")
            }
            let key = line[..<eq].trimmingASCIIWhitespace()
            var value = line[line.index(after: eq)...].trimmingASCIIWhitespace()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard let canonical = canonicalKey(key) else { continue }
            guard values[canonical] == nil else { throw .malformed(origin, "\(key) given twice (line \(number + 1))") }
            values[canonical] = value
        }
        return values
    }

    /// Maps the accepted spellings of the three keys to `id`, `secret`, `token`.
    private static func canonicalKey(_ key: String) -> String? {
        switch key.lowercased() {
        case "aws_access_key_id", "accesskeyid", "access_key_id": return "id"
        case "aws_secret_access_key", "secretaccesskey", "secret_access_key": return "secret"
        case "aws_session_token", "sessiontoken", "session_token", "token": return "token"
        default: return nil
        }
    }
}
