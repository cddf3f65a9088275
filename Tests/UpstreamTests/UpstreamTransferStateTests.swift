import XCTest
@testable import Upstream

final class UpstreamTransferStateTests: XCTestCase {
    func testPauseThenResumeThenUnpause() {
        var state = UpstreamTransferState()
        state.added()
        XCTAssertTrue(state.willDeliverBody())
        XCTAssertEqual(state.didDeliverBody(.pause), .pause)
        XCTAssertEqual(state.phase, .paused)
        XCTAssertTrue(state.isPausedByDelegate)
        XCTAssertFalse(state.willDeliverBody(), "no delivery while paused")
        XCTAssertTrue(state.resumeRequested())
        XCTAssertFalse(state.resumeRequested(), "a second resume schedules nothing")
        XCTAssertTrue(state.unpauseDue())
        XCTAssertFalse(state.unpauseDue())
        XCTAssertEqual(state.phase, .running)
    }

    func testResumeDuringDeliveryThatThenPauses() {
        var state = UpstreamTransferState()
        state.added()
        XCTAssertTrue(state.willDeliverBody())
        XCTAssertFalse(state.resumeRequested())
        XCTAssertEqual(state.didDeliverBody(.pause), .pauseAndScheduleUnpause)
        XCTAssertEqual(state.phase, .resuming)
        XCTAssertTrue(state.unpauseDue())
    }

    func testResumeWhileRunningDoesNothing() {
        var state = UpstreamTransferState()
        state.added()
        XCTAssertFalse(state.resumeRequested())
        XCTAssertTrue(state.willDeliverBody())
        XCTAssertEqual(state.didDeliverBody(.consumed), .consume)
    }

    func testCancelFromEveryPhase() {
        var waiting = UpstreamTransferState()
        XCTAssertEqual(waiting.cancelRequested(), .dropWaiting)
        XCTAssertFalse(waiting.completed())

        var running = UpstreamTransferState()
        running.added()
        XCTAssertEqual(running.cancelRequested(), .removeFromMulti)
        XCTAssertEqual(running.cancelRequested(), .none)
        XCTAssertFalse(running.isLive)
        XCTAssertFalse(running.completed(), "a cancelled transfer never reports")

        var paused = UpstreamTransferState()
        paused.added()
        _ = paused.willDeliverBody()
        _ = paused.didDeliverBody(.pause)
        XCTAssertEqual(paused.cancelRequested(), .removeFromMulti)
        XCTAssertFalse(paused.unpauseDue())

        var finished = UpstreamTransferState()
        finished.added()
        XCTAssertTrue(finished.completed())
        XCTAssertFalse(finished.completed(), "reports exactly once")
        XCTAssertEqual(finished.cancelRequested(), .none)
    }

    func testCancelDuringDeliveryAborts() {
        var state = UpstreamTransferState()
        state.added()
        XCTAssertTrue(state.willDeliverBody())
        XCTAssertEqual(state.cancelRequested(), .removeFromMulti)
        XCTAssertEqual(state.didDeliverBody(.consumed), .abort)
    }
}
