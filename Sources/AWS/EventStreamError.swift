/// Why an eventstream message could not be decoded or encoded. ``name`` is a stable metrics label.
public struct EventStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case preludeChecksumMismatch, messageChecksumMismatch, messageTooShort, messageTooLong, headersTooLong
        case malformedHeader, valueTooLong
    }

    private let code: Code
    /// Details for logs.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func preludeChecksumMismatch(expected: UInt32, computed: UInt32) -> Self {
        Self(.preludeChecksumMismatch, "Prelude checksum mismatch: frame says \(expected), computed \(computed)")
    }
    static func messageChecksumMismatch(expected: UInt32, computed: UInt32) -> Self {
        Self(.messageChecksumMismatch, "Message checksum mismatch: frame says \(expected), computed \(computed)")
    }
    static func messageTooShort(_ length: UInt32) -> Self {
        Self(.messageTooShort, "message length \(length) is below the 16-byte minimum")
    }
    static func messageTooLong(_ length: Int, limit: Int) -> Self {
        Self(.messageTooLong, "message length \(length) exceeds the limit of \(limit) bytes")
    }
    static func headersTooLong(_ length: Int, limit: Int) -> Self {
        Self(.headersTooLong, "headers length \(length) exceeds the limit of \(limit) bytes or the message")
    }
    static func malformedHeader(_ detail: String) -> Self { Self(.malformedHeader, "malformed header: \(detail)") }
    static func valueTooLong(_ detail: String) -> Self { Self(.valueTooLong, "cannot encode: \(detail)") }

    /// True for the two checksum failures (the corrupted-input cases).
    public var isChecksumMismatch: Bool { code == .preludeChecksumMismatch || code == .messageChecksumMismatch }

    /// Stable short name: `prelude_checksum_mismatch`, `message_checksum_mismatch`, `message_too_short`,
    /// `message_too_long`, `headers_too_long`, `malformed_header`, `value_too_long`.
    public var name: String {
        switch code {
        case .preludeChecksumMismatch: return "prelude_checksum_mismatch"
        case .messageChecksumMismatch: return "message_checksum_mismatch"
        case .messageTooShort: return "message_too_short"
        case .messageTooLong: return "message_too_long"
        case .headersTooLong: return "headers_too_long"
        case .malformedHeader: return "malformed_header"
        case .valueTooLong: return "value_too_long"
        }
    }

    /// `name: message`.
    public var description: String { "\(name): \(message)" }
}
