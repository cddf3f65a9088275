import Dispatch
import Foundation
import XCTest
import IO
@testable import Upstream

/// End-to-end tests of `UpstreamClient` against the loopback `TestHTTPServer`.
final class UpstreamClientTests: UpstreamClientTestCase {
    @discardableResult
    private func execute(_ client: UpstreamClient, _ request: UpstreamRequest,
                         _ delegate: RecordingDelegate) -> UpstreamTransfer {
        queue.sync { client.execute(request, delegate: delegate) }
    }

    func testGetAndPostRoundTripWithHeadersAndTenMegabyteBodies() {
        let size = 10 << 20
        let server = makeServer { request, connection in
            switch (request.method, request.target) {
            case ("GET", "/hello"):
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Greeting:  hi there \r\n"
                    + "X-Echo: \(request.header("x-custom") ?? "-")\r\n\r\nhello")
            case ("POST", "/echo"):
                let matches = request.body == patternBody(size)
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\nX-Body-Length: \(request.body.count)\r\n"
                    + "X-Body-Matches: \(matches)\r\nX-Saw-Expect: \(request.header("expect") != nil)\r\n"
                    + "X-Content-Type: \(request.header("content-type") ?? "-")\r\n\r\n")
                connection.write(patternBody(size))
            default:
                connection.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            }
        }
        let client = makeClient()

        let get = RecordingDelegate("GET")
        execute(client, UpstreamRequest(method: "GET", url: server.url + "/hello", headers: [("X-Custom", "abc")]), get)
        wait(for: [get.finishedExpectation], timeout: 10)
        queue.sync {
            XCTAssertNil(get.error)
            XCTAssertEqual(get.head?.status, 200)
            XCTAssertEqual(get.head?.value(of: "x-greeting"), "hi there")
            XCTAssertEqual(get.head?.value(of: "X-Echo"), "abc")
            XCTAssertEqual(String(decoding: get.body, as: UTF8.self), "hello")
        }

        let post = RecordingDelegate("POST")
        let request = UpstreamRequest(method: "POST", url: server.url + "/echo",
                                      headers: [("Content-Type", "application/json")], body: patternBody(size))
        execute(client, request, post)
        wait(for: [post.finishedExpectation], timeout: 60)
        queue.sync {
            XCTAssertNil(post.error)
            XCTAssertEqual(post.head?.status, 200)
            XCTAssertEqual(post.head?.value(of: "X-Body-Length"), "\(size)")
            XCTAssertEqual(post.head?.value(of: "X-Body-Matches"), "true")
            XCTAssertEqual(post.head?.value(of: "X-Saw-Expect"), "false")
            XCTAssertEqual(post.head?.value(of: "X-Content-Type"), "application/json")
            XCTAssertEqual(post.body.count, size)
            XCTAssertTrue(post.body == patternBody(size), "response body differs")
        }
    }

    func testInterimContinueBlockIsSkipped() {
        let server = makeServer { _, connection in
            connection.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nok")
        }
        let delegate = RecordingDelegate()
        execute(makeClient(), UpstreamRequest(method: "POST", url: server.url + "/", body: Array("x".utf8)), delegate)
        wait(for: [delegate.finishedExpectation], timeout: 10)
        queue.sync {
            XCTAssertNil(delegate.error)
            XCTAssertEqual(delegate.head?.status, 201)
            XCTAssertEqual(delegate.head?.value(of: "x-final"), "yes")
            XCTAssertEqual(String(decoding: delegate.body, as: UTF8.self), "ok")
        }
    }

    func testStreamedChunksAreDeliveredAsTheyArrive() {
        let gate = DispatchSemaphore(value: 0)
        let secondSent = Locked(false)
        let server = makeServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
            _ = gate.wait(timeout: .now() + 20)
            secondSent.set(true)
            connection.write("6\r\nsecond\r\n0\r\n\r\n")
        }
        let firstArrived = expectation(description: "first chunk")
        let delegate = RecordingDelegate()
        delegate.onBody = { _, bytes in
            if delegate.body.isEmpty {
                XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "first")
                XCTAssertFalse(secondSent.get(), "first chunk arrived only after the second was sent")
                firstArrived.fulfill()
            }
            return .consumed
        }
        // The second chunk is sent once the first one's batch has closed; signalled from the body callback, the
        // server could write it while libcurl was still reading, and both would land in one batch.
        delegate.onBatch = { _ in
            if delegate.batches == 1 { gate.signal() }
        }
        execute(makeClient(), UpstreamRequest(method: "POST", url: server.url + "/stream", body: [1, 2, 3],
                                              isStreaming: true), delegate)
        wait(for: [firstArrived, delegate.finishedExpectation], timeout: 20, enforceOrder: true)
        queue.sync {
            XCTAssertNil(delegate.error)
            XCTAssertEqual(String(decoding: delegate.body, as: UTF8.self), "firstsecond")
            XCTAssertEqual(delegate.bodyCalls, 2)
            // The chunks came in separate bursts, so each closed its own batch (a relay flushes at each).
            XCTAssertEqual(delegate.batches, 2)
        }
    }
}
