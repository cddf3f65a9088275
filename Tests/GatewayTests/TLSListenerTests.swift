import Foundation
import XCTest
@testable import Server
import IO
import Support
import TestSupport
import TLS

/// HTTPS on the gateway's own listener: `listen` entries with `tls`, the Bedrock answers over it, the problems a
/// bad entry or pair is reported with, and reloads through `GatewayService.reload()` (what `SIGHUP` calls).
final class TLSListenerTests: XCTestCase {
    private var certificate: TestCertificate!
    private var harness: GatewayHarness?

    override func setUpWithError() throws {
        certificate = try TestCertificate()
    }

    override func tearDown() {
        harness?.shutdown()
        harness = nil
        certificate?.remove()
    }

    private var tlsEntry: String {
        #"{"address": "127.0.0.1:0", "tls": {"certificate": "\#(certificate.certificatePath)", "private_key": "\#(certificate.privateKeyPath)"}}"#
    }

    private func invoke(_ client: TestHTTPClient, key: String) throws -> TestHTTPClient.Response {
        try client.request("POST", "/model/test%2Fa/invoke", headers: [
            ("Authorization", "Bearer \(key)"), ("Content-Type", "application/json"),
        ], body: Array(#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"#.utf8))
    }

    func testServesPlainAndTLSSideBySideAndAWrongKeyOverTLSIsRefusedLikeBedrock() throws {
        let harness = try GatewayHarness(listen: "[\"127.0.0.1:0\", \(tlsEntry)]")
        self.harness = harness
        let tlsPort = try XCTUnwrap(harness.service.tlsAddresses.first).port
        XCTAssertNotEqual(tlsPort, harness.port)

        let secure = try TestHTTPClient(port: tlsPort, tls: try certificate.clientContext())
        let answered = try invoke(secure, key: GatewayHarness.clientKey)
        XCTAssertEqual(answered.status, 200, answered.text)
        XCTAssertEqual(answered.header("x-tollgate-model"), "test/a")
        let refused = try invoke(secure, key: "tg-not-a-key-000000000000000000000")
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(refused.header("x-amzn-ErrorType")?.split(separator: ":").first, "UnrecognizedClientException")
        XCTAssertTrue(refused.text.contains("security token"), refused.text)

        let plain = try TestHTTPClient(port: harness.port)
        XCTAssertEqual(try invoke(plain, key: GatewayHarness.clientKey).status, 200)
    }

    func testReloadPicksUpARenewedPair() throws {
        let harness = try GatewayHarness(listen: "[\(tlsEntry)]")
        self.harness = harness
        XCTAssertTrue(harness.service.localAddresses.isEmpty, "no plain listener was asked for")
        let port = try XCTUnwrap(harness.service.tlsAddresses.first).port
        let before = try certificate.clientContext()
        XCTAssertEqual(try invoke(TestHTTPClient(port: port, tls: before), key: GatewayHarness.clientKey).status, 200)

        harness.service.tls.forEach { $0.stopWatching() }  // the reload under test is the explicit one
        try SelfSignedCertificate.write(certificatePath: certificate.certificatePath, privateKeyPath: certificate.privateKeyPath)
        harness.service.reload()
        let after = try certificate.clientContext()
        XCTAssertEqual(try invoke(TestHTTPClient(port: port, tls: after), key: GatewayHarness.clientKey).status, 200)
        XCTAssertThrowsError(try TestHTTPClient(port: port, tls: before))
    }

    func testAKeyOthersCanReadStopsTheStartNamingTheField() throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: certificate.privateKeyPath)
        XCTAssertThrowsError(try GatewayHarness(listen: "[\"127.0.0.1:0\", \(tlsEntry)]")) { error in
            let problems = (error as? ConfigProblems)?.problems ?? []
            XCTAssertEqual(problems.map(\.path), ["listen[1].tls.private_key"], "\(error)")
        }
    }

    func testListenEntriesAreDecodedWithTheirProblemsNamed() throws {
        func problems(_ listen: String) -> [String] {
            do {
                _ = try GatewayConfiguration.decode(try JSONValue.parse(#"{"listen": \#(listen)}"#), path: "/etc/tollgate/tollgate.json")
                return []
            } catch let error as ConfigProblems {
                return error.problems.map { "\($0.path): \($0.message)" }
            } catch {
                return ["\(error)"]
            }
        }
        let config = try GatewayConfiguration.decode(try JSONValue.parse("""
        {"listen": ["127.0.0.1:8080", {"address": "0.0.0.0:8443", "tls": {"certificate": "tls/cert.pem", "private_key": "/keys/key.pem"}}]}
        """), path: "/etc/tollgate/tollgate.json")
        XCTAssertEqual(config.listen.map(\.description), ["127.0.0.1:8080"])
        XCTAssertEqual(config.tlsListen, [GatewayConfiguration.TLSListen(
            address: SocketAddress(parsing: "0.0.0.0:8443")!, certificatePath: "/etc/tollgate/tls/cert.pem",
            privateKeyPath: "/keys/key.pem", configPath: "listen[1].tls")])

        XCTAssertEqual(problems(#"[{"address": "0.0.0.0:8443", "tls": {"certificate": "c.pem"}}]"#),
                       ["listen[0].tls.private_key: required: the certificate's PEM private key file"])
        XCTAssertEqual(problems(#"{"address": "nowhere", "tls": {"certificate": "c", "private_key": "k"}}"#),
                       ["listen.address: not a host:port address: nowhere"])
        XCTAssertEqual(problems(#"[{"address": "127.0.0.1:1"}]"#),
                       ["listen[0].tls: required in an object entry (plain HTTP addresses are written as strings)"])
        XCTAssertEqual(problems(#"[{"address": "127.0.0.1:1", "tls": {"certificate": "c", "private_key": "k", "ciphers": "x"}}]"#),
                       ["listen[0].tls.ciphers: unknown field"])
        XCTAssertEqual(problems("[42]"), ["listen[0]: must be a \"host:port\" string or an {\"address\", \"tls\"} object"])
    }

    func testCheckConfigReadsTheTLSPair() throws {
        let other = try TestCertificate()
        defer { other.remove() }
        let directory = certificate.directory
        try Data("{\"models\": []}".utf8).write(to: URL(fileURLWithPath: directory + "/catalogue.json"))
        try Data(#"{"listen": [{"address": "127.0.0.1:0", "tls": {"certificate": "cert.pem", "private_key": "\#(other.privateKeyPath)"}}]}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/tollgate.json"))
        let problems = ConfigValidation.validateAll(configPath: directory + "/tollgate.json")
        XCTAssertEqual(problems.map(\.path), ["listen[0].tls.private_key"])
        XCTAssertTrue(problems.first?.message.contains("does not match") ?? false, "\(problems)")
    }
}
