/// A Prometheus gauge family: values that go up and down per label set (in-flight requests and streams).
public final class MetricGauge: ScalarMetricFamily, @unchecked Sendable {
    /// Adds `amount` (may be negative).
    public func add(_ amount: Double, _ labels: [String] = []) { update(labels) { $0 += amount } }

    /// Adds 1.
    public func increment(_ labels: [String] = []) { add(1, labels) }

    /// Subtracts 1.
    public func decrement(_ labels: [String] = []) { add(-1, labels) }

    /// Sets the value.
    public func set(_ value: Double, _ labels: [String] = []) { update(labels) { $0 = value } }

    override var typeName: String { "gauge" }
}
