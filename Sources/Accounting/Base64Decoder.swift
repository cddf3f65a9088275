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
        // Room first, by copying the input itself (the output is never longer), then decoded over it in place.
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: input)
        let (count, valid) = out.withUnsafeMutableBufferPointer { decode(input, into: $0, limit: .max) }
        out.removeSubrange(count...)
        return valid
    }

    /// Decodes `input` into `out` until `limit` bytes are out (`out` must have room for them, or for all of the
    /// input's when `limit` is `.max`): how many bytes were written, and whether what was read is base64 — all of
    /// it, padding included, unless the limit stopped the reading first.
    static func decode(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, limit: Int)
        -> (count: Int, valid: Bool)
    {
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        var produced = 0
        let valid = table.withUnsafeBufferPointer { table in
            var i = 0
            let n = input.count
            while i < n {
                // Four characters of the alphabet at a byte boundary are three bytes: the common case, taken whole.
                if bits == 0, padding == 0, n - i >= 4, limit - produced >= 3 {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                    if (a | b | c | d) < 64 {
                        let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                        out[produced] = UInt8(truncatingIfNeeded: group >> 16)
                        out[produced + 1] = UInt8(truncatingIfNeeded: group >> 8)
                        out[produced + 2] = UInt8(truncatingIfNeeded: group)
                        produced += 3
                        i += 4
                        if produced == limit { return true }
                        continue
                    }
                }
                let byte = input[i]
                i += 1
                if byte == UInt8(ascii: "=") { padding += 1; continue }
                if byte == UInt8(ascii: "\\") { continue }
                let value = table[Int(byte)]
                guard value != 0xFF, padding == 0 else { return false }
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out[produced] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                    produced += 1
                    if produced == limit { return true }
                }
            }
            return bits < 6 && padding <= 2
        }
        return (produced, valid)
    }
}
