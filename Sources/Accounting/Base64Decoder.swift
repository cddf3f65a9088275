/// A byte-level decoder of standard base64 ([RFC 4648 §4](https://www.rfc-editor.org/rfc/rfc4648#section-4)),
/// for the `bytes` of stream chunks: it decodes into a caller-owned buffer that is reused frame after frame,
/// so the hot path allocates nothing once the buffer has grown.
///
/// Padding is optional; `\` is skipped (a JSON encoder may write `/` as `\/`); any other byte outside the
/// alphabet makes the input invalid.
enum Base64Decoder {
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        return t
    }()

    /// Replaces the contents of `out` with the decoded `input`; false when `input` is not base64.
    static func decode(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(input.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        return table.withUnsafeBufferPointer { table in
            for byte in input {
                if byte == UInt8(ascii: "=") { padding += 1; continue }
                if byte == UInt8(ascii: "\\") { continue }
                let value = table[Int(byte)]
                guard value != 0xFF, padding == 0 else { return false }
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                }
            }
            return bits < 6 && padding <= 2
        }
    }
}
