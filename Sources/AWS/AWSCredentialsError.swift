/// Why credentials could not be loaded. Messages name variables, files and keys, never secret values.
public struct AWSCredentialsError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case missingVariable, unreadableFile, malformed, missingKey
    }

    private let code: Code
    /// What went wrong, safe to log.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// An environment variable is unset or empty.
    static func missingVariable(_ name: String) -> Self {
        Self(.missingVariable, "environment variable \(name) is not set")
    }
    /// A credentials file cannot be read.
    static func unreadableFile(_ path: String, _ reason: String) -> Self {
        Self(.unreadableFile, "cannot read credentials file \(path): \(reason)")
    }
    /// A credentials document is not in a supported format.
    static func malformed(_ what: String, _ reason: String) -> Self {
        Self(.malformed, "malformed credentials in \(what): \(reason)")
    }
    /// A credentials document lacks a required key.
    static func missingKey(_ what: String, _ key: String) -> Self {
        Self(.missingKey, "credentials in \(what) have no \(key)")
    }

    /// Stable short name for logs and metrics: `missing_variable`, `unreadable_file`, `malformed`, `missing_key`.
    public var name: String {
        switch code {
        case .missingVariable: return "missing_variable"
        case .unreadableFile: return "unreadable_file"
        case .malformed: return "malformed"
        case .missingKey: return "missing_key"
        }
    }

    /// `name: message`.
    public var description: String { "\(name): \(message)" }
}
