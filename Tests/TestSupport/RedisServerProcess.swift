import Foundation
import IO
#if canImport(Glibc)
import Glibc
#endif

/// A real `redis-server` (Debian's package, which the test command installs) on a free loopback port, with no
/// persistence, for tests of the fleet store. It can be stopped and started again on the same port, to test what
/// clients do while Redis is down and when it returns.
public final class RedisServerProcess {
    public private(set) var port: UInt16 = 0
    /// The TLS port, when the server was started with a certificate.
    public private(set) var tlsPort: UInt16 = 0
    private var process: Process?
    private let extraArguments: [String]
    private let directory: URL

    /// Starts the server; `arguments` are added to its command line (e.g. `--requirepass`, `--user`). With a
    /// `certificate` it also listens for TLS on ``tlsPort`` (clients are not asked for certificates).
    public init(arguments: [String] = [], certificate: TestCertificate? = nil) throws {
        var arguments = arguments
        if let certificate {
            tlsPort = try Self.freePort()
            arguments += ["--tls-port", String(tlsPort), "--tls-cert-file", certificate.certificatePath,
                          "--tls-key-file", certificate.privateKeyPath, "--tls-ca-cert-file", certificate.certificatePath,
                          "--tls-auth-clients", "no"]
        }
        extraArguments = arguments
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // A port the kernel just handed out is almost surely free; a server that still fails to bind is retried.
        for _ in 0..<5 {
            port = try Self.freePort()
            if try launch() { return }
        }
        throw RedisServerError(message: "redis-server did not start")
    }

    deinit { stop(); try? FileManager.default.removeItem(at: directory) }

    public static var binary: String? {
        ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts the server again on its port (after ``stop()``).
    public func restart() throws {
        for _ in 0..<50 {
            if try launch() { return }
            usleep(100_000)  // the old socket may linger briefly; this loop waits on the bind succeeding
        }
        throw RedisServerError(message: "redis-server did not start again on port \(port)")
    }

    /// Kills the server (SIGKILL: what a crash looks like to clients) and waits for it to exit.
    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    private func launch() throws -> Bool {
        guard let binary = Self.binary else { throw RedisServerError(message: "redis-server is not installed (deploy/install-deps.sh installs it)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", directory.path, "--daemonize", "no", "--loglevel", "warning"] + extraArguments
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Ready when it accepts a connection; gone when it exits (the port was taken).
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !process.isRunning { return false }
            if Self.accepts(port: port) {
                self.process = process
                return true
            }
            usleep(10_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }

    /// Whether a server on `port` answers a `PING` (`+PONG`, or `-NOAUTH` when it wants a password): bound is not
    /// enough, a server can listen and then exit on a bad configuration.
    private static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let address = SocketAddress(host: "127.0.0.1", port: port), address.withSockAddr({ connect(fd, $0, $1) }) == 0 else { return false }
        let ping = Array("PING\r\n".utf8)
        guard write(fd, ping, ping.count) == ping.count else { return false }
        var reply = [UInt8](repeating: 0, count: 64)
        let n = read(fd, &reply, reply.count)
        guard n > 0 else { return false }
        let text = String(decoding: reply[..<n], as: UTF8.self)
        return text.hasPrefix("+PONG") || text.hasPrefix("-NOAUTH")
    }

    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        guard let address = SocketAddress(host: "127.0.0.1", port: 0), address.withSockAddr({ bind(fd, $0, $1) }) == 0 else {
            throw RedisServerError(message: "cannot bind a port")
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return SocketAddress(storage: storage)?.port ?? 0
    }
}

public struct RedisServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
