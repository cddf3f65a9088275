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
        out.appendDecimal(Int(parts.tm_year) + 1900, minimumDigits: 4)
        out.append(UInt8(ascii: "-"))
        out.appendDecimal(Int(parts.tm_mon) + 1, minimumDigits: 2)
        out.append(UInt8(ascii: "-"))
        out.appendDecimal(Int(parts.tm_mday), minimumDigits: 2)
        out.append(UInt8(ascii: "T"))
        out.appendDecimal(Int(parts.tm_hour), minimumDigits: 2)
        out.append(UInt8(ascii: ":"))
        out.appendDecimal(Int(parts.tm_min), minimumDigits: 2)
        out.append(UInt8(ascii: ":"))
        out.appendDecimal(Int(parts.tm_sec), minimumDigits: 2)
        out.append(UInt8(ascii: "."))
        out.appendDecimal(ms, minimumDigits: 3)
        out.append(UInt8(ascii: "Z"))
    }
}
