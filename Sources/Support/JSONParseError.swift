/// Why a byte sequence is not a JSON text under RFC 8259, and where.
///
/// `offset` is the 0-based byte offset of the first offending byte. `shortName` is stable and
/// suitable as a metrics label (`json_unexpected_byte`, `json_too_deep`, …).
/// See <https://www.rfc-editor.org/rfc/rfc8259>.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: String, Sendable {
        case unexpectedEnd = "json_unexpected_end"
        case unexpectedByte = "json_unexpected_byte"
        case invalidNumber = "json_invalid_number"
        case invalidEscape = "json_invalid_escape"
        case invalidUnicode = "json_invalid_unicode"
        case controlCharacter = "json_control_character"
        case invalidUTF8 = "json_invalid_utf8"
        case duplicateKey = "json_duplicate_key"
        case tooDeep = "json_too_deep"
        case trailingData = "json_trailing_data"
    }

    let code: Code
    /// Byte offset of the problem in the input.
    public let offset: Int
    /// Human-readable detail.
    public let message: String

    init(_ code: Code, at offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    /// Stable short name, e.g. `json_unexpected_byte`.
    public var shortName: String { code.rawValue }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
