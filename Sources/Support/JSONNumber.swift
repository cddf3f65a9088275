/// A JSON number kept as its exact literal text (RFC 8259 §6), so `123`, `-5` and `0.000003`
/// round-trip byte for byte and prices never pass through `Double`.
///
/// Conversions to `Int64`, ``Money`` and `Double` are computed on demand.
/// Two numbers are equal when their values are equal (`1.0 == 1`, `2.5e1 == 25`), compared exactly on the
/// normalised digits and exponent of their text, whatever their size.
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

    /// An exact amount, written in plain notation without an exponent (``Money/description``: `0.000003`).
    public init(_ value: Money) { self.text = value.description }

    /// The value as `Int64` when it is an integer in range (`5`, `5.0`, `5e2` all qualify).
    public var int64: Int64? {
        if let fast = Int64(text) { return fast }
        // Every Int64 is a Money amount (|Int64| × 10¹⁸ < Int128.max), and a value Money refuses has either more
        // than 18 fractional digits or a magnitude beyond 10²⁰: not an Int64 either way.
        guard let units = money?.units else { return nil }
        let (whole, fraction) = units.quotientAndRemainder(dividingBy: Money.unitsPerWhole)
        guard fraction == 0 else { return nil }
        return Int64(exactly: whole)
    }

    /// The value as `Int` when it is an integer in range.
    public var int: Int? { int64.flatMap { Int(exactly: $0) } }

    /// The exact amount; nil when the value has more than 18 fractional digits or is out of ``Money``'s range
    /// (use ``Money/init(parsing:)`` on ``text`` to learn which).
    public var money: Money? { Money(text) }

    /// The nearest `Double` (may lose precision; never use it for money).
    public var double: Double { Double(text) ?? .nan }

    /// True when the literal has no fraction and no exponent.
    public var isIntegerLiteral: Bool { !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") } }

    public var description: String { text }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.text == rhs.text { return true }
        var l = lhs.text, r = rhs.text
        return l.withUTF8 { lb in
            r.withUTF8 { rb in
                let ln = Normalized(lb), rn = Normalized(rb)
                if ln.isZero || rn.isZero { return ln.isZero && rn.isZero }
                // An exponent too large to hold exactly: equal only as identical text (checked above).
                guard !ln.hugeExponent, !rn.hugeExponent, ln.negative == rn.negative, ln.exponent == rn.exponent
                else { return false }
                var i = ln.first, j = rn.first
                while true {
                    if i <= ln.last && lb[i] == UInt8(ascii: ".") { i += 1 }
                    if j <= rn.last && rb[j] == UInt8(ascii: ".") { j += 1 }
                    if i > ln.last || j > rn.last { return i > ln.last && j > rn.last }
                    if lb[i] != rb[j] { return false }
                    i += 1
                    j += 1
                }
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        var t = text
        t.withUTF8 { bytes in
            let n = Normalized(bytes)
            if n.isZero { hasher.combine(0 as UInt8); return }
            hasher.combine(n.negative)
            hasher.combine(n.exponent)
            for i in n.first...n.last where bytes[i] != UInt8(ascii: ".") { hasher.combine(bytes[i]) }
        }
    }

    /// A literal's value as ±0.d₁d₂…dₖ × 10^(exponent + 1): its significant digits (``first``…``last``, both
    /// non-zero, possibly with the `.` between them) and the decimal exponent of the first one.
    private struct Normalized {
        var negative = false
        var isZero = true
        var first = 0
        var last = 0
        var exponent = 0
        var hugeExponent = false

        /// Reads a valid RFC 8259 literal.
        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            var i = 0
            let n = bytes.count
            if i < n && bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            var integerDigits = 0, digitsBefore = 0, seenPoint = false, firstPosition = 0
            while i < n {
                let b = bytes[i]
                if b == UInt8(ascii: ".") { seenPoint = true; i += 1; continue }
                guard b &- 0x30 < 10 else { break }
                if b != UInt8(ascii: "0") {
                    if isZero { isZero = false; first = i; firstPosition = digitsBefore }
                    last = i
                }
                if !seenPoint { integerDigits += 1 }
                digitsBefore += 1
                i += 1
            }
            guard !isZero else { return }
            var literalExponent = 0
            if i < n {  // `e` or `E`
                i += 1
                var exponentNegative = false
                if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                    exponentNegative = bytes[i] == UInt8(ascii: "-")
                    i += 1
                }
                while i < n {
                    if literalExponent < 1 << 56 {
                        literalExponent = literalExponent * 10 + Int(bytes[i] &- 0x30)
                    } else {
                        hugeExponent = true
                    }
                    i += 1
                }
                if literalExponent >= 1 << 56 { hugeExponent = true }
                if exponentNegative { literalExponent = -literalExponent }
            }
            exponent = integerDigits - 1 - firstPosition + literalExponent
        }
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
