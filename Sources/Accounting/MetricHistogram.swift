/// A Prometheus histogram family: per label set, counts of observations at or below each bucket bound, plus
/// `_sum` and `_count` ([histograms](https://prometheus.io/docs/concepts/metric_types/#histogram)).
public final class MetricHistogram: MetricFamily, @unchecked Sendable {
    private struct Series {
        var counts: [UInt64]
        var sum = 0.0
        var count: UInt64 = 0
    }

    /// Default latency buckets in seconds (5 ms … 60 s).
    public static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    /// Upper bounds, ascending (the `+Inf` bucket is implicit).
    public let buckets: [Double]
    private var series: [[String]: Series] = [:]
    /// The series observed last and its index in `series` (valid until the next insertion, which clears it).
    private var last: (labels: [String], index: Dictionary<[String], Series>.Index)?

    init(name: String, help: String, labelNames: [String], buckets: [Double], seriesLimit: Int = MetricsRegistry.defaultSeriesLimit) {
        let sorted = Array(Set(buckets.filter { $0.isFinite })).sorted()
        precondition(!sorted.isEmpty, "\(name) needs at least one finite bucket")
        self.buckets = sorted
        super.init(name: name, help: help, labelNames: labelNames, seriesLimit: seriesLimit)
        if labelNames.isEmpty { series[[]] = Series(counts: Array(repeating: 0, count: sorted.count + 1)) }
    }

    /// Records one observation.
    public func observe(_ value: Double, _ labels: [String] = []) {
        checkArity(labels)
        var index = buckets.count
        for (i, bound) in buckets.enumerated() where value <= bound {
            index = i
            break
        }
        lock.lock()
        let slot: Dictionary<[String], Series>.Index
        if let last, last.labels == labels {
            slot = last.index  // no hashing for the series observed last (see ScalarMetricFamily.update)
        } else if let existing = series.index(forKey: labels) {
            slot = existing
            last = (labels, existing)
        } else {
            let key = boundedKey(labels, in: series)
            if series[key] == nil { series[key] = Series(counts: Array(repeating: 0, count: buckets.count + 1)) }
            slot = series.index(forKey: key)!
            last = nil
        }
        series.values[slot].counts[index] += 1
        series.values[slot].sum += value
        series.values[slot].count += 1
        lock.unlock()
    }

    /// Observations recorded for a label set.
    public func count(_ labels: [String] = []) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return series[labels]?.count ?? 0
    }

    override var typeName: String { "histogram" }

    override func renderSamples(into out: inout [UInt8]) {
        lock.lock()
        let snapshot = series.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        lock.unlock()
        for (labels, s) in snapshot {
            var cumulative: UInt64 = 0
            for (i, count) in s.counts.enumerated() {
                cumulative += count
                let le = i < buckets.count ? PrometheusText.number(buckets[i]) : "+Inf"
                out.append(contentsOf: "\(name)_bucket".utf8)
                PrometheusText.appendLabels(labelNames, labels, extra: ("le", le), to: &out)
                out.append(contentsOf: " \(cumulative)\n".utf8)
            }
            out.append(contentsOf: "\(name)_sum".utf8)
            PrometheusText.appendLabels(labelNames, labels, to: &out)
            out.append(contentsOf: " \(PrometheusText.number(s.sum))\n".utf8)
            out.append(contentsOf: "\(name)_count".utf8)
            PrometheusText.appendLabels(labelNames, labels, to: &out)
            out.append(contentsOf: " \(s.count)\n".utf8)
        }
    }
}
