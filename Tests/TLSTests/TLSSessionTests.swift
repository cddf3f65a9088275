import Foundation
import IO
import TestSupport
import TLS
import XCTest

/// A server and a client session over memory, bytes moved by hand: the handshake, data both ways, orderly close,
/// and what the server does with bytes that are not TLS.
final class TLSSessionTests: XCTestCase {
    var certificate: TestCertificate!

    override func setUpWithError() throws {
        certificate = try TestCertificate()
    }

    override func tearDown() {
        certificate?.remove()
    }

    /// Moves each side's output to the other and reads what arrives, until neither has anything to say.
    private func pump(_ client: TLSSession, _ server: TLSSession, clientReceived: inout [UInt8], serverReceived: inout [UInt8]) -> (client: TransportRead, server: TransportRead) {
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        var last: (client: TransportRead, server: TransportRead) = (.needMore, .needMore)
        for _ in 0..<1000 {
            last.server = drain(server, into: &serverReceived, buffer: &buffer)
            last.client = drain(client, into: &clientReceived, buffer: &buffer)
            var moved = false
            client.takeOutput { bytes in moved = true; XCTAssertTrue(server.receive(bytes)) }
            server.takeOutput { bytes in moved = true; XCTAssertTrue(client.receive(bytes)) }
            if !moved { return last }
        }
        XCTFail("the sessions kept talking")
        return last
    }

    private func drain(_ session: TLSSession, into received: inout [UInt8], buffer: inout [UInt8]) -> TransportRead {
        while true {
            let result = buffer.withUnsafeMutableBytes { session.read(into: $0) }
            guard case .bytes(let n) = result else { return result }
            received += buffer[..<n]
        }
    }

    private func sessions() throws -> (client: TLSSession, server: TLSSession) {
        let server = try XCTUnwrap(try certificate.serverSecurity().makeLayer() as? TLSSession)
        let client = try XCTUnwrap(try certificate.clientContext().makeSession(serverName: "localhost", isServer: false))
        return (client, server)
    }

    func testHandshakeThenDataBothWaysThenOrderlyClose() throws {
        let (client, server) = try sessions()
        var toClient: [UInt8] = []
        var toServer: [UInt8] = []
        XCTAssertFalse(server.isEstablished)
        _ = pump(client, server, clientReceived: &toClient, serverReceived: &toServer)
        XCTAssertTrue(client.isEstablished)
        XCTAssertTrue(server.isEstablished)
        XCTAssertEqual(server.negotiatedProtocol, "http/1.1")
        XCTAssertEqual(server.version, "TLSv1.3")

        let request = Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        XCTAssertTrue(request.withUnsafeBytes { client.send($0) { wire in XCTAssertTrue(server.receive(wire)) } })
        var large = [UInt8](repeating: 0, count: 1 << 20)
        for i in large.indices { large[i] = UInt8(truncatingIfNeeded: i &* 31) }
        var records = 0
        XCTAssertTrue(large.withUnsafeBytes { server.send($0) { wire in
            records += 1
            XCTAssertLessThanOrEqual(wire.count, 16 * 1024 + 256, "output is handed over a record at a time")
            XCTAssertTrue(client.receive(wire))
        } })
        XCTAssertGreaterThanOrEqual(records, 64)
        _ = pump(client, server, clientReceived: &toClient, serverReceived: &toServer)
        XCTAssertEqual(toServer, request)
        XCTAssertTrue(toClient == large)

        server.shutdown()
        let ends = pump(client, server, clientReceived: &toClient, serverReceived: &toServer)
        XCTAssertEqual(ends.client, .closed)
    }

