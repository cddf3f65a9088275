/// Model ids taken from request paths (seed `001_…`: `{id}` is a catch-all; ids with slashes arrive
/// unencoded, `/v1/models/bedrock/anthropic.claude-3-haiku`, or percent-encoded,
/// `bedrock%2Fanthropic.claude-3-haiku`; both work). See RFC 3986 §2.1.
public enum ModelPath {
    /// Percent-decodes `raw` (the path remainder after `/v1/models/`); nil for malformed escapes or
    /// bytes that are not UTF-8.
    public static func decode(_ raw: Substring) -> String? {
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return String(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.utf8.count)
        var it = raw.utf8.makeIterator()
        while let b = it.next() {
            guard b == UInt8(ascii: "%") else { out.append(b); continue }
            guard let hi = it.next().flatMap(hex), let lo = it.next().flatMap(hex) else { return nil }
            out.append(hi << 4 | lo)
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - 55
        default: return nil
        }
    }
}
