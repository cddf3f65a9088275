import Dispatch
import Foundation
import XCTest
@testable import HTTP
import IO
import TestSupport
import TLS

/// A responder for the tests: echoes, streams with backpressure, or holds a request until released.
final class TestResponder: HTTPResponder, @unchecked Sendable {
    let state = Locked(State())
    struct State {
        var held: [HTTPResponseWriter] = []
        var produced = 0
        var maxPending = 0
        var blocked = false
    }

    func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        switch request.head.path {
        case "/echo":
            var headers: HTTPHeaders = ["Content-Type": "application/octet-stream"]
            headers.add("x-method", request.head.method)
            writer.respond(status: 200, headers: headers, body: request.body)
        case "/stream":
            let chunks = Int(request.head.query.split(separator: "=").last ?? "0") ?? 0
            writer.writeHead(status: 200, headers: ["Content-Type": "application/octet-stream"], contentLength: nil)
            stream(writer, remaining: chunks)
        case "/first":
            // Head and first body bytes in one send, then the rest: fixed length (?length) or chunked.
            let body = Array("first+rest".utf8)
            let length = request.head.query == "length" ? body.count : nil
            body[..<6].withUnsafeBytes { writer.writeHead(status: 200, headers: [:], contentLength: length, firstBody: $0) }
            writer.write(Array(body[6...]))
            writer.end()
        case "/corked":
            // Head and three chunks gathered, sent with one write at uncork; then more, then the end.
            writer.cork()
            writer.writeHead(status: 200, headers: [:], contentLength: nil)
            for part in ["one", "two", "three"] { writer.write(Array(part.utf8)) }
            writer.uncork()
            writer.write(Array("four".utf8))
            writer.cork()
            writer.write(Array("five".utf8))
            writer.end()
        case "/hold":
            state.withLock { $0.held.append(writer) }
        default:
            writer.respond(status: 404, headers: ["Content-Type": "text/plain"], body: Array("No route for \(request.head.path)".utf8))
        }
    }

    private func stream(_ writer: HTTPResponseWriter, remaining: Int) {
        var remaining = remaining
        let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
        while remaining > 0 {
            guard writer.isWritable else {
                state.withLock { $0.blocked = true }
                writer.onWritable = { [weak writer] in
                    guard let writer else { return }
                    self.state.withLock { $0.blocked = false }
                    self.stream(writer, remaining: remaining)
                }
                return
            }
            writer.write(chunk)
            remaining -= 1
            let pending = writer.pendingOutputBytes
            state.withLock { $0.produced += chunk.count; $0.maxPending = max($0.maxPending, pending) }
        }
        writer.end()
    }

    /// Answers every held request.
    func releaseHeld() {
        let held = state.withLock { s -> [HTTPResponseWriter] in defer { s.held = [] }; return s.held }
        for writer in held {
            writer.loop.execute { writer.respond(status: 200, body: Array("released".utf8)) }
        }
    }
}

class HTTPServerTests: XCTestCase {
    var server: HTTPServer!
    var responder: TestResponder!
    var port: UInt16 { (server.secureLocalAddresses.first ?? server.localAddresses[0]).port }

    /// Whether the suite speaks HTTPS (``HTTPSServerTests`` runs every test again over TLS).
    class var overTLS: Bool { false }
    /// The slow reader's kernel receive buffer: small, so the server's queue fills fast. (Over TLS, a window smaller
    /// than one 16 KiB record leaves the sender waiting for Linux's 200 ms persist timer on every segment.)
    class var slowReaderReceiveBuffer: Int32 { 16 * 1024 }
    var certificate: TestCertificate?
    var clientContext: TLSContext?

    /// A client on the server's port, through TLS when the suite is over TLS.
    func connect(host: String = "127.0.0.1") throws -> TestHTTPClient {
        try TestHTTPClient(port: port, host: host, tls: clientContext)
    }

