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
        while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D) { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "\"") { end += 1 }
        guard end < bytes.count else { return nil }
        return start..<end
    }

    /// The value of a leading `"type"` member (`{"type":"content_block_delta",…`), the shape of Anthropic's
    /// stream events, as a byte range; nil when the object does not start with it.
    static func leadingType(in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        let prefix = leadingTypePrefix
        guard bytes.count > prefix.count else { return nil }
        for k in 0..<prefix.count where bytes[k] != prefix[k] { return nil }
        var end = prefix.count
        while end < bytes.count && bytes[end] != UInt8(ascii: "\"") { end += 1 }
        return end < bytes.count ? prefix.count..<end : nil
    }

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

    private static let leadingTypePrefix = Array(#"{"type":""#.utf8)
}
