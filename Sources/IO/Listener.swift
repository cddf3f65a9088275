#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// A listening TCP socket whose accepts are driven by a Dispatch read source.
///
/// Accepted sockets are non-blocking and close-on-exec; each is handed to `onAccept` together with the
/// peer's address. The listener never touches an accepted socket after that.
public final class Listener: @unchecked Sendable {
    /// The address actually bound (with the kernel's port when the configured port was 0).
    public let localAddress: SocketAddress
    private let fd: Int32
    private let queue: DispatchQueue
    private var source: DispatchSourceRead?
    private let onAccept: @Sendable (Int32, SocketAddress?) -> Void

    /// Binds and listens on `address`. `onAccept` runs on the listener's own queue.
    public init(
        address: SocketAddress,
        backlog: Int32 = 1024,
        onAccept: @escaping @Sendable (Int32, SocketAddress?) -> Void
    ) throws {
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        let fd = socket(address.family, type, 0)
        guard fd >= 0 else { throw IOError("socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = address.withSockAddr { bind(fd, $0, $1) }
        guard bound == 0 else {
            let err = errno
            close(fd)
            throw IOError("bind \(address)", errno: err)
        }
        guard listen(fd, backlog) == 0 else {
            let err = errno
            close(fd)
            throw IOError("listen", errno: err)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.localAddress = SocketAddress(storage: storage) ?? address
        self.fd = fd
        self.queue = DispatchQueue(label: "tollgate.accept.\(localAddress)")
        self.onAccept = onAccept
    }

    /// Starts accepting.
    public func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let fd = self.fd
        source.setEventHandler { [unowned self] in
            self.acceptAll()
        }
        source.setCancelHandler {
            close(fd)
        }
        self.source = source
        source.resume()
    }

    /// Stops accepting and closes the listening socket (asynchronously, once the source is cancelled). The port
    /// refuses new connections from the moment this returns: `shutdown(2)` on a listening socket stops the listen,
    /// where the close alone would leave a window in which the kernel still completes handshakes.
    public func stop() {
        queue.sync {
            guard let source else { return }
            _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
            source.cancel()
            self.source = nil
        }
    }

    private func acceptAll() {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let result: IOResult<Int>
            do {
                result = try syscall("accept") {
                    withUnsafeMutablePointer(to: &storage) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            Int(accept(fd, $0, &length))
                        }
                    }
                }
            } catch let error as IOError {
                // ECONNABORTED and friends concern one peer; EMFILE/ENFILE mean we are out of descriptors and must
                // back off rather than spin. Either way the listener itself stays up.
                if error.errno == EMFILE || error.errno == ENFILE { return }
                continue
            } catch {
                return
            }
            guard case .processed(let client) = result else { return }
            let flags = fcntl(Int32(client), F_GETFL)
            _ = fcntl(Int32(client), F_SETFL, flags | O_NONBLOCK)
            _ = fcntl(Int32(client), F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            setsockopt(Int32(client), Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            onAccept(Int32(client), SocketAddress(storage: storage))
        }
    }
}
