import Glibc

/// Small byte-level searches over JSON text, so the stream observer can classify a chunk without parsing it.
///
/// They look for structural text only: a needle that starts and ends with `"` cannot match inside a JSON string,
/// where every `"` is written `\"`.
enum ByteScan {
    /// The offset of the first occurrence of `needle` in `haystack`, or nil.
    static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// The string value of member `key` (given with its quotes and colon, `"bytes":`), as a byte range;
    /// the value must be a JSON string without escaped quotes (true of base64).
    static func stringValue(after key: [UInt8], in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        guard var i = find(key, in: bytes) else { return nil }
        i += key.count
        while i < bytes.count && isSpace(bytes[i]) { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        guard start < bytes.count, let base = bytes.baseAddress,
              let quote = memchr(base + start, 0x22, bytes.count - start) else { return nil }  // 0x22: `"`
        return start..<base.distance(to: UnsafeRawPointer(quote))
    }

    /// The value of a leading `"type"` member (`{"type":"content_block_delta",…`, or with JSON's optional whitespace,
    /// `{ "type": "…"`), the shape of Anthropic's stream events, as a byte
    /// range; nil when the object does not start with it.
    static func leadingType(in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        var i = 0
        func skipSpace() { while i < bytes.count && isSpace(bytes[i]) { i += 1 } }
        func expect(_ literal: [UInt8]) -> Bool {
            guard bytes.count - i >= literal.count else { return false }
            for k in 0..<literal.count where bytes[i + k] != literal[k] { return false }
            i += literal.count
            return true
        }
        skipSpace()
        guard expect(openBrace) else { return nil }
        skipSpace()
        guard expect(typeName) else { return nil }
        skipSpace()
        guard expect(colon) else { return nil }
        skipSpace()
        guard expect(quote) else { return nil }
        let start = i
        while i < bytes.count && bytes[i] != UInt8(ascii: "\"") { i += 1 }
        return i < bytes.count ? start..<i : nil
    }

    /// JSON's insignificant whitespace (RFC 8259 §2).
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// True when `bytes[range]` equals `literal`.
    static func equals(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: [UInt8]) -> Bool {
        guard range.count == literal.count else { return false }
        var k = 0
        for i in range {
            if bytes[i] != literal[k] { return false }
            k += 1
        }
        return true
    }

    private static let openBrace = Array("{".utf8)
    private static let typeName = Array(#""type""#.utf8)
    private static let colon = Array(":".utf8)
    private static let quote = Array("\"".utf8)
}
