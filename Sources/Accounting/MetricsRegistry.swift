import FoundationEssentials
import Support

/// A small Prometheus registry: counters, gauges and histograms with labels, rendered for
/// `GET /metrics` in the [text exposition format](https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format)
/// version 0.0.4 (``contentType``). Families render in registration order.
///
/// Thread-safe: registration takes the registry's lock; each family has its own lock for its series.
public final class MetricsRegistry: @unchecked Sendable {
    /// The `Content-Type` of ``render()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Series per family kept by default (see ``MetricFamily/seriesLimit``).
    public static let defaultSeriesLimit = 10_000

    private let lock = Lock()
    private var families: [MetricFamily] = []
    /// Series per family of the families this registry makes.
    public let seriesLimit: Int

    /// An empty registry whose families keep at most `seriesLimit` series each.
    public init(seriesLimit: Int = MetricsRegistry.defaultSeriesLimit) {
        self.seriesLimit = seriesLimit
    }

    /// Registers (or returns the existing) counter `name`.
    public func counter(_ name: String, help: String, labels: [String] = []) -> MetricCounter {
        register(name) { MetricCounter(name: name, help: help, labelNames: labels, seriesLimit: seriesLimit) }
    }

    /// Registers (or returns the existing) gauge `name`.
    public func gauge(_ name: String, help: String, labels: [String] = []) -> MetricGauge {
        register(name) { MetricGauge(name: name, help: help, labelNames: labels, seriesLimit: seriesLimit) }
    }

    /// Registers (or returns the existing) histogram `name` with bucket upper bounds `buckets`.
    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = MetricHistogram.latencyBuckets) -> MetricHistogram {
        register(name) { MetricHistogram(name: name, help: help, labelNames: labels, buckets: buckets, seriesLimit: seriesLimit) }
    }

    /// Every family in the text format.
    public func render() -> [UInt8] {
        lock.lock()
        let all = families
        lock.unlock()
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        for family in all { family.render(into: &out) }
        return out
    }

    private func register<F: MetricFamily>(_ name: String, _ make: () -> F) -> F {
        lock.lock()
        defer { lock.unlock() }
        if let existing = families.first(where: { $0.name == name }) {
            guard let typed = existing as? F else { preconditionFailure("metric \(name) already registered as \(existing.typeName)") }
            return typed
        }
        let family = make()
        families.append(family)
        return family
    }
}
