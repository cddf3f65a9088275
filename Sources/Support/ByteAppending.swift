extension Array where Element == UInt8 {
    /// Appends `value` in decimal ASCII, zero-padded on the left to `minimumDigits` (a negative value's sign comes
    /// first), without making a `String` — for writers that build lines byte by byte (ledger, timestamps).
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
}
