import Dispatch
import IO
import TestSupport
import XCTest
@testable import Upstream

/// What the client keeps between transfers over loopback: connections (libcurl's cache) and easy handles (the
/// client's pool, with their options).
final class UpstreamClientReuseTests: UpstreamClientTestCase {
    func testSequentialRequestsReuseTheConnection() {
        let server = makeConnectionNumberServer()
        let client = makeClient()
        var bodies: [String] = []
        for index in 0..<2 {
            let delegate = perform(UpstreamRequest(method: "GET", url: server.url + "/\(index)"), on: client, "request \(index)")
            queue.sync {
                XCTAssertNil(delegate.error)
                bodies.append(String(decoding: delegate.body, as: UTF8.self))
            }
        }
        XCTAssertEqual(bodies, ["1", "1"])
        XCTAssertEqual(server.acceptedCount, 1)
    }

    func testConnectionClosedWhileIdleIsReplacedAndItsWatchDropped() {
        // Connection 1 is keep-alive by its headers, but closed right after: libcurl finds out when it tries to reuse it.
        let server = makeConnectionNumberServer(closing: 1)
        let client = makeClient()
        var bodies: [String] = []
        for index in 0..<3 {
            let delegate = perform(UpstreamRequest(method: "GET", url: server.url + "/\(index)"), on: client, "request \(index)")
            // Let the server's close of connection 1 happen before the next request, so libcurl finds it dead when
            // it tries to reuse it (the race of a request sent into a closing connection is libcurl's retry logic,
            // not what this test is about).
            XCTAssertTrue(waitUntil { server.closedCount >= 1 })
            queue.sync {
                XCTAssertNil(delegate.error)
                bodies.append(String(decoding: delegate.body, as: UTF8.self))
                // One live connection, its watch parked between transfers; the closed one left nothing behind.
                XCTAssertEqual(client.connectionSockets.count, 1)
                XCTAssertLessThanOrEqual(client.watches.count, 1)
                XCTAssertTrue(client.watches.values.allSatisfy(\.isParked))
            }
        }
        XCTAssertEqual(bodies, ["1", "2", "2"])
        XCTAssertEqual(server.acceptedCount, 2)
        queue.sync {
            client.shutdown()
            XCTAssertTrue(client.connectionSockets.isEmpty)
            XCTAssertTrue(client.watches.isEmpty)
        }
    }

    func testABurstsConnectionsAndHandlesStayForTheNextBurst() {
        // Every request of the first burst is held until all of them have arrived, so the burst needs one connection
        // each; the bursts after it must find them all in the connection cache (libcurl's default cache size, four
        // times the transfers in progress, closed some of them as each burst drained).
        let burst = 20
        let arrivals = Locked(0)
        let allArrived = DispatchSemaphore(value: 0)
        let server = makeServer { request, connection in
            let arrived = arrivals.withLock { count -> Int in
                count += 1
                return count
            }
            if arrived == burst { for _ in 0..<burst { allArrived.signal() } }
            if arrived <= burst { _ = allArrived.wait(timeout: .now() + 20) }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        }
        let client = makeClient(UpstreamConfiguration(maxConnectionsPerHost: 0))
        for round in 0..<3 {
            let delegates = (0..<burst).map { RecordingDelegate("round \(round) transfer \($0)") }
            queue.sync {
                for (index, delegate) in delegates.enumerated() {
                    _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/\(round)/\(index)"), delegate: delegate)
                }
            }
            wait(for: delegates.map(\.finishedExpectation), timeout: 60)
            queue.sync { XCTAssertTrue(delegates.allSatisfy { $0.error == nil && $0.body == Array("ok".utf8) }) }
            XCTAssertEqual(server.acceptedCount, burst, "round \(round)")
        }
        queue.sync {
            XCTAssertEqual(client.connectionSockets.count, burst)
            // And every easy handle of a burst is kept for the next one, not freed and made again.
            XCTAssertEqual(client.pool.count, burst)
        }
    }

    /// One pooled handle carries transfer after transfer: each request goes out with its own method, body and
    /// headers, nothing of the one before (a handle keeps its options between transfers).
    func testAReusedHandleCarriesNothingOver() {
        let server = makeServer { request, connection in
            let body = "\(request.method) \(request.body.count) \(request.header("X-Mark") ?? "-") \(request.header("Expect") ?? "-")"
            if request.method == "HEAD" {
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nX-Seen: \(body)\r\n\r\n")
            } else {
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            }
        }
        let client = makeClient()
        let large = [UInt8](repeating: 0x61, count: 100 * 1024)
        let requests: [(UpstreamRequest, String)] = [
            (UpstreamRequest(method: "POST", url: server.url + "/a", headers: [("X-Mark", "one")], body: Array("hello".utf8)), "POST 5 one -"),
            (UpstreamRequest(method: "GET", url: server.url + "/b"), "GET 0 - -"),
            (UpstreamRequest(method: "HEAD", url: server.url + "/c", headers: [("X-Mark", "three")]), ""),
            (UpstreamRequest(method: "POST", url: server.url + "/d", body: large), "POST 102400 - -"),
            (UpstreamRequest(method: "DELETE", url: server.url + "/e"), "DELETE 0 - -"),
            (UpstreamRequest(method: "PUT", url: server.url + "/f", body: Array("xy".utf8)), "PUT 2 - -"),
            (UpstreamRequest(method: "POST", url: server.url + "/g"), "POST 0 - -"),
            (UpstreamRequest(method: "GET", url: server.url + "/h", headers: [("X-Mark", "eight")]), "GET 0 eight -"),
        ]
        for (index, (request, expected)) in requests.enumerated() {
            let delegate = perform(request, on: client, "request \(index)")
            queue.sync {
                XCTAssertNil(delegate.error, "request \(index)")
                if request.method == "HEAD" {
                    XCTAssertEqual(delegate.head?.value(of: "X-Seen"), "HEAD 0 three -")
                    XCTAssertTrue(delegate.body.isEmpty)
                } else {
                    XCTAssertEqual(String(decoding: delegate.body, as: UTF8.self), expected, "request \(index)")
                }
                XCTAssertEqual(client.pool.count, 1, "one handle serves every request")
            }
        }
        // A stream gets a handle of its own kind (a small receive buffer, which libcurl will not resize while it keeps
        // it), and both kinds are pooled.
        let stream = perform(UpstreamRequest(method: "POST", url: server.url + "/s", body: Array("s".utf8), isStreaming: true),
                             on: client, "stream")
        queue.sync {
            XCTAssertNil(stream.error)
            XCTAssertEqual(String(decoding: stream.body, as: UTF8.self), "POST 1 - -")
            XCTAssertEqual(client.pool.count, 1)
            XCTAssertEqual(client.streamPool.count, 1)
            XCTAssertTrue(client.streamPool.allSatisfy(\.isStreaming) && !client.pool.contains(where: \.isStreaming))
        }
    }
}
