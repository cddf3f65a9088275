/// A Prometheus counter family: monotonically increasing values per label set.
/// Increments take the family's lock for one dictionary update.
public final class MetricCounter: ScalarMetricFamily, @unchecked Sendable {
    /// Adds `amount` (negative amounts are ignored: counters only go up).
    public func increment(_ labels: [String] = [], by amount: Double = 1) {
        guard amount >= 0 else { return }
        update(labels) { $0 += amount }
    }

    override var typeName: String { "counter" }
}
