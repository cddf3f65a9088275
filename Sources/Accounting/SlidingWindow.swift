/// A count over the last 60 seconds in one-second buckets, for requests- and tokens-per-minute limits.
/// O(1) to add and to read (a running sum); time never needs to move forward monotonically (a step back
/// counts in the current bucket).
struct SlidingWindow: Sendable {
    static let seconds = 60
    private var buckets = [Int](repeating: 0, count: seconds)
    private var current = Int.min
    private(set) var sum = 0

    /// Moves the window to end at second `now`, dropping buckets older than 60 s.
    mutating func advance(to now: Int) {
        guard now > current else { return }
        if current == Int.min || now - current >= Self.seconds {
            for i in 0..<Self.seconds { buckets[i] = 0 }
            sum = 0
        } else {
            for s in (current + 1)...now {
                let i = Self.index(s)
                sum -= buckets[i]
                buckets[i] = 0
            }
        }
        current = now
    }

    /// Adds `amount` at second `now`.
    mutating func add(_ amount: Int, at now: Int) {
        advance(to: now)
        buckets[Self.index(current)] += amount
        sum += amount
    }

    /// Seconds from `current` until the sum falls below `limit` as old buckets expire.
    func secondsUntilBelow(_ limit: Int) -> Int {
        var remaining = sum
        for age in stride(from: Self.seconds - 1, through: 0, by: -1) {
            if remaining < limit { return Self.seconds - 1 - age }
            remaining -= buckets[Self.index(current - age)]
        }
        return Self.seconds
    }

    private static func index(_ second: Int) -> Int { ((second % seconds) + seconds) % seconds }
}
