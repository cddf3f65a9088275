import XCTest
import Dispatch
import Foundation
@testable import Accounting

final class MetricsRegistryTests: XCTestCase {
    func testRenderedOutputParsesAndEscapes() throws {
        let registry = MetricsRegistry()
        let c = registry.counter("t_requests_total", help: "Requests with a \\ backslash\nand a newline.", labels: ["model", "org"])
        c.increment(["m\"1", "a\\b\nc é"])
        c.increment(["m\"1", "a\\b\nc é"], by: 2)
        c.increment(["m2", ""], by: 0.5)
        let g = registry.gauge("t_inflight", help: "In flight.")
        g.increment(); g.increment(); g.decrement()
        let h = registry.histogram("t_latency_seconds", help: "Latency.", labels: ["op"], buckets: [0.1, 1, 0.5])
        for v in [0.05, 0.1, 0.3, 0.7, 5.0] { h.observe(v, ["Converse"]) }
        XCTAssertTrue(registry.counter("t_requests_total", help: "x", labels: ["model", "org"]) === c, "registration is idempotent")

        let text = String(decoding: registry.render(), as: UTF8.self)
        let parsed = try ExpositionParser(text)
        XCTAssertEqual(parsed.types, ["t_requests_total": "counter", "t_inflight": "gauge", "t_latency_seconds": "histogram"])
        XCTAssertEqual(parsed.helps["t_requests_total"], "Requests with a \\ backslash\nand a newline.")
        XCTAssertEqual(parsed.value("t_requests_total", ["model": "m\"1", "org": "a\\b\nc é"]), 3)
        XCTAssertEqual(parsed.value("t_requests_total", ["model": "m2", "org": ""]), 0.5)
        XCTAssertEqual(parsed.value("t_inflight"), 1)
        let buckets = parsed.samples.filter { $0.name == "t_latency_seconds_bucket" }
        XCTAssertEqual(buckets.map { $0.labels["le"]! }, ["0.1", "0.5", "1", "+Inf"])
        XCTAssertEqual(buckets.map(\.value), [2, 3, 4, 5], "cumulative, le inclusive")
        XCTAssertEqual(parsed.value("t_latency_seconds_count", ["op": "Converse"]), 5)
        XCTAssertEqual(parsed.value("t_latency_seconds_sum", ["op": "Converse"])!, 6.15, accuracy: 1e-9)
        XCTAssertTrue(text.hasSuffix("\n"))
    }

    func testConcurrentIncrementsAreNotLost() {
        let registry = MetricsRegistry()
        let c = registry.counter("t_total", help: "t", labels: ["k"])
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for _ in 0..<10_000 { c.increment(["k\(i % 2)"]) }
        }
        XCTAssertEqual(c.value(["k0"]) + c.value(["k1"]), 80_000)
    }

    /// The series updated last is found without hashing; insertions in between move every index of the family.
    func testRepeatedAndInterleavedSeriesStayApart() {
        let registry = MetricsRegistry()
        let c = registry.counter("t_calls_total", help: "t", labels: ["model", "status"])
        let h = registry.histogram("t_seconds", help: "t", labels: ["op"], buckets: [1])
        let sequence = [["a", "200"], ["a", "200"], ["b", "200"], ["a", "200"], ["c", "429"], ["a", "200"], ["b", "200"]]
        for (i, labels) in sequence.enumerated() {
            c.increment(labels)
            h.observe(Double(i), [labels[0]])
        }
        XCTAssertEqual(c.value(["a", "200"]), 4)
        XCTAssertEqual(c.value(["b", "200"]), 2)
        XCTAssertEqual(c.value(["c", "429"]), 1)
        XCTAssertEqual(h.count(["a"]), 4)
        XCTAssertEqual(h.count(["b"]), 2)
        XCTAssertEqual(h.count(["c"]), 1)
        for i in 0..<50 { c.increment(["n\(i)", "200"]) }  // grows the table: every index moves
        c.increment(["a", "200"])
        c.increment(["a", "200"])
        XCTAssertEqual(c.value(["a", "200"]), 6)
        XCTAssertEqual(c.value(["n7", "200"]), 1)
    }

    func testNumberRendering() {
        XCTAssertEqual(PrometheusText.number(3), "3")
        XCTAssertEqual(PrometheusText.number(0.25), "0.25")
        XCTAssertEqual(PrometheusText.number(.infinity), "+Inf")
        XCTAssertEqual(PrometheusText.number(.nan), "NaN")
        XCTAssertEqual(ExpositionParser.float(PrometheusText.number(1e-7)), 1e-7)
        XCTAssertEqual(ExpositionParser.float(PrometheusText.number(1e20)), 1e20)
        XCTAssertFalse(PrometheusText.isValidMetricName("1abc"))
        XCTAssertFalse(PrometheusText.isValidLabelName("__reserved"))
        XCTAssertTrue(PrometheusText.isValidMetricName("a:b_c1"))
    }
}
