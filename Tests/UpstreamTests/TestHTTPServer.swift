import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking HTTP/1.1 server on 127.0.0.1 (port 0) for the Upstream tests: one thread accepts,
/// one thread per connection reads requests and hands them to the test's handler, which writes the
/// response itself (so it can stream, stall or never answer).
final class TestHTTPServer: @unchecked Sendable {
    /// A parsed request.
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var connectionID: Int

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    typealias Handler = @Sendable (Request, TestConnection) -> Void

    let port: UInt16
    private let listener: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var connections: [TestConnection] = []
    private var stopped = false

    init(handler: @escaping Handler) {
        self.handler = handler
        let listener = socket(AF_INET, streamSocketType, 0)
        precondition(listener >= 0, "socket failed")
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        precondition(bound == 0 && listen(listener, 1024) == 0, "bind/listen failed")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        self.listener = listener
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    var acceptedCount: Int { lock.withLock { connections.count } }

    /// Connections whose descriptor the server has closed.
    var closedCount: Int { lock.withLock { connections.filter(\.isFullyClosed).count } }

    /// Stops accepting and shuts every connection down.
    func stop() {
        let open: [TestConnection] = lock.withLock {
            stopped = true
            return connections
        }
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        for connection in open { connection.shutdownBoth() }
    }

    private func acceptLoop() {
        var nextID = 1
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                break
            }
            let connection = TestConnection(fd: fd, id: nextID)
            nextID += 1
            let isStopped = lock.withLock {
                connections.append(connection)
                return stopped
            }
            if isStopped { connection.shutdownBoth() }
            let thread = Thread { [self] in serve(connection) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
        close(listener)
    }

    private func serve(_ connection: TestConnection) {
        while let request = connection.readRequest() {
            handler(request, connection)
            if connection.isClosed { break }
        }
        connection.close()
    }
}

/// One accepted connection, used from its serving thread (and `shutdownBoth` from anywhere).
final class TestConnection: @unchecked Sendable {
    let fd: Int32
    let id: Int
    private var buffer: [UInt8] = []
    private(set) var isClosed = false

    init(fd: Int32, id: Int) {
        self.fd = fd
        self.id = id
    }

    /// Reads one request (headers and `Content-Length` body), or nil at EOF.
    func readRequest() -> TestHTTPServer.Request? {
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = find(terminator)
            if headerEnd == nil, !fill() { return nil }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        buffer.removeFirst(headerEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var request = TestHTTPServer.Request(method: String(requestLine[0]), target: String(requestLine[1]),
                                             headers: headers, body: [], connectionID: id)
        let length = Int(request.header("content-length") ?? "0") ?? 0
        while buffer.count < length {
            if !fill() { return nil }
        }
        request.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return request
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for start in 0...(buffer.count - needle.count) where buffer[start] == needle[0] {
            if Array(buffer[start..<start + needle.count]) == needle { return start }
        }
        return nil
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Writes everything (blocking). Returns false when the peer is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Blocks until the peer closes (read returns 0 or fails), at most `timeout` seconds.
    func waitForEOF(timeout: Int32 = 10_000) -> Bool {
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, timeout)
            if ready == 0 { return false }
            if ready < 0 { if errno == EINTR { continue } else { return true } }
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return true }
        }
    }

    /// Marks the connection as not to be read again (the serving loop closes it).
    func markClosed() { isClosed = true }

    private let fdLock = NSLock()
    private var fdClosed = false

    func shutdownBoth() {
        fdLock.withLock { if !fdClosed { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    func close() {
        fdLock.withLock {
            if !fdClosed { _ = Glibc.close(fd) }
            fdClosed = true
        }
    }

    /// Whether the descriptor is closed.
    var isFullyClosed: Bool { fdLock.withLock { fdClosed } }
}
