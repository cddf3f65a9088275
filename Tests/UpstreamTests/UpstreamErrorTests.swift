import CCurl
import XCTest
@testable import Upstream

final class UpstreamErrorTests: XCTestCase {
    func testCurlCodesMapToStableNames() {
        let table: [(CURLcode, UpstreamError, String)] = [
            (CURLE_COULDNT_RESOLVE_HOST, .resolveFailed, "resolveFailed"),
            (CURLE_COULDNT_CONNECT, .connectFailed, "connectFailed"),
            (CURLE_OPERATION_TIMEDOUT, .timedOut, "timedOut"),
            (CURLE_PEER_FAILED_VERIFICATION, .tlsFailed, "tlsFailed"),
            (CURLE_SSL_CONNECT_ERROR, .tlsFailed, "tlsFailed"),
            (CURLE_RECV_ERROR, .connectionLost, "connectionLost"),
            (CURLE_GOT_NOTHING, .connectionLost, "connectionLost"),
            (CURLE_HTTP2_STREAM, .protocolError, "protocolError"),
            (CURLE_URL_MALFORMAT, .invalidRequest, "invalidRequest"),
            (CURLE_OUT_OF_MEMORY, .internalError, "internalError"),
        ]
        for (code, expected, name) in table {
            let error = UpstreamError.fromCurl(code, detail: "")
            XCTAssertEqual(error, expected)
            XCTAssertEqual(error.name, name)
            XCTAssertEqual(error.curlCode, Int(code.rawValue))
            XCTAssertFalse(error.message.isEmpty, "falls back to curl_easy_strerror")
        }
    }

    func testDetailIsKeptAndEqualityIgnoresIt() {
        let error = UpstreamError.fromCurl(CURLE_COULDNT_CONNECT, detail: "Failed to connect to 127.0.0.1 port 1")
        XCTAssertEqual(error.message, "Failed to connect to 127.0.0.1 port 1")
        XCTAssertEqual(error.description, "connectFailed: Failed to connect to 127.0.0.1 port 1 (curl 7)")
        XCTAssertEqual(error, .connectFailed)
        XCTAssertNotEqual(error, .timedOut)
        XCTAssertTrue(error.requestCertainlyNotSent)
        XCTAssertFalse(UpstreamError.connectionLost.requestCertainlyNotSent)
    }
}
