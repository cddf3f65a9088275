import XCTest
import AWS
@testable import Core
import Upstream

/// The runtime call's rules as a table, no sockets: retry on 429, failover on 5xx, `Retry-After` over the cap,
/// failure before and after the first byte, the client leaving in every phase, and exactly one record on every path.
/// The end-to-end behaviour is in RoutingPolicyTests and ForwardingTests.
/// The machine over plain model ids.
typealias Machine = RuntimeCallStateMachine<[String]>

final class RuntimeCallStateMachineTests: XCTestCase {
    private static let models = ["m/a", "m/b", "m/c"]

    /// A machine with 2 attempts per model, backoff ≤ 2 s, and a jitter source that always picks the top of its range.
    private func machine(attempts: Int = 2) -> Machine {
        var policy = RetryPolicy()
        policy.attemptsPerModel = attempts
        policy.baseDelayMs = 100
        policy.maxDelayMs = 2000
        return Machine(candidates: Self.models, policy: policy, random: { $0.upperBound })
    }

    private func head(_ status: Int, _ headers: [(String, String)] = []) -> UpstreamResponseHead {
        UpstreamResponseHead(status: status, headers: headers.map { (name: $0.0, value: $0.1) })
    }

    private func body(_ m: inout Machine, _ text: String, writable: Bool = true) -> Machine.Body {
        Array(text.utf8).withUnsafeBytes { m.upstreamBody($0, clientWritable: writable) }
    }

