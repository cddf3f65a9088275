/// The storage and exposition shared by counters and gauges: one number per label-value combination.
/// Thread-safe through the family's lock.
public class ScalarMetricFamily: MetricFamily, @unchecked Sendable {
    private var values: [[String]: Double] = [:]
    /// The series updated last and its index in `values` (valid until the next insertion, which clears it).
    private var last: (labels: [String], index: Dictionary<[String], Double>.Index)?

    override init(name: String, help: String, labelNames: [String], seriesLimit: Int = MetricsRegistry.defaultSeriesLimit) {
        super.init(name: name, help: help, labelNames: labelNames, seriesLimit: seriesLimit)
        if labelNames.isEmpty { values[[]] = 0 }
    }

    /// Applies `change` to the value for `labels` (0 when new), under the lock.
    func update(_ labels: [String], _ change: (inout Double) -> Void) {
        checkArity(labels)
        lock.lock()
        // The series updated last is found by comparing labels (no hashing: steady traffic repeats its labels); else
        // one hash for a series that exists, and an insertion (which moves every index) for a new one.
        if let last, last.labels == labels {
            change(&values.values[last.index])
        } else if let index = values.index(forKey: labels) {
            change(&values.values[index])
            last = (labels, index)
        } else {
            change(&values[boundedKey(labels, in: values), default: 0])
            last = nil
        }
        lock.unlock()
    }

    /// The current value for `labels` (0 when never set).
    public func value(_ labels: [String] = []) -> Double {
        lock.lock()
        defer { lock.unlock() }
        return values[labels] ?? 0
    }

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
