extension String {
    /// Compares with `other` ignoring ASCII case, without allocating (header field names are ASCII,
    /// [RFC 9110 §5.1](https://www.rfc-editor.org/rfc/rfc9110#section-5.1)).
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var left = utf8.makeIterator()
        var right = other.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil):
                return true
            case let (a?, b?):
                if a != b, Self.foldASCII(a) != Self.foldASCII(b) { return false }
            default:
                return false
            }
        }
    }

    @inline(__always)
    private static func foldASCII(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
