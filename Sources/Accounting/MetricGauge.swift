/// A Prometheus gauge family: values that go up and down per label set (in-flight requests and streams).
public final class MetricGauge: MetricFamily, @unchecked Sendable {
    private var values: [[String]: Double] = [:]

    override init(name: String, help: String, labelNames: [String]) {
        super.init(name: name, help: help, labelNames: labelNames)
        if labelNames.isEmpty { values[[]] = 0 }
    }

    /// Adds `amount` (may be negative).
    public func add(_ amount: Double, _ labels: [String] = []) {
        checkArity(labels)
        lock.lock()
        values[labels, default: 0] += amount
        lock.unlock()
    }

    /// Adds one.
    public func increment(_ labels: [String] = []) { add(1, labels) }

    /// Subtracts one.
    public func decrement(_ labels: [String] = []) { add(-1, labels) }

    /// Sets the value.
    public func set(_ value: Double, _ labels: [String] = []) {
        checkArity(labels)
        lock.lock()
        values[labels] = value
        lock.unlock()
    }

    /// The current value (0 when never set).
    public func value(_ labels: [String] = []) -> Double {
        lock.lock()
        defer { lock.unlock() }
        return values[labels] ?? 0
    }

    override var typeName: String { "gauge" }

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
