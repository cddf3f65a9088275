import Dispatch
import Foundation
import XCTest
import IO
import TestSupport
@testable import Upstream
#if canImport(Glibc)
import Glibc
#endif

/// Backpressure, cancellation, failures, reuse and concurrency of `UpstreamClient` over loopback.
final class UpstreamClientFlowTests: UpstreamClientTestCase {
    /// Writes chunked pieces until the peer is gone, then fulfils `closed`.
    private static func streamUntilClosed(_ connection: TestConnection, closed: XCTestExpectation) {
        guard connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n") else { return }
        let piece = "400\r\n" + String(repeating: "x", count: 1024) + "\r\n"
        while connection.write(piece) {}
        closed.fulfill()
        connection.markClosed()
    }

    func testPauseStopsReadingAndResumeLosesNoByte() {
        let total = 32 << 20
        let paused = Locked(false)
        let sent = Locked(0)
        let serverStalled = expectation(description: "server writes blocked while paused")
        let server = makeServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n")
            _ = fcntl(connection.fd, F_SETFL, fcntl(connection.fd, F_GETFL) | O_NONBLOCK)
            let block = patternBody(251 * 256)
            var offset = 0, reported = false
            var lastProgress = DispatchTime.now()
            while offset < total {
                let start = offset % block.count
                let count = min(total - offset, block.count - start)
                let written = block.withUnsafeBytes { send(connection.fd, $0.baseAddress! + start, count, Int32(MSG_NOSIGNAL)) }
                if written > 0 {
                    offset += written
                    sent.set(offset)
                    lastProgress = DispatchTime.now()
                    continue
                }
                guard written < 0, errno == EAGAIN || errno == EINTR else { break }
                // Stalled = not writable for 300 ms although the client had paused before we started waiting.
                let pausedBefore = paused.get()
                var poller = pollfd(fd: connection.fd, events: Int16(POLLOUT), revents: 0)
                if poll(&poller, 1, pausedBefore ? 300 : 50) == 0 {
                    if pausedBefore, !reported {
                        reported = true
                        serverStalled.fulfill()
                    }
                    if DispatchTime.now().uptimeNanoseconds - lastProgress.uptimeNanoseconds > 30_000_000_000 { break }
                }
            }
            connection.markClosed()
        }

