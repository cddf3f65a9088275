#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file so that a crash at any instant leaves either the complete old contents or the
/// complete new contents, never a mix: write a temporary file in the same directory, `fsync(2)` it,
/// `rename(2)` it over the target (atomic within one file system), then `fsync` the directory so the
/// rename itself is durable.
///
/// See `rename(2)` ("If newpath already exists, it will be atomically replaced") and `fsync(2)`
/// ("Calling fsync() does not necessarily ensure that the entry in the directory containing the
/// file has also reached disk. For that an explicit fsync() on a file descriptor for the directory
/// is also needed").
public enum AtomicFile {
    /// Test hooks to simulate a crash between the steps.
    public struct Hooks: Sendable {
        /// Called with the temporary file's path after it is written and synced, before the rename.
        /// Throwing here simulates a crash: the temporary file is left behind (as a crash would leave
        /// it), the target is untouched, and `write` throws `file_write_interrupted`.
        public var beforeRename: (@Sendable (String) throws -> Void)?

        /// No hooks.
        public init(beforeRename: (@Sendable (String) throws -> Void)? = nil) {
            self.beforeRename = beforeRename
        }
    }

    /// Atomically replaces (or creates) the file at `path` with `bytes`.
    /// - Parameters:
    ///   - permissions: mode of the new file (before umask).
    ///   - hooks: test hooks; production callers pass none.
    /// - Throws: `AtomicFileError`; on any error the file at `path` keeps its previous contents.
    public static func write(
        _ bytes: [UInt8], to path: String, permissions: mode_t = 0o644, hooks: Hooks = Hooks()
    ) throws(AtomicFileError) {
        let (directory, name) = split(path)
        let temp = "\(directory)/.\(name).tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = SystemCall.retrying { open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions) }
        guard fd >= 0 else { throw AtomicFileError(.open, path: temp, errno: errno) }
        let writeErrno = bytes.withUnsafeBytes { SystemCall.writeAll(fd, $0) }
        if writeErrno != 0 {
            SystemCall.close(fd)
            unlink(temp)
            throw AtomicFileError(.write, path: temp, errno: writeErrno)
        }
        if SystemCall.retrying({ fsync(fd) }) != 0 {
            let e = errno
            SystemCall.close(fd)
            unlink(temp)
            throw AtomicFileError(.sync, path: temp, errno: e)
        }
        SystemCall.close(fd)
        if let hook = hooks.beforeRename {
            do { try hook(temp) } catch { throw AtomicFileError(.interrupted, path: path, errno: 0, underlying: error) }
        }
        if rename(temp, path) != 0 {
            let e = errno
            unlink(temp)
            throw AtomicFileError(.rename, path: path, errno: e)
        }
        try syncDirectory(directory)
    }

    /// Reads the whole file at `path`.
    /// - Throws: `AtomicFileError` (`isNotFound` when it does not exist).
    public static func read(_ path: String) throws(AtomicFileError) -> [UInt8] {
        let fd = SystemCall.retrying { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw AtomicFileError(.open, path: path, errno: errno) }
        defer { SystemCall.close(fd) }
        var info = stat()
        var result: [UInt8] = []
        if fstat(fd, &info) == 0 && info.st_size > 0 { result.reserveCapacity(Int(info.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { buf in
                SystemCall.retrying { Glibc.read(fd, buf.baseAddress, buf.count) }
            }
            if n < 0 { throw AtomicFileError(.read, path: path, errno: errno) }
            if n == 0 { return result }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    /// `fsync(2)` on a directory, making renames and creations inside it durable.
    public static func syncDirectory(_ directory: String) throws(AtomicFileError) {
        let dfd = SystemCall.retrying { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard dfd >= 0 else { throw AtomicFileError(.open, path: directory, errno: errno) }
        defer { SystemCall.close(dfd) }
        if SystemCall.retrying({ fsync(dfd) }) != 0 {
            throw AtomicFileError(.sync, path: directory, errno: errno)
        }
    }

    /// Splits `path` into (directory, last component); the directory of a bare name is ".".
    static func split(_ path: String) -> (String, String) {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return (".", path) }
        let dir = String(path[path.startIndex..<slash])
        let name = String(path[path.index(after: slash)...])
        return (dir.isEmpty ? "/" : dir, name)
    }
}