    func testTLS12ClientsAreServed() throws {
        let server = try XCTUnwrap(try certificate.serverSecurity().makeLayer() as? TLSSession)
        let context = try TLSContext(clientTrusting: certificate.certificatePath, maximumVersion: .tls12)
        let client = try XCTUnwrap(context.makeSession(serverName: "localhost", isServer: false))
        var a: [UInt8] = []
        var b: [UInt8] = []
        _ = pump(client, server, clientReceived: &a, serverReceived: &b)
        XCTAssertTrue(server.isEstablished)
        XCTAssertEqual(server.version, "TLSv1.2")
        XCTAssertEqual(server.negotiatedProtocol, "http/1.1")
    }

    func testASecondConnectionResumesFromTheTicket() throws {
        let security = try certificate.serverSecurity()
        let context = try certificate.clientContext()
        var a: [UInt8] = []
        var b: [UInt8] = []
        let first = try XCTUnwrap(security.makeLayer() as? TLSSession)
        let firstClient = try XCTUnwrap(context.makeSession(serverName: "localhost", isServer: false))
        _ = pump(firstClient, first, clientReceived: &a, serverReceived: &b)
        XCTAssertFalse(first.isResumed)
        let ticket = try XCTUnwrap(firstClient.ticket, "the server issued a session ticket")

        let second = try XCTUnwrap(security.makeLayer() as? TLSSession)
        let secondClient = try XCTUnwrap(context.makeSession(serverName: "localhost", isServer: false, resuming: ticket))
        _ = pump(secondClient, second, clientReceived: &a, serverReceived: &b)
        XCTAssertTrue(second.isEstablished)
        XCTAssertTrue(second.isResumed)
    }

    func testAFailedReloadKeepsServingThePairInUse() throws {
        let security = try certificate.serverSecurity()
        let trusting = try certificate.clientContext()  // read before the file is garbled
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: certificate.certificatePath))
        XCTAssertThrowsError(try security.reload()) { XCTAssertEqual(($0 as? TLSError)?.field, "certificate") }
        let server = try XCTUnwrap(security.makeLayer() as? TLSSession)
        let client = try XCTUnwrap(trusting.makeSession(serverName: "localhost", isServer: false))
        var a: [UInt8] = []
        var b: [UInt8] = []
        _ = pump(client, server, clientReceived: &a, serverReceived: &b)
        XCTAssertTrue(client.isEstablished, "the client that trusts the pair in use still gets it")
    }

    func testWritesBeforeTheHandshakeWaitForIt() throws {
        let (client, server) = try sessions()
        var toClient: [UInt8] = []
        var toServer: [UInt8] = []
        var sentEarly = 0
        XCTAssertTrue(Array("early".utf8).withUnsafeBytes { server.send($0) { sentEarly += $0.count } })
        XCTAssertEqual(sentEarly, 0, "nothing encrypted before the handshake")
        _ = pump(client, server, clientReceived: &toClient, serverReceived: &toServer)
        XCTAssertEqual(String(decoding: toClient, as: UTF8.self), "early")
    }

    func testPlainHTTPFailsTheHandshakeWithAReason() throws {
        let server = try XCTUnwrap(try certificate.serverSecurity().makeLayer() as? TLSSession)
        XCTAssertTrue(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8).withUnsafeBytes { server.receive($0) })
        var buffer = [UInt8](repeating: 0, count: 1024)
        XCTAssertEqual(buffer.withUnsafeMutableBytes { server.read(into: $0) }, .failed)
        XCTAssertNotNil(server.failure)
        XCTAssertFalse(Array("more".utf8).withUnsafeBytes { server.send($0) { _ in } })
    }

    func testAClientTrustingAnotherCertificateFailsTheHandshake() throws {
        let other = try TestCertificate()
        defer { other.remove() }
        let server = try XCTUnwrap(try certificate.serverSecurity().makeLayer() as? TLSSession)
        let client = try XCTUnwrap(try other.clientContext().makeSession(serverName: "localhost", isServer: false))
        var a: [UInt8] = []
        var b: [UInt8] = []
        let ends = pump(client, server, clientReceived: &a, serverReceived: &b)
        XCTAssertEqual(ends.client, .failed)
        XCTAssertFalse(client.isEstablished)
    }
}
