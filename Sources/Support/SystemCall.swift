#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers around POSIX calls that retry `EINTR` (see `signal(7)`, "Interruption of system calls").
enum SystemCall {
    /// Runs `body` until it does not fail with `EINTR`; returns its result (-1 with `errno` set on failure).
    @inline(__always)
    static func retrying<T: BinaryInteger>(_ body: () -> T) -> T {
        while true {
            let result = body()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }

    /// Writes all of `bytes` to `fd`, continuing after short writes. Returns 0 or the failing `errno`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let n = retrying { Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
            if n < 0 { return errno }
            offset += n
        }
        return 0
    }

    /// Closes `fd`, ignoring `EINTR` (on Linux the descriptor is released even then; see `close(2)`).
    static func close(_ fd: Int32) { _ = Glibc.close(fd) }
}
