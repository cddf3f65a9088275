import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// UTC timestamps in the RFC 3339 profile of ISO 8601 with milliseconds: `2025-01-31T12:34:56.789Z`.
/// Lexicographic order equals time order. See <https://www.rfc-editor.org/rfc/rfc3339#section-5.6>.
public enum RFC3339 {
    /// Formats `date` in UTC with millisecond precision.
    public static func format(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let ms = Int(millis - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms), 3))Z"
    }
}
