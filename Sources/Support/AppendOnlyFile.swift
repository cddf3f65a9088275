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
    /// The two system calls an append makes, as a seam for fault injection: tests substitute a `write` that stops
    /// part-way or fails with `ENOSPC` at a chosen byte, which a real disk only does when it is full.
    public struct SystemCalls: Sendable {
        /// `write(2)`: bytes written, or -1 with `errno` set.
        public var write: @Sendable (Int32, UnsafeRawBufferPointer) -> Int
        /// `fsync(2)`: 0, or -1 with `errno` set.
        public var fsync: @Sendable (Int32) -> Int32

        public init(write: @escaping @Sendable (Int32, UnsafeRawBufferPointer) -> Int,
                    fsync: @escaping @Sendable (Int32) -> Int32) {
            self.write = write
            self.fsync = fsync
        }

        /// The real calls.
        public static let system = SystemCalls(
            write: { fd, bytes in Glibc.write(fd, bytes.baseAddress, bytes.count) },
            fsync: { fd in Glibc.fsync(fd) }
        )
    }

    /// The path opened.
    public let path: String
    private var fd: Int32
    private let calls: SystemCalls

    /// Opens (creating with `permissions` if needed) `path` for appending, and syncs its directory
    /// so a newly created file survives a crash.
    public init(path: String, permissions: mode_t = 0o640, calls: SystemCalls = .system) throws(AtomicFileError) {
        self.path = path
        self.calls = calls
        var info = stat()
        let existed = stat(path, &info) == 0
        fd = SystemCall.retrying { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, permissions) }
        guard fd >= 0 else { throw AtomicFileError(.open, path: path, errno: errno) }
        if !existed { try AtomicFile.syncDirectory(AtomicFile.split(path).0) }
    }

    deinit { if fd >= 0 { SystemCall.close(fd) } }

    /// Appends `bytes` (short writes are continued) and `fsync`s.
    public func append(_ bytes: [UInt8], sync: Bool = true) throws(AtomicFileError) {
        var written = 0
        let failure: AtomicFileError? = bytes.withUnsafeBytes { raw in
            do throws(AtomicFileError) { try append(raw, sync: sync, written: &written) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Appends `bytes` (short writes are continued) and, when `sync`, `fsync`s. `written` is advanced by every byte
    /// that reached the file, also when this throws: after a write stops part-way (`ENOSPC`, `EIO`), a caller that
    /// retries resumes at `bytes[written...]` instead of writing the first part a second time.
    public func append(_ bytes: UnsafeRawBufferPointer, sync: Bool = true, written: inout Int) throws(AtomicFileError) {
        var offset = 0
        while offset < bytes.count {
            let n = SystemCall.retrying { calls.write(fd, UnsafeRawBufferPointer(rebasing: bytes[offset...])) }
            if n < 0 { throw AtomicFileError(.write, path: path, errno: errno) }
            if n == 0 { throw AtomicFileError(.write, path: path, errno: EIO) }
            offset += n
            written += n
        }
        if sync && SystemCall.retrying({ calls.fsync(fd) }) != 0 { throw AtomicFileError(.sync, path: path, errno: errno) }
    }

    /// `fsync(2)` alone: for bytes an earlier `append` wrote but could not sync.
    public func sync() throws(AtomicFileError) {
        if SystemCall.retrying({ calls.fsync(fd) }) != 0 { throw AtomicFileError(.sync, path: path, errno: errno) }
    }
}
