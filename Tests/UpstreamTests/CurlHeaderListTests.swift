import CCurl
import XCTest
@testable import Upstream

final class CurlHeaderListTests: XCTestCase {
    private func lines(_ list: UnsafeMutablePointer<curl_slist>?) -> [String] {
        var result: [String] = []
        var node = list
        while let current = node {
            result.append(String(cString: current.pointee.data))
            node = current.pointee.next
        }
        return result
    }

    func testManagedHeadersDroppedEmptyValueSyntaxAndExpectDisabled() {
        let list = CurlHeaderList.make([
            ("Content-Type", "application/json"), ("content-length", "12"), ("Connection", "close"),
            ("X-Amzn-Bedrock-Trace", ""), ("TRANSFER-ENCODING", "chunked"), ("Authorization", "AWS4-HMAC-SHA256 x"),
        ])
        defer { list.map(CurlHeaderList.free) }
        XCTAssertEqual(lines(list), [
            "Content-Type: application/json", "X-Amzn-Bedrock-Trace;", "Authorization: AWS4-HMAC-SHA256 x", "Expect:",
        ])
    }

    func testOnlyExpectWhenEveryHeaderIsManaged() {
        let list = CurlHeaderList.make([("Connection", "keep-alive"), ("TE", "trailers")])
        defer { list.map(CurlHeaderList.free) }
        XCTAssertEqual(lines(list), ["Expect:"])
    }
}
