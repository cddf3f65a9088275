import Foundation
import XCTest
import Support
import TestSupport

/// Requests built to make the gateway and an intermediary disagree: doubled credentials, a missing `Host`, a body
/// announced with `Expect: 100-continue` by a caller with a bad key, header bytes that are not UTF-8.
final class ProtocolHardeningTests: XCTestCase {
    private var harness: GatewayHarness!

    override func setUpWithError() throws {
        harness = try GatewayHarness()
    }

    override func tearDown() {
        harness?.shutdown()
        harness = nil
    }

    /// One credential per request: two `Authorization` fields, or a bearer token and an `x-api-key` that differ, are
    /// refused whichever one is valid; the same key twice over both headers is accepted.
    func testConflictingCredentialsAreRefused() throws {
        let good = "Bearer \(GatewayHarness.clientKey)", bad = "Bearer tg-not-a-key"
        for headers in [[("Authorization", good), ("Authorization", bad)], [("Authorization", bad), ("Authorization", good)],
                        [("Authorization", good), ("x-api-key", "tg-not-a-key")], [("x-api-key", "tg-not-a-key"), ("Authorization", good)],
                        [("x-api-key", GatewayHarness.clientKey), ("x-api-key", "tg-not-a-key")]] {
            let response = try harness.call("invoke", model: "test/a", key: nil, headers: headers)
            XCTAssertEqual(response.status, 403, "\(headers.map(\.0))")
            XCTAssertEqual(response.header("x-amzn-ErrorType")?.split(separator: ":").first, "UnrecognizedClientException")
        }
        XCTAssertEqual(harness.standIn.stats.calls.count, 0)
        let agreeing = try harness.call("invoke", model: "test/a", headers: [("x-api-key", GatewayHarness.clientKey)])
        XCTAssertEqual(agreeing.status, 200)
    }

    /// RFC 9112 §3.2: HTTP/1.1 without `Host` is a 400, answered before anything else.
    func testHTTP11WithoutHostIs400() throws {
        let client = try TestHTTPClient(port: harness.port)
        try client.send("POST /model/test%2Fa/invoke HTTP/1.1\r\nAuthorization: Bearer \(GatewayHarness.clientKey)\r\nContent-Length: 2\r\n\r\n{}")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 400)
        XCTAssertTrue(response.text.contains("Host"), response.text)
        XCTAssertEqual(harness.standIn.stats.calls.count, 0)
    }

    /// `Expect: 100-continue` with a bad key: the final 403 comes instead of `100 Continue`, so the client never sends
    /// its body; with a good key, `100` first, then the answer.
    func testContinueIsSentOnlyAfterTheHeadAuthenticates() throws {
        let head = { (key: String) in
            "POST /model/test%2Fa/invoke HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\n"
                + "Expect: 100-continue\r\nContent-Length: 1000000\r\n\r\n"
        }
        let refused = try TestHTTPClient(port: harness.port)
        try refused.send(head("tg-not-a-key"))
        let first = try refused.readResponse(keepInterim: true)
        XCTAssertEqual(first.status, 403)
        XCTAssertTrue(refused.waitForClose(), "the connection closes instead of waiting for the body")

        let body = GatewayHarness.body(for: "invoke")
        let accepted = try TestHTTPClient(port: harness.port)
        try accepted.send(head(GatewayHarness.clientKey).replacingOccurrences(of: "1000000", with: String(body.utf8.count)))
        XCTAssertEqual(try accepted.readResponse(keepInterim: true).status, 100)
        try accepted.send(body)
        XCTAssertEqual(try accepted.readResponse().status, 200)
    }

    /// A SigV4 client with `Expect: 100-continue` and an unknown access key id is refused before its body.
    func testContinueRefusesAnUnknownSigV4KeyBeforeTheBody() throws {
        let client = try TestHTTPClient(port: harness.port)
        try client.send("POST /model/test%2Fa/invoke HTTP/1.1\r\nHost: t\r\nX-Amz-Date: 20261207T000000Z\r\n"
                        + "Authorization: AWS4-HMAC-SHA256 Credential=NOSUCHKEY/20261207/us-east-1/bedrock/aws4_request, "
                        + "SignedHeaders=host;x-amz-date, Signature=00\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        XCTAssertEqual(try client.readResponse(keepInterim: true).status, 403)
    }

    /// `X-Amzn-Bedrock-*` values reach Bedrock byte for byte; bytes that are not UTF-8 are refused with a 400 instead of
    /// being turned into U+FFFD (which would no longer match what the client signed).
    func testBedrockHeadersPassByteForByteOrAreRefused() throws {
        let trace = "caf\u{E9} \u{2192} \u{1F600}"
        let ok = try harness.call("invoke", model: "test/a", headers: [("X-Amzn-Bedrock-Trace", trace)])
        XCTAssertEqual(ok.status, 200)
        let forwarded = try XCTUnwrap(harness.standIn.stats.calls.last?.headers.first { $0.name.lowercased() == "x-amzn-bedrock-trace" })
        XCTAssertEqual(Array(forwarded.value.utf8), Array(trace.utf8))

        let client = try TestHTTPClient(port: harness.port)
        var raw = Array("POST /model/test%2Fa/invoke HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(GatewayHarness.clientKey)\r\nX-Amzn-Bedrock-Trace: a".utf8)
        raw += [0xC3, 0x28] + Array("\r\nContent-Length: 2\r\n\r\n{}".utf8)
        try client.send(raw)
        let refused = try client.readResponse()
        XCTAssertEqual(refused.status, 400)
        XCTAssertEqual(refused.header("x-amzn-ErrorType"), "ValidationException")
        XCTAssertEqual(harness.standIn.stats.calls.count, 1)
    }
}
