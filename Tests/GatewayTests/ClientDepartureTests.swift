import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
import Support
import TestSupport

/// Clients that leave while their answer is still being prepared off the loop: half-closing after the request
/// (`shutdown(SHUT_WR)`, what `curl --no-keepalive` and many scripts do) or resetting the connection. The late
/// answer must be dropped and the process must go on serving.
final class ClientDepartureTests: XCTestCase {
    private var gateway: GatewayHarness!

    override func setUpWithError() throws {
        gateway = try GatewayHarness.adminPreset()
    }

    override func tearDown() {
        gateway?.shutdown()
        gateway = nil
    }

    /// Sends an admin write and half-closes at once; the write goes on (it is durable once accepted), its answer is
    /// dropped, and the next client is served.
    func testAdminWriteFromAHalfClosedClientIsAppliedAndItsLateAnswerDropped() throws {
        for i in 0..<8 {
            let id = "departed/model-\(i)"
            let body = #"{"id": "\#(id)", "type": "completion"}"#
            let client = try TestHTTPClient(port: gateway.port)
            try client.send("POST /v1/models HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(GatewayHarness.AdminPreset.adminKey)\r\n"
                            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            XCTAssertEqual(shutdown(client.fd, Int32(SHUT_WR)), 0)
            _ = client.waitForClose()
            XCTAssertTrue(waitUntil { (try? self.gateway.request("GET", "/v1/models/\(id)", key: GatewayHarness.AdminPreset.adminKey).status) == 200 },
                          "the write of \(id) was applied")
        }
        XCTAssertEqual(try gateway.request("GET", "/healthz", key: nil).status, 200)
    }

    /// The same with a reset (`SO_LINGER` 0): the answer of a slow validation arrives after the connection is gone.
    func testAdminReadFromAResetClientIsDropped() throws {
        for _ in 0..<8 {
            let client = try TestHTTPClient(port: gateway.port)
            try client.send("GET /v1/audit HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(GatewayHarness.AdminPreset.adminKey)\r\n\r\n")
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(client.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            XCTAssertEqual(shutdown(client.fd, Int32(SHUT_RDWR)), 0)
        }
        XCTAssertTrue(waitUntil { (try? self.gateway.request("GET", "/v1/audit", key: GatewayHarness.AdminPreset.adminKey).status) == 200 })
    }
}
