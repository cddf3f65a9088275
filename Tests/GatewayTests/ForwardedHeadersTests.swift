import HTTP
import XCTest
@testable import Core

/// The allow-lists of headers crossing the gateway, in both directions.
final class ForwardedHeadersTests: XCTestCase {
    func testResponseHeadersPassedToTheClient() {
        let upstream: [(name: String, value: String)] = [
            ("Server", "nginx"), ("Date", "Sun, 22 Nov 2026 06:00:00 GMT"), ("content-type", "application/json"),
            ("Content-Length", "12"), ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
            ("x-amzn-RequestId", "req-1"), ("X-Amzn-Bedrock-Input-Token-Count", "10"),
            ("x-amzn-bedrock-invocation-latency", "5"), ("X-Amzn-Bedrock-", "too short to be one"),
            ("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
            ("Set-Cookie", "a=b"), ("X-Amz-Date", "20261122T060000Z"),
        ]
        let success = ForwardedHeaders.clientResponseHeaders(from: upstream, includeErrorType: false)
        XCTAssertEqual(success.fields.map(\.name), [
            "content-type", "x-tollgate-upstream-request-id", "X-Amzn-Bedrock-Input-Token-Count",
            "x-amzn-bedrock-invocation-latency",
        ])
        XCTAssertEqual(success["x-tollgate-upstream-request-id"], "req-1")
        let failure = ForwardedHeaders.clientResponseHeaders(from: upstream, includeErrorType: true)
        XCTAssertEqual(failure["x-amzn-ErrorType"], upstream[10].value)
        XCTAssertEqual(failure.fields.count, success.fields.count + 1)
    }

    func testRequestHeadersPassedUpstream() {
        let client = HTTPHeaders([
            ("Host", "gateway"), ("Authorization", "Bearer secret"), ("Content-Type", "application/json"),
            ("Accept", "application/vnd.amazon.eventstream"), ("X-Amzn-Bedrock-GuardrailIdentifier", "g-1"),
            ("x-api-key", "secret"), ("X-Amz-Security-Token", "token"), ("Connection", "keep-alive"),
        ])
        let upstream = ForwardedHeaders.upstreamRequestHeaders(from: client)
        XCTAssertEqual(upstream.map(\.name), ["Content-Type", "Accept", "X-Amzn-Bedrock-GuardrailIdentifier"])
        let bare = ForwardedHeaders.upstreamRequestHeaders(from: HTTPHeaders([("Host", "gateway")]))
        XCTAssertEqual(bare.map(\.name), ["Content-Type"], "Bedrock needs a body type; JSON is the default")
    }
}
