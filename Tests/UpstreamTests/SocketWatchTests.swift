import Dispatch
import XCTest
@testable import Upstream
#if canImport(Glibc)
import Glibc
#endif
import CCurl

final class SocketWatchTests: XCTestCase {
    private let queue = DispatchQueue(label: "socket-watch-tests")

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
        let watch = SocketWatch(curlSocket: mine, queue: queue) { socket, mask in
            reported.update { $0.append(socket) }
            XCTAssertEqual(mask, CURL_CSELECT_IN)
            ready.fulfill()
        }
        XCTAssertNotEqual(watch.watched, mine, "sources must watch a duplicate")
        queue.sync { watch.update(wantRead: true, wantWrite: false) }
        XCTAssertEqual(write(peer, "x", 1), 1)
        wait(for: [ready], timeout: 10)
        queue.sync { watch.remove() }
        XCTAssertEqual(reported.current.first, mine)
    }

    func testDuplicateClosesOnlyAfterCancelHandlersEvenIfLibcurlClosedFirst() {
        let (mine, peer) = socketPair()
        defer { close(peer) }
        let closed = expectation(description: "duplicate closed")
        let watch = SocketWatch(curlSocket: mine, queue: queue) { _, _ in }
        let duplicate = watch.watched
        queue.sync {
            watch.onClose = {
                XCTAssertEqual(fcntl(duplicate, F_GETFD), -1, "duplicate still open after onClose")
                closed.fulfill()
            }
            watch.update(wantRead: true, wantWrite: true)
            watch.update(wantRead: true, wantWrite: false)
            // libcurl closes its descriptor right after CURL_POLL_REMOVE (threaded resolver's socketpair).
            watch.remove()
            close(mine)
            XCTAssertNotEqual(fcntl(duplicate, F_GETFD), -1, "duplicate closed before the cancel handlers ran")
        }
        wait(for: [closed], timeout: 10)
    }

    func testParkedWatchReportsNothingUntilUpdatedAgain() {
        let (mine, peer) = socketPair()
        let (controlMine, controlPeer) = socketPair()
        defer { close(mine); close(peer); close(controlMine); close(controlPeer) }
        let log = Locked<[String]>([])
        let controlReady = expectation(description: "control readable")
        let ready = expectation(description: "readable after unparking")
        let watch = SocketWatch(curlSocket: mine, queue: queue) { socket, _ in
            var byte: UInt8 = 0
            _ = read(socket, &byte, 1)
            log.update { $0.append("parked watch") }
            ready.fulfill()
        }
        // An unparked watch on another socket, made readable at the same moment: once it has reported, Dispatch
        // has seen both sockets' readiness, so the parked one would have reported by then if parking did nothing.
        let control = SocketWatch(curlSocket: controlMine, queue: queue) { socket, _ in
            var byte: UInt8 = 0
            _ = read(socket, &byte, 1)
            log.update { $0.append("control") }
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
            log.update { $0.append("unpark") }
            watch.update(wantRead: true, wantWrite: false)
            XCTAssertFalse(watch.isParked)
        }
        wait(for: [ready], timeout: 10)
        queue.sync {
            watch.remove()
            control.remove()
        }
        XCTAssertEqual(log.current.filter { $0 != "control" }, ["unpark", "parked watch"])
    }

    func testRemovingAParkedWatchClosesTheDuplicate() {
        let (mine, peer) = socketPair()
        defer { close(mine); close(peer) }
        let closed = expectation(description: "duplicate closed")
        let watch = SocketWatch(curlSocket: mine, queue: queue) { _, _ in }
        queue.sync {
            watch.onClose = { closed.fulfill() }
            watch.update(wantRead: true, wantWrite: true)
            watch.park()
            watch.remove()
        }
        wait(for: [closed], timeout: 10)
    }
}
