import FoundationEssentials
import Glibc

/// A request time in the ISO 8601 basic format SigV4 signs (`20150830T123600Z`), whole seconds, UTC
/// ([SigV4 elements: date](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html)).
public struct SigV4Date: Sendable, Hashable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let secondsSince1970: Int64
    /// `yyyyMMdd'T'HHmmss'Z'`, the `X-Amz-Date` value.
    public let basic: String

    /// The date of the credential scope, `yyyyMMdd`.
    public var day: Substring { basic.prefix(8) }

    /// The `X-Amz-Date` text.
    public var description: String { basic }

    /// The time `secondsSince1970`, formatted with `gmtime_r` (no `DateFormatter` on the hot path).
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
        var seconds = time_t(secondsSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // `yyyyMMdd'T'HHmmss'Z'`, written in place: one allocation.
        basic = String(unsafeUninitializedCapacity: 16) { text in
            var index = 0
            func put(_ value: Int32, digits: Int) {
                var v = value
                for offset in stride(from: digits - 1, through: 0, by: -1) {
                    text[index + offset] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
                index += digits
            }
            put(parts.tm_year + 1900, digits: 4)
            put(parts.tm_mon + 1, digits: 2)
            put(parts.tm_mday, digits: 2)
            text[index] = UInt8(ascii: "T")
            index += 1
            put(parts.tm_hour, digits: 2)
            put(parts.tm_min, digits: 2)
            put(parts.tm_sec, digits: 2)
            text[index] = UInt8(ascii: "Z")
            return index + 1
        }
    }

    /// The time of a `Date`-like value given as seconds since 1970 (fractions are dropped).
    public init(timeIntervalSince1970: Double) {
        self.init(secondsSince1970: Int64(timeIntervalSince1970.rounded(.down)))
    }

    /// The time of `date` (fractions of a second are dropped).
    public init(_ date: Date) {
        self.init(timeIntervalSince1970: date.timeIntervalSince1970)
    }

    /// The time as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(secondsSince1970)) }

    /// Parses `yyyyMMdd'T'HHmmss'Z'`; nil for anything else (including out-of-range fields).
    public init?(basic text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 16, utf8[8] == UInt8(ascii: "T"), utf8[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for i in range {
                let c = utf8[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int32(c - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = Int64(timegm(&parts))
        self.init(secondsSince1970: seconds)
        guard basic == text else { return nil }  // rejects 31 February and leap-second spellings
    }
}
