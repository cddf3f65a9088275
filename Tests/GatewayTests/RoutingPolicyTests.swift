import AWS
import Foundation
import XCTest
@testable import Server
@testable import Core
@testable import Identity
import StandIn
import Support
import TestSupport

/// The access and routing policy through real sockets: who may call, which models they reach, and failover.
final class RoutingPolicyTests: XCTestCase {
    var harness: GatewayHarness!

    override func tearDown() { harness?.shutdown(); harness = nil }

    private func fail(_ model: String = "*", status: Int, type: String, times: Int? = nil, operation: String = "*") -> StandInRule {
        var rule = StandInRule()
        rule.model = model
        rule.operation = operation
        rule.status = status
        rule.errorType = type
        rule.times = times
        return rule
    }

    private let haiku = "anthropic.claude-3-haiku-20240307-v1:0"
    private let sonnet = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    private let titan = "amazon.titan-text-express-v1"

    // MARK: Authentication

    func testEveryAuthenticationFailureAnswersLikeBedrock() throws {
        harness = try GatewayHarness()
        func errorType(_ response: TestHTTPClient.Response) -> String? {
            response.header("x-amzn-ErrorType")?.split(separator: ":").first.map(String.init)
        }
        let missing = try harness.call("invoke", model: "test/a", key: nil)
        XCTAssertEqual(missing.status, 403)
        XCTAssertEqual(errorType(missing), "MissingAuthenticationTokenException")
        let unknown = try harness.call("invoke", model: "test/a", key: "tg-not-a-key-000000000000000000000")
        XCTAssertEqual(errorType(unknown), "UnrecognizedClientException")
        let disabled = try harness.call("invoke", model: "test/a", key: GatewayHarness.disabledKey)
        XCTAssertEqual(disabled.status, 403)
        XCTAssertEqual(errorType(disabled), "AccessDeniedException")
        let expired = try harness.call("invoke", model: "test/a", key: GatewayHarness.expiredKey)
        XCTAssertEqual(errorType(expired), "AccessDeniedException")
        let viaHeader = try harness.call("invoke", model: "test/a", key: nil, headers: [("x-api-key", GatewayHarness.clientKey)])
        XCTAssertEqual(viaHeader.status, 200)
        XCTAssertEqual(harness.standIn.stats.calls.count, 1, "refused calls never reach upstream")
    }

    func testClientSigV4IsVerified() throws {
        harness = try GatewayHarness()
        func signed(secret: String, date: Date = Date(), model: String = "test/a") throws -> TestHTTPClient.Response {
            let body = Array(GatewayHarness.body(for: "invoke").utf8)
            let path = BedrockPath(modelId: model, operation: .invokeModel).wirePath
            let host = "127.0.0.1:\(harness.port)"
            let headers: [(name: String, value: String)] = [("Host", host), ("Content-Type", "application/json")]
            let signer = SigV4Signer(credentials: AWSCredentials(accessKeyId: GatewayHarness.sigV4AccessKeyID, secretAccessKey: secret),
                                     region: "us-east-1", service: "bedrock")
            let signature = signer.sign(SigV4Request(method: "POST", path: path, headers: headers), body: body, date: SigV4Date(date))
            let client = try TestHTTPClient(port: harness.port)
            var text = "POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
            for h in signature.headers { text += "\(h.name): \(h.value)\r\n" }
            try client.send(Array((text + "\r\n").utf8) + body)
            return try client.readResponse()
        }
        XCTAssertEqual(try signed(secret: GatewayHarness.sigV4Secret).status, 200)
        XCTAssertEqual(try signed(secret: GatewayHarness.sigV4Secret, model: "anthropic.claude-3-haiku-20240307-v1:0").status, 200)
        let wrong = try signed(secret: "not-the-secret")
        XCTAssertEqual(wrong.status, 403)
        XCTAssertEqual(wrong.header("x-amzn-ErrorType")?.hasPrefix("InvalidSignatureException"), true)
        let skewed = try signed(secret: GatewayHarness.sigV4Secret, date: Date().addingTimeInterval(-20 * 60))
        XCTAssertEqual(skewed.header("x-amzn-ErrorType")?.hasPrefix("InvalidSignatureException"), true)
        XCTAssertTrue(skewed.text.contains("Signature expired"), skewed.text)
    }

    // MARK: What the caller may use

    func testUnknownDisabledAndRestrictedModelsLookExactlyAlike() throws {
        harness = try GatewayHarness()
        let bodies = try ["test/nope", "test/disabled", "test/restricted"].map { try harness.call("invoke", model: $0) }
        XCTAssertEqual(Set(bodies.map(\.status)), [404])
        XCTAssertEqual(Set(bodies.map(\.text)).count, 1, "the three 404 bodies must be identical")
        XCTAssertEqual(try harness.call("invoke", model: "test/restricted", key: GatewayHarness.acmeKey).status, 200)
    }

