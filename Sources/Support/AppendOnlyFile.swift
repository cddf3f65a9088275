#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for appending (`O_APPEND`, so every `write(2)` lands at the end even with other
/// writers), with durable appends: `append` returns after `fsync(2)`.
///
/// Not thread-safe; callers serialise `append` (e.g. with a lock or a serial queue).
/// A crash can leave a torn last record; readers must tolerate one (see `AuditLog`).
public final class AppendOnlyFile: @unchecked Sendable {
    /// The path opened.
    public let path: String
    private var fd: Int32

    /// Opens (creating with `permissions` if needed) `path` for appending, and syncs its directory
    /// so a newly created file survives a crash.
    public init(path: String, permissions: mode_t = 0o640) throws(AtomicFileError) {
        self.path = path
        var info = stat()
        let existed = stat(path, &info) == 0
        fd = SystemCall.retrying { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, permissions) }
        guard fd >= 0 else { throw AtomicFileError(.open, path: path, errno: errno) }
        if !existed { try AtomicFile.syncDirectory(AtomicFile.split(path).0) }
    }

    deinit { if fd >= 0 { SystemCall.close(fd) } }

    /// Appends `bytes` in one `write(2)` (short writes are continued) and `fsync`s.
    public func append(_ bytes: [UInt8], sync: Bool = true) throws(AtomicFileError) {
        let e = bytes.withUnsafeBytes { SystemCall.writeAll(fd, $0) }
        if e != 0 { throw AtomicFileError(.write, path: path, errno: e) }
        if sync && SystemCall.retrying({ fsync(fd) }) != 0 { throw AtomicFileError(.sync, path: path, errno: errno) }
    }
}
