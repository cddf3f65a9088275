/// Lower-case base-16 encoding ([RFC 4648 §8](https://www.rfc-editor.org/rfc/rfc4648#section-8)), as SigV4 uses
/// for digests and signatures.
public enum Hex {
    private static let digits: StaticString = "0123456789abcdef"

    /// The lower-case hex digit of a nibble (0–15).
    @inline(__always)
    static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// Lower-case hex of `bytes`, two characters a byte, after `prefix`.
    public static func encode<Bytes: Collection>(_ bytes: Bytes, prefix: String = "") -> String where Bytes.Element == UInt8 {
        var prefix = prefix
        let count = prefix.utf8.count + bytes.count * 2
        guard count > 0 else { return "" }
        return String(unsafeUninitializedCapacity: count) { out in
            var index = prefix.withUTF8 { head in
                for (i, byte) in head.enumerated() { out[i] = byte }
                return head.count
            }
            digits.withUTF8Buffer { table in
                for byte in bytes {
                    out[index] = table[Int(byte >> 4)]
                    out[index + 1] = table[Int(byte & 0x0F)]
                    index += 2
                }
            }
            return count
        }
    }

    public static func decode(_ string: String) -> [UInt8]? {
        let utf8 = string.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var result = [UInt8]()
        result.reserveCapacity(utf8.count / 2)
        var high: UInt8? = nil
        for char in utf8 {
            guard let nibble = value(of: char) else { return nil }
            if let h = high {
                result.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return result
    }

    static func value(of char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return char - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
