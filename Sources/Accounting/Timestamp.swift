import FoundationEssentials
import Support

/// Ledger timestamps: written with Support's ``RFC3339/write(_:into:)`` (`2025-01-31T12:34:56.789Z`), read back here.
/// Reading accepts the RFC 3339 `date-time` of [§5.6](https://www.rfc-editor.org/rfc/rfc3339#section-5.6) with
/// `Z` or a numeric offset and any number of fraction digits, or a bare `full-date` (midnight UTC), which is
/// what `GET /v1/usage?from=&to=` clients send.
public enum Timestamp {
    /// `date` as RFC 3339 UTC with milliseconds.
    public static func format(_ date: Date) -> String { RFC3339.format(date) }

    /// The instant `text` names, or nil when it is not RFC 3339.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 10, let day = CivilDate(parsing: Substring(String(decoding: b[0..<10], as: UTF8.self))) else {
            return nil
        }
        var seconds = Double(day.dayNumber) * 86_400
        if b.count == 10 { return Date(timeIntervalSince1970: seconds) }
        guard b.count >= 20, b[10] | 0x20 == UInt8(ascii: "t") || b[10] == 0x20, b[13] == UInt8(ascii: ":"),
              b[16] == UInt8(ascii: ":"), let h = CivilDate.digits(b, 11, 2), let m = CivilDate.digits(b, 14, 2),
              let s = CivilDate.digits(b, 17, 2), h < 24, m < 60, s < 61 else { return nil }
        seconds += Double(h * 3600 + m * 60 + s)
        var i = 19
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var fraction = 0.0, scale = 0.1
            let start = i
            while i < b.count, b[i] &- 0x30 < 10 {
                fraction += Double(b[i] &- 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
            // Milliseconds are what the ledger writes; round there so a round trip is exact.
            seconds += (fraction * 1000).rounded() / 1000
        }
        guard i < b.count else { return nil }
        if b[i] | 0x20 == UInt8(ascii: "z") {
            guard i + 1 == b.count else { return nil }
        } else {
            guard i + 6 == b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b[i + 3] == UInt8(ascii: ":"),
                  let oh = CivilDate.digits(b, i + 1, 2), let om = CivilDate.digits(b, i + 4, 2) else { return nil }
            let offset = Double(oh * 3600 + om * 60)
            seconds += b[i] == UInt8(ascii: "+") ? -offset : offset
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
