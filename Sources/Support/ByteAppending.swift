/// Appending protocol text to a byte buffer without making a `String` (or an `Array` per literal) — for writers that
/// build heads and lines byte by byte (HTTP heads, ledger lines, timestamps).
extension Array where Element == UInt8 {
    /// Appends the bytes of a literal.
    @inlinable
    public mutating func append(ascii text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends the UTF-8 bytes of `text`.
    @inlinable
    public mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// Appends `value` in decimal ASCII, zero-padded on the left to `minimumDigits` (a negative value's sign comes
    /// first).
    public mutating func appendDecimal(_ value: Int, minimumDigits: Int = 1) {
        if value < 0 { append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt = 1, digits = 1
        while magnitude / divisor >= 10 {
            divisor *= 10
            digits += 1
        }
        if digits < minimumDigits { append(contentsOf: repeatElement(UInt8(ascii: "0"), count: minimumDigits - digits)) }
        var rest = magnitude
        while divisor > 0 {
            append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Appends `value` in lower-case hexadecimal ASCII, without leading zeros.
    public mutating func appendHexadecimal(_ value: Int) {
        precondition(value >= 0, "negative value")
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4
        if shift == 0 { append(UInt8(ascii: "0")); return }
        while shift > 0 {
            shift -= 4
            let nibble = UInt8((value >> shift) & 0xF)
            append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
    }
}
