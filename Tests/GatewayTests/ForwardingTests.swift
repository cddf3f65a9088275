import AWS
import Foundation
import XCTest
import StandIn
import Support
import TestSupport

/// Client → Tollgate → stand-in, through real sockets and libcurl, for every runtime operation.
final class ForwardingTests: XCTestCase {
    var harness: GatewayHarness!

    override func setUpWithError() throws { harness = try GatewayHarness() }
    override func tearDown() { harness?.shutdown(); harness = nil }

    private func frames(_ body: [UInt8]) throws -> [EventStreamMessage] {
        var decoder = EventStreamDecoder()
        decoder.append(body)
        var out: [EventStreamMessage] = []
        while let frame = try decoder.next() { out.append(frame) }
        XCTAssertEqual(decoder.bufferedByteCount, 0, "trailing bytes after the last frame")
        return out
    }

    func testInvokeModelIsForwardedAndSignedForTheStandIn() throws {
        let response = try harness.call("invoke", model: "test/a")
        XCTAssertEqual(response.status, 200, response.text)
        let json = try JSONValue.parse(response.body)
        XCTAssertEqual(json["type"]?.stringValue, "message")
        XCTAssertEqual(json["model"]?.stringValue, "anthropic.claude-3-haiku-20240307-v1:0")
        let input = StandInTokens.input(bodyBytes: GatewayHarness.body(for: "invoke").utf8.count)
        XCTAssertEqual(response.header("X-Amzn-Bedrock-Input-Token-Count"), String(input))
        XCTAssertEqual(response.header("x-tollgate-model"), "test/a")
        XCTAssertEqual(response.header("x-tollgate-attempts"), "1")
        let call = try XCTUnwrap(harness.standIn.stats.calls.last)
        XCTAssertEqual(call.principal, GatewayHarness.upstreamKeyID, "signed with the model's credential set")
        XCTAssertEqual(call.model, "anthropic.claude-3-haiku-20240307-v1:0")
    }

    func testConverse() throws {
        let response = try harness.call("converse", model: "test/a")
        XCTAssertEqual(response.status, 200, response.text)
        let json = try JSONValue.parse(response.body)
        XCTAssertEqual(json["output"]?["message"]?["role"]?.stringValue, "assistant")
        XCTAssertEqual(json["usage"]?["outputTokens"]?.intValue, StandInTokens.output(StandInTokens.reply(bytes: nil)))
    }

