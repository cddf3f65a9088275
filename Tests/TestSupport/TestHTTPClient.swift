import Foundation
import IO
import TLS
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately simple, blocking HTTP/1.1 client for tests: raw bytes in, parsed responses out.
/// It speaks on a real loopback socket so tests exercise the server exactly as a client would. Every read
/// has a timeout so a broken server fails the test instead of hanging it. Given a client ``TLSContext`` it speaks
/// HTTPS: the handshake runs in `init`, and every byte sent and read goes through the session.
public final class TestHTTPClient {
    public struct Response {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum ClientError: Error { case connect(Int32), closed, timeout, malformed(String) }

    public let fd: Int32
    private var buffer: [UInt8] = []
    /// The TLS session, when speaking HTTPS.
    public private(set) var tls: TLSSession?

    public init(port: UInt16, host: String = "127.0.0.1", timeoutSeconds: Int = 10, tls context: TLSContext? = nil,
                serverName: String = "localhost") throws {
        let v6 = host.contains(":")
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var result: Int32
        if v6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &addr.sin6_addr)
            result = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &addr.sin_addr)
            result = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        if result != 0 { let e = errno; close(fd); throw ClientError.connect(e) }
        tls = context?.makeSession(serverName: serverName, isServer: false)
        if let tls { try handshake(tls) }
    }

    /// Drives the client side of the handshake until it completes; throws `closed` if the server refuses it.
    private func handshake(_ session: TLSSession) throws {
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let result = scratch.withUnsafeMutableBytes { session.read(into: $0) }
            try sendRaw(session)
            switch result {
            case .bytes(let n):
                buffer.append(contentsOf: scratch[..<n])
                return
            case .needMore:
                if session.isEstablished { return }
                try receiveRaw(into: session)
            case .closed, .failed:
                throw ClientError.closed
            }
        }
    }

    private func sendRaw(_ session: TLSSession) throws {
        var failed = false
        session.takeOutput { bytes in
            if (try? sendAll(bytes)) == nil { failed = true }
        }
        if failed { throw ClientError.closed }
    }

    private func receiveRaw(into session: TLSSession) throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw ClientError.closed }
        if n < 0 { throw errno == EAGAIN ? ClientError.timeout : ClientError.closed }
        guard chunk[..<n].withUnsafeBytes({ session.receive($0) }) else { throw ClientError.closed }
    }

    private func sendAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n <= 0 { throw ClientError.closed }
            offset += n
        }
    }

    deinit { close(fd) }

    /// Sets the kernel receive buffer (to make a slow reader really slow).
    public func setReceiveBuffer(_ bytes: Int32) {
        var v = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    public func send(_ bytes: [UInt8]) throws {
        guard let tls else {
            try bytes.withUnsafeBytes { try sendAll($0) }
            return
        }
        var failed = false
        let accepted = bytes.withUnsafeBytes { plain in
            tls.send(plain) { wire in if (try? sendAll(wire)) == nil { failed = true } }
        }
        if failed || !accepted { throw ClientError.closed }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads more bytes into the buffer; throws on EOF or timeout.
    private func fill() throws {
        if let tls {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let result = chunk.withUnsafeMutableBytes { tls.read(into: $0) }
                try sendRaw(tls)
                switch result {
                case .bytes(let n):
                    buffer.append(contentsOf: chunk[..<n])
                    return
                case .needMore:
                    try receiveRaw(into: tls)
                case .closed, .failed:
                    throw ClientError.closed
                }
            }
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw ClientError.closed }
        if n < 0 { throw errno == EAGAIN ? ClientError.timeout : ClientError.closed }
        buffer.append(contentsOf: chunk[0..<n])
    }

    /// Reads until EOF; returns true if the peer closed within the timeout.
    public func waitForClose() -> Bool {
        while true {
            do { try fill() } catch ClientError.closed { return true } catch { return false }
        }
    }

    private func readLine() throws -> String {
        while true {
            if let i = buffer.firstIndex(of: 10) {
                var line = Array(buffer[..<i])
                if line.last == 13 { line.removeLast() }
                buffer.removeSubrange(...i)
                return String(decoding: line, as: UTF8.self)
            }
            try fill()
        }
    }

    private func readExactly(_ n: Int) throws -> [UInt8] {
        while buffer.count < n { try fill() }
        let out = Array(buffer[..<n])
        buffer.removeSubrange(..<n)
        return out
    }

    /// Reads one response (skipping 1xx interim responses unless `keepInterim`).
    public func readResponse(keepInterim: Bool = false, headRequest: Bool = false) throws -> Response {
        while true {
            let statusLine = try readLine()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, let status = Int(parts[1]) else { throw ClientError.malformed(statusLine) }
            var headers: [(String, String)] = []
            while true {
                let line = try readLine()
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else { throw ClientError.malformed(line) }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            var response = Response(status: status, headers: headers, body: [])
            if (100..<200).contains(status) {
                if keepInterim { return response }
                continue
            }
            if headRequest || status == 204 || status == 304 { return response }
            if let te = response.header("Transfer-Encoding"), te.lowercased() == "chunked" {
                while true {
                    let sizeLine = try readLine()
                    guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw ClientError.malformed(sizeLine) }
                    if size == 0 { _ = try readLine(); break }
                    response.body += try readExactly(size)
                    _ = try readLine()
                }
            } else if let cl = response.header("Content-Length"), let n = Int(cl) {
                response.body = try readExactly(n)
            } else {
                while true {
                    do { try fill() } catch ClientError.closed { break }
                }
                response.body = buffer
                buffer = []
            }
            return response
        }
    }

    /// Sends a request and reads its response.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> Response {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        try send(Array(text.utf8) + body)
        return try readResponse(headRequest: method == "HEAD")
    }
}

/// Waits until `condition` holds, polling; fails after `timeout`. For state that has no callback to wait on.
public func waitUntil(timeout: TimeInterval = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}
