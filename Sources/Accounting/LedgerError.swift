#if canImport(Glibc)
import Glibc
#endif
import Support

/// Why the ledger could not create its directory, write, sync or read a file.
/// ``shortName`` is stable (`ledger_write_failed`, …) for logs and metrics.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: String, Sendable, Equatable {
        case directory = "ledger_directory_failed"
        case write = "ledger_write_failed"
        case read = "ledger_read_failed"
        case closed = "ledger_closed"
    }

    let code: Code
    /// The path involved.
    public let path: String
    /// The POSIX `errno`, or 0.
    public let errno: Int32

    init(_ code: Code, path: String, errno: Int32) {
        self.code = code
        self.path = path
        self.errno = errno
    }

    init(_ code: Code, _ error: AtomicFileError) {
        self.init(code, path: error.path, errno: error.errno)
    }

    /// Stable short name.
    public var shortName: String { code.rawValue }

    public var description: String {
        errno == 0 ? "\(shortName): \(path)" : "\(shortName): \(path): \(String(cString: strerror(errno)))"
    }
}
