import Foundation
import XCTest
@testable import HTTP
import IO
import TestSupport
import TLS

/// Every ``HTTPServerTests`` case again, over TLS (the listener's ``SecureAddress``), plus what only TLS has:
/// the negotiated protocol, plain HTTP on the TLS port, the handshake under the header timeout, and certificate
/// reloads.
final class HTTPSServerTests: HTTPServerTests {
    override class var overTLS: Bool { true }
    override class var slowReaderReceiveBuffer: Int32 { 64 * 1024 }

    /// Over TLS the server does not spend a handshake on a connection it refuses: the client is closed.
    override func testConnectionCapAnswers503() throws {
        try startServer { $0.maxConnections = 1 }
        let first = try connect()
        XCTAssertEqual(try first.request("GET", "/echo").status, 200)
        XCTAssertThrowsError(try connect())
        XCTAssertEqual(try first.request("GET", "/echo").status, 200)
    }

    func testNegotiatesTLS13AndHTTP11ThroughALPN() throws {
        try startServer()
        let client = try connect()
        XCTAssertEqual(client.tls?.version, "TLSv1.3")
        XCTAssertEqual(client.tls?.negotiatedProtocol, "http/1.1")
        XCTAssertEqual(try client.request("POST", "/echo", body: Array("over tls".utf8)).text, "over tls")
    }

    func testLargeBodiesBothWays() throws {
        try startServer()
        let client = try connect()
        var generator = SplitMix64(seed: 7)
        let body = (0..<(3 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let response = try client.request("POST", "/echo", body: body)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body.count, body.count)
        XCTAssertTrue(response.body == body)
    }

    func testPlainHTTPOnTheTLSPortIsClosedNotLeftHanging() throws {
        // The header timeout is far longer than the client waits: the close must come from the failed handshake.
        try startServer { $0.headerTimeout = .seconds(60) }
        let plain = try TestHTTPClient(port: port, timeoutSeconds: 5)
        try plain.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n")
        XCTAssertTrue(plain.waitForClose())
    }

    func testAStalledHandshakeIsCutOffByTheHeaderTimeout() throws {
        try startServer { $0.headerTimeout = .seconds(60) }
        let silent = try TestHTTPClient(port: port, timeoutSeconds: 5)
        expectClosedOnlyAfter(.seconds(60), silent)
    }

    func testAClientThatDoesNotTrustTheCertificateIsRefusedByItself() throws {
        try startServer()
        let other = try TestCertificate()
        defer { other.remove() }
        XCTAssertThrowsError(try TestHTTPClient(port: port, tls: try other.clientContext()))
        XCTAssertEqual(try connect().request("GET", "/echo").status, 200)
    }

    func testReloadServesANewPairAndKeepsTheOldOneWhenTheNewIsBad() throws {
        try startServer()
        let security = try XCTUnwrap(server.configuration.secureAddresses.first?.security as? TLSServerSecurity)
        let certificate = try XCTUnwrap(self.certificate)
        let original = try XCTUnwrap(clientContext)

        // A key that others may read is refused; the pair in use stays.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: certificate.privateKeyPath)
        XCTAssertThrowsError(try security.reload()) { error in
            XCTAssertEqual((error as? TLSError)?.field, "private_key")
        }
        XCTAssertEqual(try TestHTTPClient(port: port, tls: original).request("GET", "/echo").status, 200)

        // A new pair written over the files is served to new connections once reloaded.
        try SelfSignedCertificate.write(certificatePath: certificate.certificatePath, privateKeyPath: certificate.privateKeyPath)
        let renewed = try TLSContext(clientTrusting: certificate.certificatePath)
        try security.reload()
        XCTAssertEqual(try TestHTTPClient(port: port, tls: renewed).request("GET", "/echo").status, 200)
        XCTAssertThrowsError(try TestHTTPClient(port: port, tls: original))
    }

    func testTheWatcherPicksUpAChangedPair() throws {
        try startServer()
        let certificate = try XCTUnwrap(self.certificate)
        let security = try XCTUnwrap(server.configuration.secureAddresses.first?.security as? TLSServerSecurity)
        let outcomes = Locked<[String]>([])
        security.startWatching(interval: .milliseconds(20)) { outcome in
            outcomes.withLock { $0.append((try? outcome.get()) != nil ? "ok" : "failed") }
        }
        defer { security.stopWatching() }
        try SelfSignedCertificate.write(certificatePath: certificate.certificatePath, privateKeyPath: certificate.privateKeyPath)
        let renewed = try TLSContext(clientTrusting: certificate.certificatePath)
        XCTAssertTrue(waitUntil { outcomes.get().contains("ok") })
        XCTAssertEqual(try TestHTTPClient(port: port, tls: renewed).request("GET", "/echo").status, 200)
    }
}
