#if canImport(Glibc)
import Glibc
#endif

/// The IMF-fixdate for the `Date` header (RFC 9110 §5.6.7), cached per second and per loop.
struct HTTPDateCache {
    private var second: time_t = -1
    private var cached: [UInt8] = []

    /// Today's `Date` value as bytes, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    mutating func bytes() -> [UInt8] {
        let now = time(nil)
        if now != second {
            second = now
            cached = Array(HTTPDateCache.format(now).utf8)
        }
        return cached
    }

    static func format(_ t: time_t) -> String {
        var t = t
        var tm = tm()
        gmtime_r(&t, &tm)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(tm.tm_wday)]), \(two(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(tm.tm_year + 1900) "
            + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) GMT"
    }
}
