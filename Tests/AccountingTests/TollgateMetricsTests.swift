import XCTest
@testable import Accounting

final class TollgateMetricsTests: XCTestCase {
    func testTollgateSeriesParseAndCountRecords() throws {
        let metrics = TollgateMetrics()
        var r = RecordFixtures.record(1, cost: "0.25")
        r.usage = Usage(input: 10, output: 5, cacheWrite1h: 3, images: 1, partial: true)
        r.operation = .converseStream
        metrics.record(r)
        metrics.record(RecordFixtures.record(2, org: nil))
        metrics.rejected(GateRejection(scope: .org, subject: "acme", gate: .dailySpend, limit: "10", retryAfterSeconds: 5))
        metrics.observeUpstream(operation: "InvokeModel", latencySeconds: 0.2, ttfbSeconds: 0.05)
        metrics.failovers.increment(["a", "b"])
        metrics.catalogueReloads.increment()
        metrics.inFlightStreams.increment()

        let parsed = try ExpositionParser(String(decoding: metrics.render(), as: UTF8.self))
        for name in ["tollgate_requests_total", "tollgate_tokens_total", "tollgate_cost_total", "tollgate_upstream_latency_seconds",
                     "tollgate_upstream_ttfb_seconds", "tollgate_inflight_requests", "tollgate_inflight_streams", "tollgate_failovers_total",
                     "tollgate_budget_rejections_total", "tollgate_catalogue_reloads_total", "tollgate_catalogue_reload_errors_total"] {
            XCTAssertNotNil(parsed.types[name], name)
        }
        let model = "anthropic.claude-3-haiku"
        XCTAssertEqual(parsed.value("tollgate_requests_total", ["model": model, "org": "acme", "status": "200", "operation": "ConverseStream"]), 1)
        XCTAssertEqual(parsed.value("tollgate_requests_total", ["model": model, "org": "", "status": "200", "operation": "InvokeModel"]), 1)
        XCTAssertEqual(parsed.value("tollgate_tokens_total", ["model": model, "kind": "input"]), 110)
        XCTAssertEqual(parsed.value("tollgate_tokens_total", ["model": model, "kind": "cache_write_1h"]), 3)
        XCTAssertEqual(parsed.value("tollgate_tokens_total", ["model": model, "kind": "images"]), 1)
        XCTAssertEqual(parsed.value("tollgate_cost_total", ["currency": "USD"]), 0.250375)
        XCTAssertEqual(parsed.value("tollgate_partial_usage_total", ["operation": "ConverseStream"]), 1)
        XCTAssertEqual(parsed.value("tollgate_budget_rejections_total", ["scope": "org", "gate": "daily_spend"]), 1)
        XCTAssertEqual(parsed.value("tollgate_upstream_ttfb_seconds_count", ["operation": "InvokeModel"]), 1)
        XCTAssertEqual(parsed.value("tollgate_catalogue_reload_errors_total"), 0)
        XCTAssertEqual(parsed.value("tollgate_inflight_streams"), 1)
    }

    /// Client-chosen ids that name no catalogue model share one `unknown` series: 2,000 made-up ids add one series,
    /// not 2,000, and `/metrics` does not grow with them.
    func testRequestedIDsOutsideTheCatalogueAreLabelledUnknown() throws {
        let metrics = TollgateMetrics(modelLabel: { $0 == "known/model" ? $0 : TollgateMetrics.unknownModel })
        for i in 0..<2_000 {
            var rejected = RecordFixtures.record(i, model: "probe-\(i)")
            rejected.answeringModel = nil
            rejected.status = 404
            metrics.record(rejected)
        }
        var known = RecordFixtures.record(1, model: "known/model")
        known.answeringModel = nil
        known.status = 429
        metrics.record(known)
        let text = String(decoding: metrics.render(), as: UTF8.self)
        let parsed = try ExpositionParser(text)
        XCTAssertEqual(parsed.value("tollgate_requests_total", ["model": "unknown", "org": "acme", "status": "404", "operation": "InvokeModel"]), 2_000)
        XCTAssertEqual(parsed.value("tollgate_requests_total", ["model": "known/model", "org": "acme", "status": "429", "operation": "InvokeModel"]), 1)
        XCTAssertFalse(text.contains("probe-"))
        XCTAssertLessThan(text.utf8.count, 8_192)
    }

    /// Every family keeps at most its series limit; what is past it is counted in the overflow series.
    func testEveryFamilyKeepsAtMostItsSeriesLimit() throws {
        let registry = MetricsRegistry(seriesLimit: 10)
        let counter = registry.counter("test_total", help: "t", labels: ["a", "b"])
        let histogram = registry.histogram("test_seconds", help: "t", labels: ["a"])
        for i in 0..<50 {
            counter.increment(["x\(i)", "y"])
            histogram.observe(0.01, ["x\(i)"])
        }
        counter.increment(["x0", "y"])
        let parsed = try ExpositionParser(String(decoding: registry.render(), as: UTF8.self))
        XCTAssertEqual(parsed.value("test_total", ["a": "x0", "b": "y"]), 2)
        XCTAssertEqual(parsed.value("test_total", ["a": "__overflow__", "b": "__overflow__"]), 40)
        XCTAssertEqual(parsed.value("test_seconds_count", ["a": "__overflow__"]), 40)
        XCTAssertEqual(parsed.samples.filter { $0.name == "test_total" }.count, 11)
    }
}