        let reference = patternBody(251 + (4 << 20))
        var received = 0, mismatches = 0, callsAtPause = 0, receivedAtPause = 0
        let pausedExpectation = expectation(description: "paused")
        let delegate = RecordingDelegate()
        delegate.keepBody = false
        delegate.onBody = { _, bytes in
            if !paused.get(), received >= 1 << 20 {
                paused.set(true)
                callsAtPause = delegate.bodyCalls
                receivedAtPause = received
                pausedExpectation.fulfill()
                return .pause
            }
            let phase = received % 251
            if bytes.count <= reference.count - phase {
                mismatches += reference.withUnsafeBytes { memcmp($0.baseAddress! + phase, bytes.baseAddress!, bytes.count) } == 0 ? 0 : 1
            } else {
                mismatches += 1
            }
            received += bytes.count
            return .consumed
        }
        let client = makeClient()
        let transfer = queue.sync {
            client.execute(UpstreamRequest(method: "GET", url: server.url + "/big", isStreaming: true), delegate: delegate)
        }
        wait(for: [pausedExpectation, serverStalled], timeout: 30, enforceOrder: true)
        queue.sync {
            XCTAssertEqual(delegate.bodyCalls, callsAtPause, "body delivered while paused")
            XCTAssertEqual(received, receivedAtPause)
            XCTAssertLessThan(sent.get(), total, "server wrote everything although the client paused")
            transfer.resume()
        }
        wait(for: [delegate.finishedExpectation], timeout: 60)
        queue.sync {
            XCTAssertNil(delegate.error)
            XCTAssertEqual(received, total)
            XCTAssertEqual(mismatches, 0)
        }
    }

    func testCancelMidStreamClosesTheConnectionAndStopsCallbacks() {
        let closed = expectation(description: "server saw the connection close")
        let server = makeServer { _, connection in Self.streamUntilClosed(connection, closed: closed) }
        let firstChunk = expectation(description: "first chunk")
        let delegate = RecordingDelegate()
        delegate.finishedExpectation.isInverted = true
        delegate.onBody = { _, _ in
            if delegate.bodyCalls == 1 { firstChunk.fulfill() }
            return .consumed
        }
        let client = makeClient()
        let transfer = queue.sync {
            client.execute(UpstreamRequest(method: "GET", url: server.url + "/forever", isStreaming: true), delegate: delegate)
        }
        wait(for: [firstChunk], timeout: 10)
        queue.sync {
            transfer.cancel()
            delegate.cancelled = true
            XCTAssertTrue(transfer.isDone)
        }
        wait(for: [closed], timeout: 10)
        queue.sync {}
        wait(for: [delegate.finishedExpectation], timeout: 0.1)
        queue.sync {
            XCTAssertEqual(delegate.callsAfterCancel, 0)
            XCTAssertFalse(delegate.finished)
            XCTAssertTrue(client.active.isEmpty)
        }
    }

    func testCancelInsideHeadCallback() {
        let closed = expectation(description: "server saw the connection close")
        let server = makeServer { _, connection in Self.streamUntilClosed(connection, closed: closed) }
        let delegate = RecordingDelegate()
        delegate.finishedExpectation.isInverted = true
        delegate.onHead = { transfer, _ in
            transfer.cancel()
            delegate.cancelled = true
        }
        let client = makeClient()
        queue.sync {
            _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/forever"), delegate: delegate)
        }
        wait(for: [closed], timeout: 10)
        queue.sync {}
        wait(for: [delegate.finishedExpectation], timeout: 0.1)
        queue.sync {
            XCTAssertNotNil(delegate.head)
            XCTAssertEqual(delegate.callsAfterCancel, 0)
            XCTAssertTrue(client.active.isEmpty)
        }
    }

    func testConnectionRefusedFailsWithConnectFailed() throws {
        // A bound socket that never listens: connecting to it is refused.
        let fd = socket(AF_INET, streamSocketType, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(fd, $0, length) == 0, getsockname(fd, $0, &length) == 0 else { throw POSIXError(.EADDRINUSE) }
            }
        }
        let delegate = RecordingDelegate()
        let client = makeClient()
        queue.sync {
            _ = client.execute(UpstreamRequest(method: "GET", url: "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/"),
                               delegate: delegate)
        }
        wait(for: [delegate.finishedExpectation], timeout: 10)
        queue.sync {
            XCTAssertEqual(delegate.error, .connectFailed, "\(String(describing: delegate.error))")
            XCTAssertEqual(delegate.error?.requestCertainlyNotSent, true)
            XCTAssertNil(delegate.head)
        }
    }

    func testSilentServerTimesOutThroughIdleTimeout() {
        let closed = expectation(description: "server saw the connection close")
        let server = makeServer { _, connection in
            if connection.waitForEOF() { closed.fulfill() }
            connection.markClosed()
        }
        let delegate = RecordingDelegate()
        let client = makeClient(UpstreamConfiguration(idleTimeout: .milliseconds(300)))
        let started = DispatchTime.now()
        queue.sync { _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/silent"), delegate: delegate) }
        wait(for: [delegate.finishedExpectation, closed], timeout: 10)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        queue.sync {
            XCTAssertEqual(delegate.error, .timedOut, "\(String(describing: delegate.error))")
            XCTAssertNil(delegate.head)
        }
        XCTAssertGreaterThanOrEqual(elapsed, 0.3)
        XCTAssertLessThan(elapsed, 5)
    }

    func testTotalTimeoutAppliesToNonStreamingRequestsOnly() {
        let server = makeServer { request, connection in
            if request.target == "/slow" {
                connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                let piece = "4000\r\n" + String(repeating: "x", count: 0x4000) + "\r\n"
                while connection.write(piece) {}
            }
            connection.markClosed()
        }
        let delegate = RecordingDelegate()
        delegate.keepBody = false
        let client = makeClient(UpstreamConfiguration(totalTimeout: .milliseconds(200)))
        queue.sync { _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/slow"), delegate: delegate) }
        wait(for: [delegate.finishedExpectation], timeout: 10)
        queue.sync {
            XCTAssertEqual(delegate.error, .timedOut, "\(String(describing: delegate.error))")
            XCTAssertNotNil(delegate.head)
        }
    }

    func testTwoHundredConcurrentTransfersAllComplete() {
        let server = makeServer { request, connection in
            let body = request.target + "|" + String(decoding: request.body, as: UTF8.self)
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        }
        let client = makeClient(UpstreamConfiguration(maxConnectionsPerHost: 8))
        let delegates = (0..<200).map { RecordingDelegate("transfer \($0)") }
        queue.sync {
            for (index, delegate) in delegates.enumerated() {
                let request = UpstreamRequest(method: index % 2 == 0 ? "GET" : "POST", url: server.url + "/n/\(index)",
                                              body: index % 2 == 0 ? [] : Array("payload \(index)".utf8))
                _ = client.execute(request, delegate: delegate)
            }
        }
        wait(for: delegates.map(\.finishedExpectation), timeout: 60)
        queue.sync {
            for (index, delegate) in delegates.enumerated() {
                XCTAssertNil(delegate.error, "transfer \(index)")
                let expected = "/n/\(index)|" + (index % 2 == 0 ? "" : "payload \(index)")
                XCTAssertEqual(String(decoding: delegate.body, as: UTF8.self), expected)
            }
            XCTAssertTrue(client.active.isEmpty)
        }
        XCTAssertLessThanOrEqual(server.acceptedCount, 8)
    }

    func testShutdownFinishesTransfersAndRefusesNewOnes() {
        let server = makeServer { _, connection in
            _ = connection.waitForEOF()
            connection.markClosed()
        }
        let client = makeClient()
        let first = RecordingDelegate("in flight")
        let second = RecordingDelegate("after shutdown")
        queue.sync { _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/"), delegate: first) }
        queue.sync {
            client.shutdown()
            _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/"), delegate: second)
        }
        wait(for: [first.finishedExpectation, second.finishedExpectation], timeout: 10)
        queue.sync {
            XCTAssertEqual(first.error, .shutdown)
            XCTAssertEqual(second.error, .shutdown)
        }
    }

    func testDelegateIsReleasedAfterFinishing() {
        let server = makeServer { _, connection in
            connection.write("HTTP/1.1 204 No Content\r\n\r\n")
        }
        let client = makeClient()
        var delegate: RecordingDelegate? = RecordingDelegate()
        weak let weakDelegate = delegate
        let finished = delegate!.finishedExpectation
        queue.sync { _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/"), delegate: delegate!) }
        delegate = nil
        wait(for: [finished], timeout: 10)
        queue.sync {}
        XCTAssertNil(weakDelegate)
    }

    /// A host name goes through libcurl's threaded resolver, whose socketpair libcurl closes right after
    /// `CURL_POLL_REMOVE`; the next socket then usually gets the same descriptor number. A fresh client per
    /// request (so no DNS cache) repeats that path.
    func testHostNameResolutionThroughThreadedResolver() throws {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var hints = addrinfo()
        hints.ai_family = AF_INET
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else {
            throw XCTSkip("host name \(host) does not resolve")
        }
        let isLoopback = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
            $0.pointee.sin_addr.s_addr == inet_addr("127.0.0.1")
        }
        freeaddrinfo(result)
        guard isLoopback, host != "localhost" else { throw XCTSkip("host name \(host) is not 127.0.0.1") }

        let server = makeServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        }
        for round in 0..<20 {
            let client = UpstreamClient(queue: queue)
            let delegate = RecordingDelegate("round \(round)")
            queue.sync {
                _ = client.execute(UpstreamRequest(method: "GET", url: "http://\(host):\(server.port)/"), delegate: delegate)
            }
            wait(for: [delegate.finishedExpectation], timeout: 10)
            queue.sync {
                XCTAssertNil(delegate.error, "round \(round)")
                XCTAssertEqual(String(decoding: delegate.body, as: UTF8.self), "ok")
                client.shutdown()
            }
        }
    }

    /// Calls made from inside libcurl callbacks: `execute` and `cancel` of another transfer are deferred
    /// until libcurl returns, `resume()` before returning `.pause` continues, `shutdown()` is deferred.
    func testClientCallsFromInsideCallbacks() {
        let server = makeServer { request, connection in
            let body = String(repeating: "b", count: 100_000)
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nX-Path: \(request.target)\r\n\r\n\(body)")
        }
        let client = makeClient()
        let outer = RecordingDelegate("outer")
        let inner = RecordingDelegate("inner")
        let dropped = RecordingDelegate("dropped")
        dropped.finishedExpectation.isInverted = true
        var pausedOnce = false
        outer.onHead = { _, _ in
            _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/inner"), delegate: inner)
            let waiting = client.execute(UpstreamRequest(method: "GET", url: server.url + "/dropped"), delegate: dropped)
            waiting.cancel()
        }
        outer.onBody = { transfer, _ in
            guard !pausedOnce else { return .consumed }
            pausedOnce = true
            transfer.resume()
            return .pause
        }
        inner.onHead = { _, head in XCTAssertEqual(head.value(of: "X-Path"), "/inner") }
        queue.sync { _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/outer"), delegate: outer) }
        wait(for: [outer.finishedExpectation, inner.finishedExpectation], timeout: 10)
        wait(for: [dropped.finishedExpectation], timeout: 0.1)
        queue.sync {
            XCTAssertNil(outer.error)
            XCTAssertNil(inner.error)
            XCTAssertEqual(outer.body.count, 100_000, "paused bytes were redelivered exactly once")
            XCTAssertEqual(inner.body.count, 100_000)
            XCTAssertNil(dropped.head)
        }

        let last = RecordingDelegate("shut down inside a callback")
        last.onHead = { _, _ in client.shutdown() }
        queue.sync { _ = client.execute(UpstreamRequest(method: "GET", url: server.url + "/last"), delegate: last) }
        wait(for: [last.finishedExpectation], timeout: 10)
        queue.sync { XCTAssertEqual(last.error, .shutdown) }
    }
}
