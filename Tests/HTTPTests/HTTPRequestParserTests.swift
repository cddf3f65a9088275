import XCTest
@testable import HTTP

final class HTTPRequestParserTests: XCTestCase {
    private func parseAll(_ chunks: [[UInt8]], limits: HTTPRequestParser.Limits = .init()) throws -> [(HTTPRequestHead, [UInt8])] {
        var parser = HTTPRequestParser(limits: limits)
        var out: [(HTTPRequestHead, [UInt8])] = []
        var head: HTTPRequestHead?
        for chunk in chunks {
            parser.append(chunk)
            while let event = try parser.next() {
                switch event {
                case .head(let h): head = h
                case .end(let body): out.append((head!, body))
                }
            }
        }
        return out
    }

    private let post = Array("POST /model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke?x=1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"bc\"}\n".utf8)

    func testParsesRequestLineHeadersAndBody() throws {
        let requests = try parseAll([post])
        XCTAssertEqual(requests.count, 1)
        let (head, body) = requests[0]
        XCTAssertEqual(head.method, "POST")
        XCTAssertEqual(head.path, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke")
        XCTAssertEqual(head.query, "x=1")
        XCTAssertEqual(head.version, .http1_1)
        XCTAssertEqual(head.headers["content-type"], "application/json")
        XCTAssertTrue(head.keepAlive)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "{\"a\":\"bc\"}\n")
    }

    func testEverySplitPointGivesTheSameRequest() throws {
        for split in 0...post.count {
            let requests = try parseAll([Array(post[..<split]), Array(post[split...])])
            XCTAssertEqual(requests.count, 1, "split at \(split)")
            XCTAssertEqual(requests.first?.1.count, 11, "split at \(split)")
        }
    }

    func testByteByByte() throws {
        let chunked = Array("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n".utf8)
        let requests = try parseAll((post + chunked).map { [$0] })
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(String(decoding: requests[1].1, as: UTF8.self), "hello world")
    }

    func testPipelinedRequestsComeOutInOrder() throws {
        let get = Array("GET /a HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let get2 = Array("GET /b HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let requests = try parseAll([get + post + get2])
        XCTAssertEqual(requests.map { String($0.0.path) }, ["/a", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", "/b"])
    }

    func testFinishedRequestGivesItsBufferBackUnlessMoreIsPipelined() throws {
        var parser = HTTPRequestParser()
        parser.append(post)
        guard case .head? = try parser.next(), case .end? = try parser.next() else { return XCTFail("no request") }
        XCTAssertEqual(parser.storageCapacity, 0, "a connection between requests should hold no input buffer")
        parser.append(post + post.prefix(20))
        guard case .head? = try parser.next(), case .end? = try parser.next() else { return XCTFail("no request") }
        XCTAssertEqual(parser.bufferedByteCount, 20)
        XCTAssertGreaterThan(parser.storageCapacity, 0)
        parser.append(Array(post.dropFirst(20)))
        guard case .head(let head)? = try parser.next(), case .end(let body)? = try parser.next() else { return XCTFail("no request") }
        XCTAssertEqual(head.method, "POST")
        XCTAssertEqual(body.count, 11)
        XCTAssertEqual(parser.storageCapacity, 0)
    }

    func testHTTP10AndConnectionClose() throws {
        let r1 = try parseAll([Array("GET / HTTP/1.0\r\n\r\n".utf8)])
        XCTAssertFalse(r1[0].0.keepAlive)
        let r2 = try parseAll([Array("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".utf8)])
        XCTAssertTrue(r2[0].0.keepAlive)
        let r3 = try parseAll([Array("GET / HTTP/1.1\r\nHost: t\r\nConnection: Close\r\n\r\n".utf8)])
        XCTAssertFalse(r3[0].0.keepAlive)
    }

    func testExpectContinueIsReported() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("PUT / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8))
        guard case .head(let head)? = try parser.next() else { return XCTFail("no head") }
        XCTAssertTrue(head.expectsContinue)
        XCTAssertNil(try parser.next())
        parser.append(Array("abc".utf8))
        guard case .end(let body)? = try parser.next() else { return XCTFail("no body") }
        XCTAssertEqual(body, Array("abc".utf8))
    }

    private func assertError(_ text: String, status: Int, limits: HTTPRequestParser.Limits = .init(), file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parseAll([Array(text.utf8)], limits: limits), file: file, line: line) { error in
            XCTAssertEqual((error as? HTTPParserError)?.status, status, "\(error)", file: file, line: line)
        }
    }

    func testMalformedInputIs400() {
        assertError("GET /\r\n\r\n", status: 400)
        assertError("GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", status: 400)
        assertError("GET / HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n", status: 400)
        assertError("GET / HTTP/1.1\r\nHost: t\r\nA: b\r\n folded\r\n\r\n", status: 400)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n", status: 400)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", status: 400)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", status: 400)
        assertError("GET / HTTP/2.0\r\n\r\n", status: 505)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", status: 501)
    }

    /// RFC 9110 §8.6: a list of identical lengths is one length; anything else that is not digits is refused.
    func testContentLengthForms() throws {
        let same = try parseAll([Array("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 3\r\n\r\nabc".utf8)])
        XCTAssertEqual(same.map(\.1), [Array("abc".utf8)])
        let none = try parseAll([Array("POST / HTTP/1.1\r\nHost: t\r\n\r\n".utf8)])
        XCTAssertEqual(none.map(\.1), [[]])
        assertError("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1, 2\r\n\r\n", status: 400)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nContent-Length:\r\n\r\n", status: 400)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", status: 400)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1234567890123456789\r\n\r\n", status: 400)
    }

