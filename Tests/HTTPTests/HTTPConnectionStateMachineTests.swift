import XCTest
@testable import HTTP

/// The connection rules as tables, on a clock of plain numbers: which timeout runs in each phase, when it expires,
/// `100 Continue` at most once, and what follows a response.
final class HTTPConnectionStateMachineTests: XCTestCase {
    private let limits = HTTPConnectionStateMachine.Limits(header: 10, body: 60, idle: 30)

    private func machine(at now: UInt64 = 0) -> HTTPConnectionStateMachine {
        var machine = HTTPConnectionStateMachine(limits: limits)
        machine.start(now: now)
        return machine
    }

    func testTheFirstHeadMustArriveWithinTheHeaderTimeout() {
        var m = machine(at: 100)
        XCTAssertEqual(m.timeout, .header)
        XCTAssertNil(m.expire(now: 109))
        XCTAssertEqual(m.expire(now: 110), .header)
        XCTAssertNil(m.expire(now: 200), "fires once")
    }

    func testBytesInsideAHeadDoNotRestartTheHeaderTimeout() {
        // Slow loris: a byte now and then must not keep a head alive.
        var m = machine(at: 0)
        for now in stride(from: UInt64(1), through: 9, by: 2) {
            m.bytesArrived(now: now)
            XCTAssertFalse(m.needsMoreBytes(insideHead: true, now: now))
        }
        XCTAssertEqual(m.expire(now: 10), .header)
    }

    func testEveryReadOfABodyRestartsTheBodyTimeout() {
        var m = machine()
        m.headReceived(expectsContinue: false, now: 5)
        XCTAssertEqual(m.timeout, .body)
        m.bytesArrived(now: 50)
        XCTAssertNil(m.expire(now: 100), "restarted at 50")
        XCTAssertEqual(m.expire(now: 110), .body)
    }

    func testContinueIsOwedOnceAndOnlyWhenAsked() {
        var asked = machine()
        asked.headReceived(expectsContinue: true, now: 1)
        XCTAssertTrue(asked.needsMoreBytes(insideHead: false, now: 2))
        XCTAssertFalse(asked.needsMoreBytes(insideHead: false, now: 3))
        var notAsked = machine()
        notAsked.headReceived(expectsContinue: false, now: 1)
        XCTAssertFalse(notAsked.needsMoreBytes(insideHead: false, now: 2))
    }

    func testNoTimeoutRunsWhileResponding() {
        var m = machine()
        m.headReceived(expectsContinue: false, now: 1)
        m.responding()
        XCTAssertNil(m.timeout)
        XCTAssertNil(m.expire(now: .max))
    }

    func testWhatFollowsAResponse() {
        typealias After = HTTPConnectionStateMachine.AfterResponse
        let cases: [(aborted: Bool, keepAlive: Bool, draining: Bool, buffered: Bool, after: After, timeout: HTTPConnectionStateMachine.Timeout?)] = [
            (false, true, false, false, .readNext(pipelined: false), .idle),
            (false, true, false, true, .readNext(pipelined: true), .header),
            (false, false, false, false, .closeAfterFlush, nil),
            (false, true, true, true, .closeAfterFlush, nil),
            (true, true, false, false, .close, nil),
        ]
        for c in cases {
            var m = machine()
            m.headReceived(expectsContinue: false, now: 1)
            m.responding()
            let after = m.responseFinished(aborted: c.aborted, keepAlive: c.keepAlive, draining: c.draining, buffered: c.buffered, now: 100)
            XCTAssertEqual(after, c.after, "\(c)")
            XCTAssertEqual(m.timeout, c.timeout, "\(c)")
            if case .readNext = after {
                XCTAssertEqual(m.phase, .awaitingHead)
                XCTAssertNil(m.expire(now: 109), "\(c)")
                XCTAssertEqual(m.expire(now: 130), c.timeout, "\(c)")
            }
        }
    }

    func testAKeptAliveConnectionMovesFromIdleToHeaderWhenARequestBegins() {
        var m = machine()
        m.headReceived(expectsContinue: false, now: 1)
        m.responding()
        _ = m.responseFinished(aborted: false, keepAlive: true, draining: false, buffered: false, now: 100)
        XCTAssertEqual(m.timeout, .idle)
        XCTAssertFalse(m.needsMoreBytes(insideHead: true, now: 120))
        XCTAssertEqual(m.timeout, .header)
        XCTAssertNil(m.expire(now: 129))
        XCTAssertEqual(m.expire(now: 130), .header)
    }

    func testAClosedConnectionHasNoTimeout() {
        var m = machine()
        m.closed()
        XCTAssertEqual(m.phase, .closed)
        XCTAssertNil(m.expire(now: .max))
    }
}
