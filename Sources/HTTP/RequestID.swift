#if canImport(Glibc)
import Glibc
#endif

/// Request ids in the UUID text form AWS services use for their request ids.
///
/// A random 64-bit prefix per generator plus a counter: unique within the process, unpredictable across
/// processes, and far cheaper than a random UUID per request. One generator per event loop.
struct RequestIDGenerator {
    private let prefix: UInt64
    private var counter: UInt64 = 0
    private static let hex = Array("0123456789abcdef".utf8)

    init(loopIndex: Int) {
        var g = SystemRandomNumberGenerator()
        // Mix the loop index in so two loops never share a prefix.
        self.prefix = g.next() ^ UInt64(loopIndex)
    }

    mutating func next() -> String {
        counter &+= 1
        // 8-4-4-4-12 hex digits: 16 from the prefix, 16 from the counter.
        let counter = self.counter
        let prefix = self.prefix
        return String(unsafeUninitializedCapacity: 36) { out in
            var p = 0
            for k in 0..<32 {
                if p == 8 || p == 13 || p == 18 || p == 23 { out[p] = 45; p += 1 }
                let word = k < 16 ? prefix : counter
                out[p] = Self.hex[Int((word >> UInt64(60 - 4 * (k & 15))) & 0xF)]
                p += 1
            }
            return 36
        }
    }
}