    func testOperationMustFitTheModel() throws {
        harness = try GatewayHarness()
        let stream = try harness.call("converse-stream", model: "test/no-stream")
        XCTAssertEqual(stream.status, 400)
        XCTAssertTrue(stream.text.contains("does not support streaming"), stream.text)
        let converse = try harness.call("converse", model: "test/embed")
        XCTAssertEqual(converse.status, 400)
        XCTAssertEqual(converse.header("x-amzn-ErrorType")?.hasPrefix("ValidationException"), true)
        XCTAssertEqual(harness.standIn.stats.calls.count, 0)
    }

    func testKeyAndCatalogueEditsTakeEffectOnTheNextRequest() throws {
        harness = try GatewayHarness()
        let newKey = "tg-test-new-key-00000000000000000"
        XCTAssertEqual(try harness.call("invoke", model: "test/a", key: newKey).status, 403)
        try harness.writeKeys(extra: #", {"id": "new", "org": "t", "hash": "\#(KeyHash.hash(newKey))"}"#)
        harness.service.gateway.reload()
        XCTAssertEqual(try harness.call("invoke", model: "test/a", key: newKey).status, 200)

        let catalogue = String(decoding: try AtomicFile.read(harness.path("catalogue.json")), as: UTF8.self)
        try harness.write("catalogue.json", catalogue.replacingOccurrences(of: #""id": "test/c", "type": "completion""#, with: #""id": "test/c", "enabled": false, "type": "completion""#))
        harness.service.gateway.reload()
        XCTAssertEqual(try harness.call("invoke", model: "test/c").status, 404)
    }

    // MARK: Failover

    func testEachRetryableStatusFailsOverToTheNextModel() throws {
        harness = try GatewayHarness()
        for (status, type) in [(429, "ThrottlingException"), (429, "ModelNotReadyException"), (408, "ModelTimeoutException"),
                               (500, "InternalServerException"), (503, "ServiceUnavailableException"), (424, "ModelErrorException")] {
            harness.standIn.resetStats()
            harness.standIn.script([fail(haiku, status: status, type: type)])
            let response = try harness.call("invoke", model: "test/a")
            XCTAssertEqual(response.status, 200, type)
            XCTAssertEqual(response.header("x-tollgate-model"), "test/b", type)
            XCTAssertEqual(harness.standIn.stats.calls.map(\.model), [haiku, haiku, sonnet], "\(type): two tries, then failover")
        }
    }

    func testATransientFailureIsRetriedOnTheSameModel() throws {
        harness = try GatewayHarness()
        harness.standIn.script([fail(haiku, status: 503, type: "ServiceUnavailableException", times: 1)])
        let response = try harness.call("invoke", model: "test/a")
        XCTAssertEqual(response.header("x-tollgate-model"), "test/a")
        XCTAssertEqual(response.header("x-tollgate-attempts"), "2")
    }

    func testClientErrorsNeverFailOver() throws {
        harness = try GatewayHarness()
        for (status, type) in [(400, "ValidationException"), (403, "AccessDeniedException"), (404, "ResourceNotFoundException")] {
            harness.standIn.resetStats()
            harness.standIn.script([fail(haiku, status: status, type: type)])
            let response = try harness.call("invoke", model: "test/a")
            XCTAssertEqual(response.status, status, type)
            XCTAssertEqual(harness.standIn.stats.calls.count, 1, type)
        }
    }

    func testTwoHopChain() throws {
        harness = try GatewayHarness()
        harness.standIn.script([fail(haiku, status: 503, type: "ServiceUnavailableException"),
                                fail(sonnet, status: 429, type: "ThrottlingException")])
        let response = try harness.call("converse", model: "test/a")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("x-tollgate-model"), "test/c")
        XCTAssertEqual(response.header("x-tollgate-attempts"), "5")
    }

    func testARestrictedFailoverTargetIsSkipped() throws {
        harness = try GatewayHarness()
        harness.standIn.script([fail(haiku, status: 503, type: "ServiceUnavailableException")])
        // test/via-restricted → test/restricted-hop (acme only) → test/c: org t never reaches the acme model.
        let response = try harness.call("invoke", model: "test/via-restricted")
        XCTAssertEqual(response.header("x-tollgate-model"), "test/c")
        XCTAssertEqual(harness.standIn.stats.calls.map(\.model), [haiku, haiku, titan])
        // For acme the restricted hop is a valid target (and fails too, being haiku), then test/c.
        harness.standIn.resetStats()
        let acme = try harness.call("invoke", model: "test/via-restricted", key: GatewayHarness.acmeKey)
        XCTAssertEqual(acme.header("x-tollgate-model"), "test/c")
        XCTAssertEqual(harness.standIn.stats.calls.map(\.model), [haiku, haiku, haiku, haiku, titan])
    }

    func testConnectionRefusedFailsOver() throws {
        harness = try GatewayHarness()
        let response = try harness.call("invoke", model: "test/dead")
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.header("x-tollgate-model"), "test/c")
    }

    func testUpstreamTimeoutFailsOver() throws {
        harness = try GatewayHarness(upstreamIdleTimeoutMs: 300)
        var hang = StandInRule()
        hang.model = haiku
        hang.delayMs = 5000
        harness.standIn.script([hang])
        let response = try harness.call("invoke", model: "test/a")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("x-tollgate-model"), "test/b")
    }

