import XCTest
@testable import Upstream

final class ResponseHeadParserTests: XCTestCase {
    private func feed(_ lines: [String]) -> (ResponseHeadParser, [ResponseHeadParser.Outcome]) {
        var parser = ResponseHeadParser()
        var outcomes: [ResponseHeadParser.Outcome] = []
        for line in lines {
            let bytes = Array(line.utf8)
            outcomes.append(bytes.withUnsafeBytes { parser.consume(line: $0) })
        }
        return (parser, outcomes)
    }

    func testFinalBlockAfterInterimContinueAndEarlyHints() {
        let (parser, outcomes) = feed([
            "HTTP/1.1 100 Continue\r\n", "\r\n",
            "HTTP/1.1 103 Early Hints\r\n", "Link: </a>\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "Content-Type: application/json\r\n", "X-Amzn-RequestId:  abc \r\n", "\r\n",
        ])
        XCTAssertEqual(outcomes.filter { $0 == .head }.count, 1)
        XCTAssertEqual(outcomes.last, .head)
        XCTAssertEqual(parser.head.status, 200)
        XCTAssertEqual(parser.head.headers.map(\.name), ["Content-Type", "X-Amzn-RequestId"])
        XCTAssertEqual(parser.head.value(of: "x-amzn-requestid"), "abc")
    }

    func testNamesKeepTheirSpellingWhetherWellKnownOrNot() {
        let names = ["X-Amzn-Bedrock-Input-Token-Count", "x-amzn-bedrock-input-token-count", "X-AMZN-BEDROCK-INPUT-TOKEN-COUNT",
                     "X-Amzn-Bedrock-Input-Token-Coun", "x-amzn-RequestId", "X-Amzn-Custom-Header-Of-Length-32"]
        let (parser, _) = feed(["HTTP/1.1 200 OK\r\n"] + names.enumerated().map { "\($1): \($0)\r\n" } + ["\r\n"])
        XCTAssertEqual(parser.head.headers.map(\.name), names)
        XCTAssertEqual(parser.head.headers.map(\.value), names.indices.map(String.init))
    }

    func testHTTP2StatusLineAndTrailersIgnored() {
        let (parser, outcomes) = feed([
            "HTTP/2 429 \r\n", "x-amzn-errortype: ThrottlingException\r\n", "\r\n", "x-trailer: t\r\n", "\r\n",
        ])
        XCTAssertEqual(outcomes, [.needMore, .needMore, .head, .needMore, .needMore])
        XCTAssertEqual(parser.head.status, 429)
        XCTAssertEqual(parser.head.headers.count, 1)
        XCTAssertTrue(parser.isComplete)
    }

    func testFoldedValueEmptyValueAndBareLF() {
        let (parser, _) = feed(["HTTP/1.0 404 Not Found\n", "X-Long: one\n", "  two\n", "X-Empty:\n", "\n"])
        XCTAssertEqual(parser.head.status, 404)
        XCTAssertEqual(parser.head.value(of: "X-Long"), "one two")
        XCTAssertEqual(parser.head.value(of: "X-Empty"), "")
    }

    func testMalformedStatusLineIsInvalid() {
        XCTAssertEqual(feed(["garbage\r\n"]).1, [.invalid])
        XCTAssertEqual(feed(["HTTP/1.1 2x0 OK\r\n"]).1, [.invalid])
        XCTAssertEqual(feed(["HTTP/1.1 2000 OK\r\n"]).1, [.invalid])
    }
}
