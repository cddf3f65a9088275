#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system operation of `AtomicFile` (or `AppendOnlyFile`) failed.
///
/// `shortName` is stable (`file_open_failed`, `file_write_failed`, …) for logs and metrics;
/// `errno` is the POSIX error number when one applies (see `errno(3)`).
public struct AtomicFileError: Error, Sendable, CustomStringConvertible {
    enum Code: String, Sendable {
        case open = "file_open_failed"
        case write = "file_write_failed"
        case read = "file_read_failed"
        case sync = "file_sync_failed"
        case rename = "file_rename_failed"
        case interrupted = "file_write_interrupted"
    }

    let code: Code
    /// The path involved.
    public let path: String
    /// The POSIX `errno`, or 0 when the failure did not come from a system call.
    public let errno: Int32
    /// The error thrown by a test hook, for `file_write_interrupted`.
    public let underlying: (any Error)?

    init(_ code: Code, path: String, errno: Int32, underlying: (any Error)? = nil) {
        self.code = code
        self.path = path
        self.errno = errno
        self.underlying = underlying
    }

    /// Stable short name, e.g. `file_rename_failed`.
    public var shortName: String { code.rawValue }

    /// True when the file did not exist (`ENOENT`).
    public var isNotFound: Bool { errno == ENOENT }

    public var description: String {
        if let underlying { return "\(shortName) \(path): \(underlying)" }
        return "\(shortName) \(path): \(String(cString: strerror(errno)))"
    }
}
