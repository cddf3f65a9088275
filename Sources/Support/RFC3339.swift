import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// UTC timestamps in the RFC 3339 profile of ISO 8601 with milliseconds: `2025-01-31T12:34:56.789Z`.
/// Lexicographic order equals time order. See <https://www.rfc-editor.org/rfc/rfc3339#section-5.6>.
public enum RFC3339 {
    /// Formats `date` in UTC with millisecond precision.
    public static func format(_ date: Date) -> String {
        var out: [UInt8] = []
        write(date, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `date` in UTC with millisecond precision (`2025-01-31T12:34:56.789Z`) as ASCII bytes, without
    /// building a `String` (the ledger writes one per request).
    public static func write(_ date: Date, into out: inout [UInt8]) {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let ms = Int(millis - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        appendPadded(Int(parts.tm_year) + 1900, width: 4, into: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(Int(parts.tm_mon) + 1, width: 2, into: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(Int(parts.tm_mday), width: 2, into: &out)
        out.append(UInt8(ascii: "T"))
        appendPadded(Int(parts.tm_hour), width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(Int(parts.tm_min), width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(Int(parts.tm_sec), width: 2, into: &out)
        out.append(UInt8(ascii: "."))
        appendPadded(ms, width: 3, into: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// `value` in decimal, zero-padded on the left to `width` digits (a negative value keeps its sign first).
    private static func appendPadded(_ value: Int, width: Int, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt = 1, digits = 1
        while magnitude / divisor >= 10 { divisor *= 10; digits += 1 }
        if digits < width { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits)) }
        var rest = magnitude
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