    /// An error answer: head, body, end.
    private func errorAnswer(_ m: inout Machine, _ status: Int, type: String, headers: [(String, String)] = []) -> Machine.Finish {
        m.upstreamHead(head(status, [("x-amzn-ErrorType", type)] + headers))
        XCTAssertEqual(body(&m, #"{"message":"no"}"#), .consumed)
        return m.upstreamFinished(error: nil)
    }

    private func retry(_ finish: Machine.Finish, file: StaticString = #filePath, line: UInt = #line) -> Machine.Retry? {
        guard case .retry(let r) = finish else { XCTFail("expected a retry, got \(finish)", file: file, line: line); return nil }
        return r
    }

    func testASuccessIsHeldUntilItsFirstByteThenRelayed() {
        var m = machine()
        XCTAssertEqual(m.start(), 0)
        m.upstreamHead(head(200))
        XCTAssertTrue(m.isAnswering)
        XCTAssertEqual(body(&m, "a"), .writeHeadAndBody)
        XCTAssertEqual(body(&m, "b"), .write)
        XCTAssertEqual(body(&m, "c", writable: false), .pause)
        guard case .completeRelay(heldHead: nil, error: nil) = m.upstreamFinished(error: nil) else { return XCTFail() }
        XCTAssertEqual(m.attempts.map(\.outcome), ["ok"])
        XCTAssertEqual(m.attempts.map(\.status), [200])
        XCTAssertTrue(m.recorded)
    }

    func testThrottlingIsRetriedOnTheSameModelAfterABackoff() {
        var m = machine()
        _ = m.start()
        let r = retry(errorAnswer(&m, 429, type: "ThrottlingException"))
        XCTAssertEqual(r, Machine.Retry(candidate: 0, delayMs: 100, failover: nil, error: .throttling()))
        XCTAssertFalse(m.recorded)
        XCTAssertEqual(m.backoffElapsed(), 0)
        m.upstreamHead(head(200))
        XCTAssertEqual(body(&m, "ok"), .writeHeadAndBody)
        guard case .completeRelay = m.upstreamFinished(error: nil) else { return XCTFail() }
        XCTAssertEqual(m.attempts.map(\.outcome), ["ThrottlingException", "ok"])
        XCTAssertEqual(m.candidate, 0)
    }

    /// 5xx on every attempt: each model is tried `attemptsPerModel` times, then the next; after the last, the last
    /// upstream error is passed on as it came, recorded once.
    func testServerErrorsFailOverThroughTheChainThenPassTheLastErrorOn() {
        var m = machine()
        var next = m.start()
        var steps: [String] = []
        while true {
            let finish = errorAnswer(&m, 503, type: "ServiceUnavailableException")
            if case .passOn(let head, _) = finish {
                steps.append("pass on \(head.status)")
                break
            }
            guard let r = retry(finish) else { return }
            steps.append("\(Self.models[next]) -> \(Self.models[r.candidate]) after \(r.delayMs) ms" + (r.failover.map { " (failover \($0.from) -> \($0.to))" } ?? ""))
            XCTAssertEqual(m.backoffElapsed(), r.candidate)
            next = r.candidate
        }
        XCTAssertEqual(steps, [
            "m/a -> m/a after 100 ms", "m/a -> m/b after 0 ms (failover m/a -> m/b)",
            "m/b -> m/b after 100 ms", "m/b -> m/c after 0 ms (failover m/b -> m/c)",
            "m/c -> m/c after 100 ms", "pass on 503",
        ])
        XCTAssertEqual(m.attempts.count, 6)
        XCTAssertTrue(m.recorded)
        XCTAssertNil(m.backoffElapsed())
    }

    /// `Retry-After` within the cap is honoured; above it, waiting loses to the next model at once.
    func testRetryAfterWithinTheCapIsWaitedAndAboveItFailsOverAtOnce() {
        var m = machine()
        _ = m.start()
        XCTAssertEqual(retry(errorAnswer(&m, 429, type: "ThrottlingException", headers: [("Retry-After", "1")]))?.delayMs, 1000)
        _ = m.backoffElapsed()
        var n = machine()
        _ = n.start()
        let r = retry(errorAnswer(&n, 429, type: "ThrottlingException", headers: [("Retry-After", "5")]))
        XCTAssertEqual(r?.candidate, 1)
        XCTAssertEqual(r?.delayMs, 0)
        XCTAssertEqual(r?.failover?.to, "m/b")
    }

    func testAClientErrorIsPassedOnWithoutRetry() {
        var m = machine()
        _ = m.start()
        guard case .passOn(let head, let body) = errorAnswer(&m, 400, type: "ValidationException") else { return XCTFail() }
        XCTAssertEqual(head.status, 400)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), #"{"message":"no"}"#)
        XCTAssertEqual(m.attempts.map(\.outcome), ["ValidationException"])
        XCTAssertTrue(m.recorded)
    }

    /// A transport failure before any head, or after a success head but before its first byte: still replaceable.
    /// After the first byte reached the client: never retried, the relay ends as honestly as it can.
    func testFailureBeforeTheFirstByteIsRetriedAndAfterItEndsTheRelay() {
        var m = machine(attempts: 1)
        _ = m.start()
        XCTAssertEqual(retry(m.upstreamFinished(error: .connectFailed))?.failover?.to, "m/b")
        _ = m.backoffElapsed()
        m.upstreamHead(head(200))
        XCTAssertEqual(retry(m.upstreamFinished(error: .connectionLost))?.failover?.to, "m/c")
        _ = m.backoffElapsed()
        m.upstreamHead(head(200))
        XCTAssertEqual(body(&m, "partial"), .writeHeadAndBody)
        guard case .completeRelay(heldHead: nil, error: .connectionLost?) = m.upstreamFinished(error: .connectionLost) else { return XCTFail() }
        XCTAssertEqual(m.attempts.map(\.outcome), ["ServiceUnavailableException", "ServiceUnavailableException", "relay_failed:connectionLost"])
        XCTAssertTrue(m.recorded)
    }

    /// Timeouts and transport failures on the last candidate become Bedrock errors for the client.
    func testExhaustedTransportFailuresAnswerABedrockError() {
        var m = Machine(candidates: ["only"], policy: RetryPolicy(), random: { $0.lowerBound })
        _ = m.start()
        XCTAssertEqual(retry(m.upstreamFinished(error: .timedOut))?.delayMs, 0)
        _ = m.backoffElapsed()
        guard case .respond(let error) = m.upstreamFinished(error: .timedOut) else { return XCTFail() }
        XCTAssertEqual(error.name, "ModelTimeoutException")
        XCTAssertTrue(m.recorded)
    }

    /// The client leaving, in every phase: recorded once (answered only once a success head arrived); whatever the
    /// upstream or the backoff timer does afterwards changes nothing.
    func testClientLossInEveryPhaseIsRecordedOnce() {
        typealias Setup = (inout Machine) -> Void
        let phases: [(String, Setup, Bool)] = [
            ("awaiting head", { _ = $0.start() }, false),
            ("success head held", { _ = $0.start(); $0.upstreamHead(self.head(200)) }, true),
            ("relaying", { m in _ = m.start(); m.upstreamHead(self.head(200)); _ = self.body(&m, "x") }, true),
            ("collecting an error", { _ = $0.start(); $0.upstreamHead(self.head(503)) }, false),
            ("backing off", { m in _ = m.start(); _ = self.errorAnswer(&m, 429, type: "ThrottlingException") }, false),
        ]
        for (name, setup, answered) in phases {
            var m = machine()
            setup(&m)
            XCTAssertFalse(m.recorded, name)
            XCTAssertEqual(m.clientClosed(), answered, name)
            XCTAssertTrue(m.recorded, name)
            XCTAssertNil(m.clientClosed(), "\(name): a second close records nothing")
            guard case .none = m.upstreamFinished(error: .cancelled) else { return XCTFail(name) }
            XCTAssertNil(m.backoffElapsed(), name)
        }
        // After the end: nothing to record.
        var m = machine()
        _ = m.start()
        _ = errorAnswer(&m, 400, type: "ValidationException")
        XCTAssertNil(m.clientClosed())
    }

    /// An attempt whose request cannot be built (missing credentials) answers that error, recorded once.
    func testAnAttemptThatCannotBeMadeAnswersItsError() {
        var m = machine()
        _ = m.start()
        XCTAssertEqual(m.attemptNotMade(.accessDenied("no credentials")).status, 403)
        XCTAssertTrue(m.recorded)
        XCTAssertNil(m.clientClosed())
    }
}
