import AWS
import IO
import Foundation
import XCTest
@testable import Server
import StandIn
import Support
import TestSupport

/// Usage, cost, ledger, budgets and metrics through the whole path: client → Tollgate → stand-in.
/// The harness prices every model at $3 / $15 per million input / output tokens.
final class AccountingEndToEndTests: XCTestCase {
    var harness: GatewayHarness!

    override func tearDown() { harness?.shutdown(); harness = nil }

    private func start(extraConfig: String = "") throws {
        harness = try GatewayHarness(extraConfig: extraConfig)
    }

    private func expectedCost(input: Int, output: Int) -> Money {
        Money(3).multiplied(by: input, dividedBy: 1_000_000) + Money(15).multiplied(by: output, dividedBy: 1_000_000)
    }

    private func cost(_ record: JSONValue) -> Money? {
        record["cost"]?.stringValue.flatMap { Money($0) }
    }

    func testEveryOperationRecordsWhatTheStandInReportedAndPricesIt() throws {
        try start()
        let output = StandInTokens.output(StandInTokens.reply(bytes: nil))
        for operation in ["invoke", "converse", "invoke-with-response-stream", "converse-stream"] {
            let response = try harness.call(operation, model: "test/a")
            XCTAssertEqual(response.status, 200, operation)
        }
        let records = try harness.ledgerRecords(count: 4)
        XCTAssertEqual(records.count, 4)
        // Matched by operation, not by line: calls on different event loops may reach the ledger in either order
        // (a client can have the whole answer a moment before its loop appends the record).
        let actions = ["invoke": "InvokeModel", "converse": "Converse",
                       "invoke-with-response-stream": "InvokeModelWithResponseStream", "converse-stream": "ConverseStream"]
        XCTAssertEqual(Set(records.compactMap { $0["operation"]?.stringValue }), Set(actions.values))
        for (operation, action) in actions {
            guard let record = records.first(where: { $0["operation"]?.stringValue == action }) else { continue }
            let input = StandInTokens.input(bodyBytes: GatewayHarness.body(for: operation).utf8.count)
            XCTAssertEqual(record["tokens"]?["input"]?.intValue, input, operation)
            XCTAssertEqual(record["tokens"]?["output"]?.intValue, output, operation)
            XCTAssertEqual(record["partial"]?.boolValue, false, operation)
            XCTAssertEqual(record["key_id"]?.stringValue, "client")
            XCTAssertEqual(record["org"]?.stringValue, "t")
            XCTAssertEqual(record["answering_model"]?.stringValue, "test/a")
            XCTAssertEqual(record["status"]?.intValue, 200)
            XCTAssertEqual(cost(record), expectedCost(input: input, output: output), operation)
            XCTAssertEqual(record["currency"]?.stringValue, "USD")
        }
    }

