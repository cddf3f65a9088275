/// A Prometheus counter family: monotonically increasing values per label set.
/// Increments take the family's lock for one dictionary update.
public final class MetricCounter: MetricFamily, @unchecked Sendable {
    private var values: [[String]: Double] = [:]

    override init(name: String, help: String, labelNames: [String]) {
        super.init(name: name, help: help, labelNames: labelNames)
        if labelNames.isEmpty { values[[]] = 0 }
    }

    /// Adds `amount` (non-negative) to the series with `labels` (values in ``MetricFamily/labelNames`` order).
    public func increment(_ labels: [String] = [], by amount: Double = 1) {
        checkArity(labels)
        guard amount >= 0 else { return }
        lock.lock()
        values[labels, default: 0] += amount
        lock.unlock()
    }

    /// The current value of a series (0 when never incremented).
    public func value(_ labels: [String] = []) -> Double {
        lock.lock()
        defer { lock.unlock() }
        return values[labels] ?? 0
    }

    override var typeName: String { "counter" }

    override func renderSamples(into out: inout [UInt8]) {
        lock.lock()
        let snapshot = values.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        lock.unlock()
        for (labels, value) in snapshot {
            out.append(contentsOf: name.utf8)
            PrometheusText.appendLabels(labelNames, labels, to: &out)
            out.append(contentsOf: " \(PrometheusText.number(value))\n".utf8)
        }
    }
}
