import Dispatch
import XCTest
import TestSupport
import IO
@testable import Upstream
#if canImport(Glibc)
import Glibc
#endif
import CCurl

/// libcurl's sockets on the loop's poller: readiness reported with libcurl's descriptor, interest as asked,
/// parking, and removal that leaves nothing behind for a reused descriptor number.
final class SocketWatchTests: XCTestCase {
    private let queue = DispatchQueue(label: "socket-watch-tests")
    private lazy var poller = EventPoller(queue: queue)

    /// A watch that reads the one byte each readiness report announces, then calls `then` with the mask.
    private func readingWatch(_ socket: Int32, then: @escaping @Sendable (Int32) -> Void) -> SocketWatch {
        SocketWatch(curlSocket: socket, poller: poller) { socket, mask in
            var byte: UInt8 = 0
            _ = read(socket, &byte, 1)
            then(mask)
        }
    }

    private func socketPair() -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, streamSocketType, 0, &fds), 0)
        return (fds[0], fds[1])
    }

    func testReadReadinessIsReportedWithLibcurlsDescriptor() {
        let (mine, peer) = socketPair()
        defer { close(mine); close(peer) }
        let ready = expectation(description: "readable")
        let reported = Locked<[Int32]>([])
        let watch = SocketWatch(curlSocket: mine, poller: poller) { socket, mask in
            var byte: UInt8 = 0
            _ = read(socket, &byte, 1)
            reported.withLock { $0.append(socket) }
            XCTAssertEqual(mask, CURL_CSELECT_IN)
            ready.fulfill()
        }
        queue.sync { watch.update(wantRead: true, wantWrite: false) }
        XCTAssertEqual(write(peer, "x", 1), 1)
        wait(for: [ready], timeout: 10)
        queue.sync {
            watch.remove()
            XCTAssertEqual(poller.count, 0)
        }
        XCTAssertEqual(reported.get(), [mine])
    }

    /// Write interest only while libcurl asks for it: an idle socket is always writable, and a level-triggered
    /// poller would report it on every turn.
    func testWritabilityIsReportedOnlyWhileAsked() {
        let (mine, peer) = socketPair()
        defer { close(mine); close(peer) }
        let writable = expectation(description: "writable")
        let masks = Locked<[Int32]>([])
        let watch = SocketWatch(curlSocket: mine, poller: poller) { _, mask in
            masks.withLock { $0.append(mask) }
            if masks.get() == [mask] { writable.fulfill() }
        }
        queue.sync { watch.update(wantRead: false, wantWrite: true) }
        wait(for: [writable], timeout: 10)
        // From here on (the queue is serial, so every report after the marker came after the change) nothing more
        // may be reported for writability; a control socket made readable afterwards proves the poller ran turns.
        queue.sync {
            watch.update(wantRead: true, wantWrite: false)
            masks.withLock { $0.append(-1) }
        }
        let (controlMine, controlPeer) = socketPair()
        defer { close(controlMine); close(controlPeer) }
        let controlReady = expectation(description: "control")
        let control = readingWatch(controlMine) { _ in controlReady.fulfill() }
        queue.sync { control.update(wantRead: true, wantWrite: false) }
        XCTAssertEqual(write(controlPeer, "x", 1), 1)
        wait(for: [controlReady], timeout: 10)
        queue.sync {
            watch.remove()
            control.remove()
        }
        let afterChange = masks.get().drop { $0 != -1 }.dropFirst()
        XCTAssertEqual(Array(afterChange), [], "\(masks.get())")
        XCTAssertTrue(masks.get().prefix { $0 != -1 }.allSatisfy { $0 == CURL_CSELECT_OUT })
    }

    /// Removal is synchronous: libcurl may close the descriptor right after `CURL_POLL_REMOVE`, and the next socket
    /// that gets the same number is watched afresh, hearing only about itself.
    func testRemovedDescriptorNumberIsWatchedAfreshWhenReused() {
        let (first, firstPeer) = socketPair()
        let removed = expectation(description: "removed")
        let old = SocketWatch(curlSocket: first, poller: poller) { _, _ in XCTFail("the removed watch reported") }
        queue.sync {
            old.onClose = { removed.fulfill() }
            old.update(wantRead: true, wantWrite: true)
            old.remove()
            close(first)
        }
        wait(for: [removed], timeout: 10)
        close(firstPeer)
        let (reused, reusedPeer) = socketPair()
        defer { close(reused); close(reusedPeer) }
        let ready = expectation(description: "reused readable")
        let fresh = readingWatch(reused) { mask in
            XCTAssertEqual(mask, CURL_CSELECT_IN)
            ready.fulfill()
        }
        queue.sync { fresh.update(wantRead: true, wantWrite: false) }
        XCTAssertEqual(write(reusedPeer, "y", 1), 1)
        wait(for: [ready], timeout: 10)
        queue.sync { fresh.remove() }
    }

    func testParkedWatchReportsNothingUntilUpdatedAgain() {
        let (mine, peer) = socketPair()
        let (controlMine, controlPeer) = socketPair()
        defer { close(mine); close(peer); close(controlMine); close(controlPeer) }
        let log = Locked<[String]>([])
        let controlReady = expectation(description: "control readable")
        let ready = expectation(description: "readable after unparking")
        let watch = SocketWatch(curlSocket: mine, poller: poller) { socket, _ in
            var byte: UInt8 = 0
            _ = read(socket, &byte, 1)
            log.withLock { $0.append("parked watch") }
            ready.fulfill()
        }
        // An unparked watch on another socket, made readable after the parked one: once it has reported, the poller
        // has seen the parked socket's readiness too, so it would have reported by then if parking did nothing.
        let control = readingWatch(controlMine) { _ in
            log.withLock { $0.append("control") }
            controlReady.fulfill()
        }
        queue.sync {
            watch.update(wantRead: true, wantWrite: false)
            control.update(wantRead: true, wantWrite: false)
            watch.park()
            XCTAssertTrue(watch.isParked)
        }
        XCTAssertEqual(write(peer, "x", 1), 1)
        XCTAssertEqual(write(controlPeer, "x", 1), 1)
        wait(for: [controlReady], timeout: 10)
        queue.sync {
            log.withLock { $0.append("unpark") }
            watch.update(wantRead: true, wantWrite: false)
            XCTAssertFalse(watch.isParked)
        }
        wait(for: [ready], timeout: 10)
        queue.sync {
            watch.remove()
            control.remove()
        }
        XCTAssertEqual(log.get().filter { $0 != "control" }, ["unpark", "parked watch"])
    }

    /// A parked connection whose peer goes away reports a hang-up on every epoll turn (epoll always reports it, and
    /// level-triggered it stays reported): the watch leaves the epoll set on the first one instead of keeping the
    /// loop busy, and a transfer that wants the socket again registers it afresh and hears the hang-up.
    func testAParkedSocketWhosePeerWentAwayDoesNotKeepTheLoopBusy() {
        let (mine, peer) = socketPair()
        let (controlMine, controlPeer) = socketPair()
        defer { close(mine); close(controlMine); close(controlPeer) }
        let reported = Locked<[Int32]>([])
        let watch = SocketWatch(curlSocket: mine, poller: poller) { _, mask in reported.withLock { $0.append(mask) } }
        let turns = Locked(0)
        let control = readingWatch(controlMine) { _ in turns.withLock { $0 += 1 } }
        queue.sync {
            watch.update(wantRead: true, wantWrite: false)
            control.update(wantRead: true, wantWrite: false)
            watch.park()
        }
        close(peer)
        // Two full poller turns after the hang-up: each control byte is read on a turn of its own.
        for expected in 1...2 {
            XCTAssertEqual(write(controlPeer, "x", 1), 1)
            XCTAssertTrue(waitUntil { turns.get() == expected })
        }
        queue.sync {
            XCTAssertEqual(watch.eventsWhileParked, 1, "the hang-up is heard once while parked, not on every turn")
            XCTAssertTrue(reported.get().isEmpty, "nothing is reported to libcurl while parked")
            watch.update(wantRead: true, wantWrite: false)
        }
        XCTAssertTrue(waitUntil { !reported.get().isEmpty }, "the next transfer hears what happened")
        queue.sync {
            watch.remove()
            control.remove()
        }
    }
}