    func startServer(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        var config = HTTPServerConfiguration(addresses: [SocketAddress(parsing: "127.0.0.1:0")!], workers: 2)
        // The application's words for the server's own errors and its request-id header: what an AWS-style
        // application (the gateway) sets, so these tests see the hooks used.
        config.requestIDHeader = "x-amzn-RequestId"
        config.renderError = { status, reason in
            let type = [400: "ValidationException", 413: "ValidationException", 431: "ValidationException",
                        503: "ServiceUnavailableException"][status] ?? "InternalServerException"
            return HTTPErrorRendering(headers: ["Content-Type": "application/json", "x-amzn-ErrorType": type],
                                      body: Array("{\"message\":\"\(reason)\"}".utf8))
        }
        configure(&config)
        if Self.overTLS {
            let certificate = try TestCertificate()
            self.certificate = certificate
            clientContext = try certificate.clientContext()
            let security = try certificate.serverSecurity()
            config.secureAddresses = config.addresses.map { SecureAddress(address: $0, security: security) }
            config.addresses = []
        }
        responder = TestResponder()
        server = HTTPServer(configuration: config, responder: responder)
        try server.start()
    }

    override func tearDown() {
        if let server {
            let done = expectation(description: "shutdown")
            server.shutdown(gracePeriod: .milliseconds(100)) { done.fulfill() }
            wait(for: [done], timeout: 5)
        }
        server = nil
        certificate?.remove()
    }