    /// RFC 9112 §2.2: empty lines before a request line are skipped in any mix of CRLF and LF, read at once or
    /// byte by byte.
    func testLeadingEmptyLinesAreSkippedWhateverTheSplit() throws {
        let text = Array("\n\r\n\r\n\nGET /a HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        XCTAssertEqual(try parseAll([text]).map(\.0.target), ["/a"])
        XCTAssertEqual(try parseAll(text.map { [$0] }).map(\.0.target), ["/a"])
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request needs exactly one Host field; HTTP/1.0 may omit it.
    func testHostIsRequiredOnceInHTTP11() throws {
        assertError("GET / HTTP/1.1\r\n\r\n", status: 400)
        assertError("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400)
        XCTAssertNoThrow(try parseAll([Array("GET / HTTP/1.0\r\n\r\n".utf8)]))
    }

    /// A header value that is not UTF-8 cannot be passed on byte for byte (signed, or forwarded upstream): 400.
    /// UTF-8 beyond ASCII is kept exactly.
    func testHeaderValuesMustBeUTF8AndAreKeptExactly() throws {
        var invalid = Array("POST / HTTP/1.1\r\nHost: t\r\nX-Amzn-Bedrock-Trace: a".utf8)
        invalid += [0xFF, 0xFE] + Array("\r\nContent-Length: 0\r\n\r\n".utf8)
        XCTAssertThrowsError(try parseAll([invalid])) { error in
            XCTAssertEqual((error as? HTTPParserError)?.status, 400)
            XCTAssertTrue("\(error)".contains("X-Amzn-Bedrock-Trace"), "\(error)")
        }
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHost: t\r\nX-Amzn-Bedrock-Trace: caf\u{E9} \u{1F600}\r\n\r\n".utf8))
        guard case .head(let head)? = try parser.next() else { return XCTFail("no head") }
        XCTAssertEqual(Array(head.headers["X-Amzn-Bedrock-Trace"]!.utf8), Array("caf\u{E9} \u{1F600}".utf8))
    }

    func testHeaderSectionLimitIs431() {
        let big = "GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "a", count: 40 * 1024) + "\r\n\r\n"
        assertError(big, status: 431)
        // Still incomplete but already over the limit: rejected without waiting for the end.
        assertError("GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "a", count: 33 * 1024), status: 431)
        // Exactly at the limit is fine.
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 64)
        let line = "GET / HTTP/1.1\r\nHost: t\r\nX: "
        let fits = line + String(repeating: "a", count: 64 - line.utf8.count - 2) + "\r\n\r\n"
        XCTAssertNoThrow(try parseAll([Array(fits.utf8)], limits: limits))
    }

    func testBodyLimitIs413ForLengthAndChunked() {
        let limits = HTTPRequestParser.Limits(maxBodyBytes: 10)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n", status: 413, limits: limits)
        assertError("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nabcde\r\n", status: 413, limits: limits)
        XCTAssertNoThrow(try parseAll([Array("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789".utf8)], limits: limits))
        // Bedrock's limit is the default.
        XCTAssertEqual(HTTPRequestParser.Limits().maxBodyBytes, 25_000_000)
    }

    func testErrorsAreSticky() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n\r\n".utf8))
        XCTAssertThrowsError(try parser.next())
        parser.append(Array("GET / HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        XCTAssertThrowsError(try parser.next())
    }
}
