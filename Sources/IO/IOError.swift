#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which call, and the `errno` it left.
public struct IOError: Error, CustomStringConvertible, Sendable {
    /// The system call that failed, e.g. `bind`.
    public let call: String
    /// The `errno` value.
    public let errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The result of a non-blocking system call: either it did something, or it would block.
///
/// Following swift-nio's convention, `EAGAIN`/`EWOULDBLOCK` is a value, not an error, and `EINTR` is
/// retried inside the wrapper, so callers only ever see real failures as thrown errors.
public enum IOResult<T> {
    case processed(T)
    case wouldBlock
}

@usableFromInline
func syscall(_ name: String, blocking: Bool = false, _ body: () -> Int) throws -> IOResult<Int> {
    while true {
        let result = body()
        if result >= 0 { return .processed(result) }
        let err = errno
        switch err {
        case EINTR:
            continue
        case EAGAIN, EWOULDBLOCK:
            if !blocking { return .wouldBlock }
            fallthrough
        default:
            throw IOError(name, errno: err)
        }
    }
}