    func testCacheTokensArePricedOnceAndReadFromTheAnswer() throws {
        try start()
        harness.standIn.script([{ var r = StandInRule(); r.cacheReadTokens = 1000; r.cacheWriteTokens = 500; return r }()])
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 200)
        XCTAssertEqual(try harness.call("converse-stream", model: "test/a").status, 200)
        let records = try harness.ledgerRecords(count: 2)
        XCTAssertEqual(records.map { $0["tokens"]?["cache_read"]?.intValue }, [1000, 1000])
        let invoke = records.first { $0["operation"]?.stringValue == "InvokeModel" }
        XCTAssertEqual(invoke?["tokens"]?["cache_write_5m"]?.intValue, 500)
    }

    func testStreamCutByTheClientIsRecordedAsPartial() throws {
        try start()
        harness.standIn.script([{ var r = StandInRule(); r.dripMs = 100; return r }()])
        do {
            let client = try TestHTTPClient(port: harness.port)
            let body = GatewayHarness.body(for: "invoke")
            try client.send("POST /model/test%2Fa/invoke-with-response-stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(GatewayHarness.clientKey)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            var buffer = [UInt8](repeating: 0, count: 4096)
            XCTAssertGreaterThan(recv(client.fd, &buffer, buffer.count, 0), 0)
        }
        XCTAssertTrue(waitUntil { ((try? self.harness.ledgerRecords()) ?? []).count == 1 })
        let record = try XCTUnwrap(try harness.ledgerRecords().first)
        XCTAssertEqual(record["partial"]?.boolValue, true)
        // Anthropic's message_start reported the input tokens before the cut: they are kept.
        XCTAssertEqual(record["tokens"]?["input"]?.intValue, StandInTokens.input(bodyBytes: GatewayHarness.body(for: "invoke").utf8.count))
    }

    func testStreamBrokenUpstreamEndsWithAnExceptionFrameAndAPartialRecord() throws {
        try start()
        harness.standIn.script([{ var r = StandInRule(); r.exceptionAfterFrames = 3; return r }()])
        let response = try harness.call("invoke-with-response-stream", model: "test/a")
        XCTAssertEqual(response.status, 200)
        var decoder = EventStreamDecoder()
        decoder.append(response.body)
        var frames: [EventStreamMessage] = []
        while let frame = try decoder.next() { frames.append(frame) }
        XCTAssertEqual(frames.count, 4)
        XCTAssertEqual(frames.last?.messageType, "exception")
        XCTAssertEqual(harness.standIn.stats.calls.count, 1, "no failover once bytes reached the client")
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).first)
        XCTAssertEqual(record["partial"]?.boolValue, true)
    }

    func testFailoverIsPricedOnTheAnsweringModelAndRecordsEveryAttempt() throws {
        try start()
        var rule = StandInRule()
        rule.model = "anthropic.claude-3-haiku-20240307-v1:0"
        rule.status = 503
        rule.errorType = "ServiceUnavailableException"
        harness.standIn.script([rule])
        let response = try harness.call("invoke", model: "test/a")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("x-tollgate-model"), "test/b")
        XCTAssertEqual(response.header("x-tollgate-attempts"), "3")
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).first)
        XCTAssertEqual(record["requested_model"]?.stringValue, "test/a")
        XCTAssertEqual(record["answering_model"]?.stringValue, "test/b")
        XCTAssertEqual(record["attempts"]?.arrayValue?.map { $0["outcome"]?.stringValue ?? "" },
                       ["ServiceUnavailableException", "ServiceUnavailableException", "ok"])
    }

    func testRefusedCallsAreRecordedAtNoCost() throws {
        try start()
        XCTAssertEqual(try harness.call("invoke", model: "nope").status, 404)
        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).first)
        XCTAssertEqual(record["status"]?.intValue, 404)
        XCTAssertEqual(cost(record), 0)
        XCTAssertEqual(record["answering_model"], .null)
    }

    func testRateLimitRejectsBeforeAnythingIsSentUpstream() throws {
        try start(extraConfig: #""budgets": {"keys": {"client": {"requests_per_minute": 2}}},"#)
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 200)
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 200)
        let third = try harness.call("invoke", model: "test/a")
        XCTAssertEqual(third.status, 429)
        XCTAssertEqual(third.header("x-amzn-ErrorType")?.hasPrefix("ThrottlingException"), true)
        XCTAssertTrue(third.text.contains("requests per minute"), third.text)
        XCTAssertNotNil(third.header("Retry-After"))
        XCTAssertEqual(harness.standIn.stats.calls.count, 2)
        // Another key of another org is not affected.
        XCTAssertEqual(try harness.call("invoke", model: "test/a", key: GatewayHarness.acmeKey).status, 200)
    }

    func testSpendBudgetStopsSpendingAndCountsAfterARestart() throws {
        // One call costs 27·3/1e6 + 9·15/1e6 = $0.000216; a budget of $0.0004 admits two calls.
        try start(extraConfig: #""budgets": {"orgs": {"t": {"daily_spend": "0.0004"}}},"#)
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 200)
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 200)
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 429)
        // A new gateway on the same ledger remembers today's spend.
        try harness.restartGateway()
        XCTAssertEqual(try harness.call("invoke", model: "test/a").status, 429)
    }

    func testUsageReportsAndMetrics() throws {
        try start()
        _ = try harness.call("invoke", model: "test/a")
        _ = try harness.call("converse", model: "test/c")
        _ = try harness.call("invoke", model: "test/a", key: GatewayHarness.acmeKey)
        XCTAssertEqual(try harness.ledgerRecords(count: 3).count, 3)
        let client = try TestHTTPClient(port: harness.port)
        let byModel = try client.request("GET", "/v1/usage?group_by=model", headers: [("Authorization", "Bearer \(GatewayHarness.adminKey)")])
        XCTAssertEqual(byModel.status, 200, byModel.text)
        let report = try JSONValue.parse(byModel.body)
        XCTAssertEqual(report["total"]?["requests"]?.intValue, 3, byModel.text)
        let groups = report["groups"]?.arrayValue?.compactMap { $0["group"]?.stringValue } ?? []
        XCTAssertEqual(Set(groups), ["test/a", "test/c"])
        XCTAssertEqual(try client.request("GET", "/v1/usage", headers: [("Authorization", "Bearer \(GatewayHarness.clientKey)")]).status, 403)
        let mine = try client.request("GET", "/v1/usage/self", headers: [("Authorization", "Bearer \(GatewayHarness.acmeKey)")])
        XCTAssertEqual(try JSONValue.parse(mine.body)["total"]?["requests"]?.intValue, 1, mine.text)
        XCTAssertEqual(try client.request("GET", "/v1/usage?group_by=colour", headers: [("Authorization", "Bearer \(GatewayHarness.adminKey)")]).status, 400)

        let metrics = try client.request("GET", "/metrics", headers: [("Authorization", "Bearer \(GatewayHarness.adminKey)")])
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") ?? false)
        for line in metrics.text.split(separator: "\n") where !line.hasPrefix("#") {
            // name{labels} value — the sample grammar of the text format.
            XCTAssertNotNil(line.range(of: #"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+Inf-]+$"#, options: .regularExpression), String(line))
        }
        XCTAssertTrue(metrics.text.contains("tollgate_requests_total{"), metrics.text)
    }

    func testLedgerHasEveryRecordAfterShutdownUnderLoad() throws {
        try start()
        let clients = 8, perClient = 25
        let failures = Locked(0)
        nonisolated(unsafe) let harness = self.harness!
        DispatchQueue.concurrentPerform(iterations: clients) { _ in
            guard let client = try? TestHTTPClient(port: harness.port) else { failures.withLock { $0 += 1 }; return }
            for _ in 0..<perClient {
                if (try? harness.call("invoke", model: "test/a", client: client))?.status != 200 { failures.withLock { $0 += 1 } }
            }
        }
        XCTAssertEqual(failures.get(), 0)
        harness.stopGateway()
        XCTAssertEqual(try harness.ledgerRecords().count, clients * perClient)
    }
}