    func testKeepAliveRequestsWithStandardHeaders() throws {
        try startServer()
        let client = try connect()
        let first = try client.request("POST", "/echo", body: Array("hello".utf8))
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.text, "hello")
        XCTAssertEqual(first.header("Content-Length"), "5")
        XCTAssertNotNil(first.header("Date"))
        XCTAssertEqual(first.header("x-amzn-RequestId")?.count, 36)
        XCTAssertNil(first.header("Connection"))
        let second = try client.request("GET", "/echo")
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.header("x-method"), "GET")
        XCTAssertNotEqual(first.header("x-amzn-RequestId"), second.header("x-amzn-RequestId"))
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        try startServer()
        let client = try connect()
        var batch = ""
        for i in 0..<5 { batch += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n\(i)" }
        try client.send(batch)
        for i in 0..<5 {
            XCTAssertEqual(try client.readResponse().text, "\(i)")
        }
    }

    func testChunkedRequestBody() throws {
        try startServer()
        let client = try connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().text, "abcde")
    }

    func testExpectContinue() throws {
        try startServer()
        let client = try connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        XCTAssertEqual(try client.readResponse(keepInterim: true).status, 100)
        try client.send("body")
        XCTAssertEqual(try client.readResponse().text, "body")
    }

    func testOversizedBodyIs413InBedrockShapeBeforeTheBodyIsSent() throws {
        try startServer()
        let client = try connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 25000001\r\n\r\n")
        let response = try client.readResponse(keepInterim: true)
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.header("x-amzn-ErrorType"), "ValidationException")
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(response.text.contains("25000000"), response.text)
        XCTAssertTrue(client.waitForClose())
    }

    func testOversizedHeadersAre431() throws {
        try startServer()
        let client = try connect()
        try client.send("GET /echo HTTP/1.1\r\nX: " + String(repeating: "a", count: 33 * 1024) + "\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 431)
        XCTAssertTrue(client.waitForClose())
    }

    func testMalformedRequestIs400AndCloses() throws {
        try startServer()
        let client = try connect()
        try client.send("GARBAGE\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 400)
        XCTAssertTrue(response.text.hasPrefix("{\"message\":"))
        XCTAssertTrue(client.waitForClose())
    }

    func testHeadWithFirstBodyBytesKeepsTheFraming() throws {
        try startServer()
        let client = try connect()
        for target in ["/first?length", "/first"] {
            let response = try client.request("GET", target)
            XCTAssertEqual(response.status, 200, target)
            XCTAssertEqual(response.text, "first+rest", target)
            XCTAssertEqual(response.header("Content-Length"), target.hasSuffix("length") ? "10" : nil, target)
            XCTAssertEqual(response.header("Transfer-Encoding"), target.hasSuffix("length") ? nil : "chunked", target)
        }
        // Both answers were framed right: the connection is still in step for a third request.
        XCTAssertEqual(try client.request("GET", "/echo").status, 200)
        // Corked writes (and ones still corked at the end) keep their framing and order.
        let corked = try client.request("GET", "/corked")
        XCTAssertEqual(corked.text, "onetwothreefourfive")
        XCTAssertEqual(corked.header("Transfer-Encoding"), "chunked")
        XCTAssertEqual(try client.request("GET", "/echo").status, 200)
    }

    /// The deadline rules at chosen instants (``HTTPServer/sweep(now:)``): a 60 s timeout, swept one second before
    /// and one second after it, with no waiting in between.
    func expectClosedOnlyAfter(_ timeout: Duration, _ client: TestHTTPClient) {
        XCTAssertTrue(waitUntil { self.server.openConnections == 1 })
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = UInt64(timeout.components.seconds) * 1_000_000_000
        server.sweep(now: now + seconds - 1_000_000_000)
        XCTAssertEqual(server.openConnections, 1, "not before the timeout")
        server.sweep(now: now + seconds + 1_000_000_000)
        XCTAssertTrue(client.waitForClose())
    }

    func testSlowLorisHeadersAreCutOff() throws {
        try startServer { $0.headerTimeout = .seconds(60) }
        let client = try connect()
        try client.send("GET /echo HTTP/1.1\r\nHost: x\r\n")
        expectClosedOnlyAfter(.seconds(60), client)
    }

    /// The one timeout test on the wall clock: the loop's periodic sweep really runs and enforces deadlines.
    func testThePeriodicSweepEnforcesTimeouts() throws {
        try startServer { $0.headerTimeout = .milliseconds(100) }
        let client = try connect()
        try client.send("GET /echo HTTP/1.1\r\n")
        XCTAssertTrue(client.waitForClose())
    }

    func testIdleKeepAliveTimeout() throws {
        try startServer { $0.idleTimeout = .seconds(60) }
        let client = try connect()
        XCTAssertEqual(try client.request("GET", "/echo").status, 200)
        expectClosedOnlyAfter(.seconds(60), client)
    }

    func testConnectionCapAnswers503() throws {
        try startServer { $0.maxConnections = 1 }
        let first = try connect()
        XCTAssertEqual(try first.request("GET", "/echo").status, 200)
        let second = try connect()
        let rejected = try second.readResponse()
        XCTAssertEqual(rejected.status, 503)
        XCTAssertEqual(rejected.header("x-amzn-ErrorType"), "ServiceUnavailableException")
        XCTAssertEqual(try first.request("GET", "/echo").status, 200)
    }

    func testSlowReaderDoesNotGrowServerMemory() throws {
        try startServer()
        let client = try connect()
        client.setReceiveBuffer(Self.slowReaderReceiveBuffer)
        let chunks = 256  // 16 MiB in total
        try client.send("GET /stream?n=\(chunks) HTTP/1.1\r\nHost: x\r\n\r\n")
        // The producer must stop when the client does not read.
        XCTAssertTrue(waitUntil { self.responder.state.get().blocked })
        let stalled = responder.state.get().produced
        XCTAssertLessThan(stalled, chunks * 64 * 1024 / 2)
        let response = try client.readResponse()
        XCTAssertEqual(response.body.count, chunks * 64 * 1024)
        let maxPending = responder.state.get().maxPending
        // One 64 KiB chunk may be queued on top of the high-water mark, plus its framing (TLS: 22 bytes per record).
        XCTAssertLessThanOrEqual(maxPending, server.configuration.writeHighWaterMark + 64 * 1024 + 128)
    }

    func testGracefulShutdownLetsInFlightRequestFinish() throws {
        try startServer()
        let client = try connect()
        try client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(waitUntil { self.responder.state.get().held.count == 1 })
        let idle = try connect()
        XCTAssertTrue(waitUntil { self.server.openConnections == 2 })
        let drained = expectation(description: "drained")
        server.shutdown(gracePeriod: .seconds(10)) { drained.fulfill() }
        XCTAssertTrue(idle.waitForClose(), "idle connections close at once")
        XCTAssertThrowsError(try connect(), "no longer accepting")
        responder.releaseHeld()
        let response = try client.readResponse()
        XCTAssertEqual(response.text, "released")
        XCTAssertEqual(response.header("Connection"), "close")
        wait(for: [drained], timeout: 5)
        server = nil
    }

    func testHTTP10GetsContentLengthAndClose() throws {
        try startServer()
        let client = try connect()
        try client.send("GET /echo HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose())
    }

    func testIPv6Loopback() throws {
        try startServer { $0.addresses = [SocketAddress(parsing: "[::1]:0")!] }
        let client = try connect(host: "::1")
        XCTAssertEqual(try client.request("POST", "/echo", body: [1, 2, 3]).body, [1, 2, 3])
    }
}
