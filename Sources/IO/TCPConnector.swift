#if canImport(Glibc)
import Glibc
#endif

/// Opens outbound TCP connections for ``TCPConnection`` (Tollgate's own clients of other servers, such as Redis).
public enum TCPConnector {
    /// Starts a non-blocking connect to `address` and wraps the socket; call `start()` on `loop` next.
    ///
    /// The connection is usable at once: what is written before the handshake completes is queued (a send on a
    /// connecting socket would block) and leaves when the socket turns writable; a refused or unreachable peer
    /// closes the connection (its delegate hears `connectionDidClose`).
    /// With a `layer` (a TLS client session), the connection speaks through it; the layer's first bytes leave with the
    /// first write.
    public static func connect(to address: SocketAddress, loop: EventLoop, layer: (any TransportLayer)? = nil) throws(IOError) -> TCPConnection {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(address.family, type, 0)
        guard fd >= 0 else { throw IOError("socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var result: Int32
        repeat {
            result = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        } while result != 0 && errno == EINTR
        guard result == 0 || errno == EINPROGRESS else {
            let err = errno
            close(fd)
            throw IOError("connect \(address)", errno: err)
        }
        return TCPConnection(fd: fd, remoteAddress: address, loop: loop, layer: layer)
    }

    /// The addresses `host` resolves to (numeric hosts without a lookup). Blocks on DNS: call off the event loops.
    public static func resolve(host: String, port: UInt16) -> [SocketAddress] {
        if let numeric = SocketAddress(host: host, port: port) { return [numeric] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var found: [SocketAddress] = []
        var next = list
        while let entry = next {
            if let address = entry.pointee.ai_addr {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { out in
                    out.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(entry.pointee.ai_addrlen)))
                }
                if let parsed = SocketAddress(storage: storage) { found.append(parsed) }
            }
            next = entry.pointee.ai_next
        }
        return found
    }
}
