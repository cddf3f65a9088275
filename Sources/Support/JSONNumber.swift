import FoundationEssentials

/// A JSON number kept as its exact literal text (RFC 8259 §6), so `123`, `-5` and `0.000003`
/// round-trip byte for byte and prices never pass through `Double`.
///
/// Conversions to `Int64`, `Decimal` and `Double` are computed on demand.
/// Two numbers are equal when their values are equal (`1.0 == 1`), compared exactly via `Decimal`.
/// See <https://www.rfc-editor.org/rfc/rfc8259#section-6>.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal text, always valid under the RFC 8259 `number` grammar.
    public let text: String

    /// Wraps `text` if it is a valid RFC 8259 number literal (no leading `+`, no leading zeros,
    /// no `NaN`/`Infinity`); returns nil otherwise.
    public init?(exactly text: String) {
        var utf8 = Array(text.utf8)
        let valid = utf8.withUnsafeMutableBufferPointer { buf -> Bool in
            JSONNumber.scanLiteral(UnsafeBufferPointer(buf), from: 0) == buf.count && !buf.isEmpty
        }
        guard valid else { return nil }
        self.text = text
    }

    /// Internal: trusted literal from the parser.
    init(validatedText: String) { self.text = validatedText }

    /// An exact integer number.
    public init<I: BinaryInteger>(_ value: I) { self.text = String(value) }

    /// An exact decimal number, written without an exponent. Returns nil for NaN.
    public init?(_ value: Decimal) {
        guard !value.isNaN else { return nil }
        // `Decimal.description` is locale-free plain notation (never an exponent), as `NSDecimalString` was.
        guard let number = JSONNumber(exactly: value.description) else { return nil }
        self = number
    }

    /// The value as `Int64` when it is an integer in range (`5`, `5.0`, `5e2` all qualify).
    public var int64: Int64? {
        if let fast = Int64(text) { return fast }
        // Plain notation of an integral value has no fraction ("5.0" and "5e2" print as "5" and "500"), so parsing
        // it as Int64 both checks integrality and range.
        guard let value = decimal else { return nil }
        return Int64(value.description)
    }

    /// The value as `Int` when it is an integer in range.
    public var int: Int? { int64.flatMap { Int(exactly: $0) } }

    /// The exact decimal value (38 significant digits); nil if out of `Decimal`'s range.
    public var decimal: Decimal? {
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), !value.isNaN else {
            return nil
        }
        return value
    }

    /// The nearest `Double` (may lose precision; never use it for money).
    public var double: Double { Double(text) ?? .nan }

    /// True when the literal has no fraction and no exponent.
    public var isIntegerLiteral: Bool { !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") } }

    public var description: String { text }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.text == rhs.text { return true }
        guard let l = lhs.decimal, let r = rhs.decimal else { return false }
        return l == r
    }

    public func hash(into hasher: inout Hasher) {
        if let dec = decimal { hasher.combine(dec) } else { hasher.combine(text) }
    }

    /// Scans one RFC 8259 number starting at `start`; returns the index after it, or nil when
    /// the bytes there are not a valid number.
    static func scanLiteral(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        let n = bytes.count
        @inline(__always) func isDigit(_ index: Int) -> Bool { index < n && bytes[index] &- 0x30 < 10 }
        if i < n && bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n else { return nil }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if isDigit(i) {
            while isDigit(i) { i += 1 }
        } else {
            return nil
        }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        if i < n && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        return i
    }
}