    func testInvokeWithResponseStreamRelaysEveryFrame() throws {
        let response = try harness.call("invoke-with-response-stream", model: "test/a")
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.header("Content-Type"), "application/vnd.amazon.eventstream")
        XCTAssertEqual(response.header("Transfer-Encoding"), "chunked")
        let frames = try frames(response.body)
        XCTAssertGreaterThan(frames.count, 5)
        XCTAssertTrue(frames.allSatisfy { $0.eventType == "chunk" })
        let last = try JSONValue.parse(try XCTUnwrap(BedrockEventStream.chunkBytes(of: frames.last!)))
        XCTAssertNotNil(last["amazon-bedrock-invocationMetrics"]?["outputTokenCount"]?.intValue)
    }

    func testConverseStreamRelaysEveryEventKind() throws {
        let response = try harness.call("converse-stream", model: "test/a")
        XCTAssertEqual(response.status, 200, response.text)
        let kinds = try frames(response.body).compactMap(\.eventType)
        XCTAssertEqual(kinds.first, "messageStart")
        XCTAssertEqual(Array(kinds.suffix(3)), ["contentBlockStop", "messageStop", "metadata"])
    }

    func testStreamFramesArriveAsTheyAreProduced() throws {
        harness.standIn.script([{ var r = StandInRule(); r.dripMs = 150; return r }()])
        let client = try TestHTTPClient(port: harness.port)
        try client.send("POST /model/test%2Fa/converse-stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(GatewayHarness.clientKey)\r\nContent-Type: application/json\r\nContent-Length: \(GatewayHarness.body(for: "converse").utf8.count)\r\n\r\n\(GatewayHarness.body(for: "converse"))")
        // With 150 ms between frames, the head and first frame must arrive long before the stream's end (~2 s).
        let start = Date()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !String(decoding: received, as: UTF8.self).contains("messageStart") {
            let n = recv(client.fd, &buffer, buffer.count, 0)
            XCTAssertGreaterThan(n, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0, "the first frame was held back")
        XCTAssertEqual(harness.standIn.stats.completedStreams, 0, "the stream is still running upstream")
    }

    func testLargeBodiesBothWays() throws {
        let prompt = String(repeating: "a", count: 10 * 1024 * 1024)
        let body = #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64, "messages": [{"role": "user", "content": "\#(prompt)"}]}"#
        harness.standIn.script([{ var r = StandInRule(); r.replyBytes = 10 * 1024 * 1024; return r }()])
        let response = try harness.call("invoke", model: "test/a", body: body)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(harness.standIn.stats.calls.last?.bodyBytes, body.utf8.count)
        let text = try JSONValue.parse(response.body)["content"]?[0]?["text"]?.stringValue
        XCTAssertEqual(text?.utf8.count, 10 * 1024 * 1024)
    }

    func testBinaryImagePassthrough() throws {
        let response = try harness.call("invoke", model: "test/image", body: #"{"prompt": "a cat"}"#, headers: [("Accept", "image/png")])
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.header("Content-Type"), "image/png")
        XCTAssertEqual(Array(response.body.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(response.body.count, 70)
    }

    func testBedrockHeadersPassAndHopByHopAndCredentialsDoNot() throws {
        _ = try harness.call("invoke", model: "test/a", headers: [
            ("X-Amzn-Bedrock-Trace", "ENABLED"), ("X-Amzn-Bedrock-GuardrailIdentifier", "gr-1"),
            ("X-Amzn-Bedrock-GuardrailVersion", "2"), ("X-Amzn-Bedrock-PerformanceConfig-Latency", "optimized"),
            ("Keep-Alive", "timeout=5"), ("TE", "trailers"), ("Upgrade", "h2c"), ("Proxy-Authorization", "x"),
            // The same key again in x-api-key (a differing one is refused as conflicting credentials).
            ("x-api-key", GatewayHarness.clientKey),
        ])
        let headers = try XCTUnwrap(harness.standIn.stats.calls.last?.headers)
        func value(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        XCTAssertEqual(value("X-Amzn-Bedrock-Trace"), "ENABLED")
        XCTAssertEqual(value("X-Amzn-Bedrock-GuardrailIdentifier"), "gr-1")
        XCTAssertEqual(value("X-Amzn-Bedrock-GuardrailVersion"), "2")
        XCTAssertEqual(value("X-Amzn-Bedrock-PerformanceConfig-Latency"), "optimized")
        for name in ["Keep-Alive", "TE", "Upgrade", "Proxy-Authorization", "x-api-key"] {
            XCTAssertNil(value(name), "\(name) must not be forwarded")
        }
        XCTAssertTrue(value("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=\(GatewayHarness.upstreamKeyID)/") ?? false,
                      "the client's bearer key is replaced by Tollgate's own signature")
    }

    func testUpstreamErrorsKeepStatusTypeAndBody() throws {
        let cases: [(Int, String)] = [
            (400, "ValidationException"), (403, "AccessDeniedException"), (404, "ResourceNotFoundException"),
            (429, "ThrottlingException"), (408, "ModelTimeoutException"), (424, "ModelErrorException"),
            (503, "ServiceUnavailableException"), (500, "InternalServerException"), (400, "ServiceQuotaExceededException"),
            (429, "ModelNotReadyException"),
        ]
        for (status, type) in cases {
            harness.standIn.script([{ var r = StandInRule(); r.status = status; r.errorType = type; r.message = "scripted \(type)"; return r }()])
            // test/c has no failover target, so retryable errors come back after its retries.
            let response = try harness.call("invoke", model: "test/c")
            XCTAssertEqual(response.status, status, type)
            XCTAssertEqual(response.header("x-amzn-ErrorType")?.split(separator: ":").first.map(String.init), type)
            XCTAssertEqual(try JSONValue.parse(response.body)["message"]?.stringValue, "scripted \(type)")
        }
    }

    func testClientDisconnectCancelsTheUpstreamStream() throws {
        harness.standIn.script([{ var r = StandInRule(); r.dripMs = 100; return r }()])
        do {
            let client = try TestHTTPClient(port: harness.port)
            try client.send("POST /model/test%2Fa/converse-stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(GatewayHarness.clientKey)\r\nContent-Length: \(GatewayHarness.body(for: "converse").utf8.count)\r\n\r\n\(GatewayHarness.body(for: "converse"))")
            var buffer = [UInt8](repeating: 0, count: 4096)
            XCTAssertGreaterThan(recv(client.fd, &buffer, buffer.count, 0), 0)
        }  // the client goes away here
        XCTAssertTrue(waitUntil { self.harness.standIn.stats.clientDisconnects == 1 }, "upstream transfer not cancelled")
        XCTAssertEqual(harness.standIn.stats.completedStreams, 0)
    }

    func testSlowClientPausesTheUpstream() throws {
        harness.standIn.script([{ var r = StandInRule(); r.replyBytes = 32 * 1024 * 1024; return r }()])
        let client = try TestHTTPClient(port: harness.port)
        client.setReceiveBuffer(16 * 1024)
        try client.send("POST /model/test%2Fa/converse-stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(GatewayHarness.clientKey)\r\nContent-Length: \(GatewayHarness.body(for: "converse").utf8.count)\r\n\r\n\(GatewayHarness.body(for: "converse"))")
        // Tollgate stops reading from the stand-in (libcurl paused) once the client stops reading, so the stand-in
        // itself ends up blocked with most of the stream unsent.
        XCTAssertTrue(waitUntil(timeout: 60) { self.harness.standIn.stats.blockedStreams == 1 })
        XCTAssertLessThan(harness.standIn.stats.streamedBytes, 30 * 1024 * 1024)
        // Read the rest at full speed (a receive window below loopback's MSS would make TCP itself crawl).
        client.setReceiveBuffer(4 * 1024 * 1024)
        let response = try client.readResponse()
        guard response.status == 200 else { return XCTFail("status \(response.status): \(response.text)") }
        let text = try frames(response.body).filter { $0.eventType == "contentBlockDelta" }.reduce(0) { total, frame in
            total + (try JSONValue.parse(frame.payload)["delta"]?["text"]?.stringValue?.utf8.count ?? 0)
        }
        XCTAssertEqual(text, 32 * 1024 * 1024, "no byte lost across pauses")
    }

    func testEveryModelIDFormIsSignedCorrectly() throws {
        for model in ["anthropic.claude-3-haiku-20240307-v1:0", "test/profile-arn"] {
            let response = try harness.call("invoke", model: model)
            XCTAssertEqual(response.status, 200, "\(model): \(response.text)")
        }
        XCTAssertEqual(harness.standIn.stats.rejected, 0)
        XCTAssertEqual(harness.standIn.stats.calls.last?.model,
                       "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0")
    }
}
