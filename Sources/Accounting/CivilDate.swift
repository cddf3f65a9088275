import FoundationEssentials

/// A UTC calendar day (proleptic Gregorian), for daily ledger files, daily and monthly budgets and `group_by=day`.
/// Conversions use the days-from-civil algorithm of
/// [H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"](https://howardhinnant.github.io/date_algorithms.html),
/// with no calendar objects or time-zone lookups on the request path.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Year (proleptic Gregorian).
    public var year: Int
    /// Month, 1…12.
    public var month: Int
    /// Day of the month, 1…31.
    public var day: Int

    /// A day from its parts (not validated).
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC day of `date`.
    public init(_ date: Date) {
        self.init(dayNumber: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
    }

    /// The day `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Parses `YYYY-MM-DD`; nil when malformed or out of range.
    public init?(parsing text: Substring) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = Self.digits(b, 0, 4), let m = Self.digits(b, 5, 2), let d = Self.digits(b, 8, 2),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        self.init(year: y, month: m, day: d)
        guard CivilDate(dayNumber: dayNumber) == self else { return nil }
    }

    /// Days since 1970-01-01.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Months since January of year 0 (a key for monthly budgets).
    public var monthNumber: Int { year * 12 + month - 1 }

    /// Midnight UTC at the start of this day.
    public var start: Date { Date(timeIntervalSince1970: Double(dayNumber) * 86_400) }

    /// The first day of this day's month.
    public var firstOfMonth: CivilDate { CivilDate(year: year, month: month, day: 1) }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }

    static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var v = 0
        for i in start..<start + count {
            guard b[i] &- 0x30 < 10 else { return nil }
            v = v * 10 + Int(b[i] &- 0x30)
        }
        return v
    }
}