    func testLastTargetsErrorIsPassedOnWhenTheChainIsExhausted() throws {
        harness = try GatewayHarness()
        harness.standIn.script([fail(status: 429, type: "ThrottlingException")])
        let response = try harness.call("invoke", model: "test/a")
        XCTAssertEqual(response.status, 429)
        XCTAssertEqual(response.header("x-tollgate-model"), "test/c")
        XCTAssertEqual(response.header("x-tollgate-attempts"), "6")
    }

    func testStreamingFailsOverBeforeTheFirstByteOnly() throws {
        harness = try GatewayHarness()
        harness.standIn.script([fail(haiku, status: 503, type: "ServiceUnavailableException", operation: "converse-stream")])
        let before = try harness.call("converse-stream", model: "test/a")
        XCTAssertEqual(before.status, 200)
        XCTAssertEqual(before.header("x-tollgate-model"), "test/b")

        var broken = StandInRule()
        broken.model = haiku
        broken.exceptionAfterFrames = 2
        broken.errorType = "ThrottlingException"
        harness.standIn.script([broken])
        harness.standIn.resetStats()
        let after = try harness.call("converse-stream", model: "test/a")
        XCTAssertEqual(after.status, 200)
        XCTAssertEqual(after.header("x-tollgate-model"), "test/a")
        var decoder = EventStreamDecoder()
        decoder.append(after.body)
        var frames: [EventStreamMessage] = []
        while let frame = try decoder.next() { frames.append(frame) }
        XCTAssertEqual(frames.count, 3)
        XCTAssertEqual(frames.last?.exceptionType, "throttlingException", "the upstream's own exception frame is relayed")
        XCTAssertEqual(harness.standIn.stats.calls.count, 1)
    }

    func testRetryAfterLongerThanTheBackoffCapFailsOverAtOnce() throws {
        harness = try GatewayHarness()  // max_delay_ms 50
        var rule = fail(haiku, status: 429, type: "ThrottlingException")
        rule.retryAfter = 1
        harness.standIn.script([rule])
        let response = try harness.call("invoke", model: "test/a")
        XCTAssertEqual(response.header("x-tollgate-model"), "test/b")
        XCTAssertEqual(harness.standIn.stats.calls.map(\.model), [haiku, sonnet], "waiting 1 s would exceed the cap: fail over instead")
    }

    func testRetryAfterWithinTheCapIsWaitedFor() throws {
        harness = try GatewayHarness(retry: #"{"attempts_per_model": 2, "base_delay_ms": 1, "max_delay_ms": 2000}"#)
        var rule = fail(haiku, status: 503, type: "ServiceUnavailableException", times: 1)
        rule.retryAfter = 1
        harness.standIn.script([rule])
        let start = Date()
        let response = try harness.call("invoke", model: "test/a")
        XCTAssertEqual(response.header("x-tollgate-model"), "test/a")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.95, "Retry-After: 1 was honoured")
    }
}

final class RetryPolicyTests: XCTestCase {
    func testFullJitterIsBoundedByTheExponentialCap() {
        var policy = RetryPolicy()
        policy.baseDelayMs = 100
        policy.maxDelayMs = 1000
        XCTAssertEqual(policy.delayMs(beforeRetry: 1, retryAfterSeconds: nil) { $0.upperBound }, 100)
        XCTAssertEqual(policy.delayMs(beforeRetry: 3, retryAfterSeconds: nil) { $0.upperBound }, 400)
        XCTAssertEqual(policy.delayMs(beforeRetry: 9, retryAfterSeconds: nil) { $0.upperBound }, 1000)
        XCTAssertEqual(policy.delayMs(beforeRetry: 2, retryAfterSeconds: nil) { $0.lowerBound }, 0)
        XCTAssertEqual(policy.delayMs(beforeRetry: 1, retryAfterSeconds: 1) { $0.lowerBound }, 1000)
        XCTAssertNil(policy.delayMs(beforeRetry: 1, retryAfterSeconds: 2) { $0.lowerBound })
    }
}
