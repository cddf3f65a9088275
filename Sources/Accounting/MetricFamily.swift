import FoundationEssentials
import Support

/// What every metric family of a ``MetricsRegistry`` shares: a name, help text, label names, and rendering in
/// the Prometheus [text format](https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
public class MetricFamily: @unchecked Sendable {
    /// The metric name, e.g. `tollgate_requests_total`.
    public let name: String
    /// The `# HELP` text.
    public let help: String
    /// Label names, in the order values are given.
    public let labelNames: [String]
    /// Guards the family's series.
    let lock = Lock()
    /// Label-value combinations kept at most. Past it, new combinations are counted in one series whose every label
    /// is ``overflowLabel``, so no client-chosen value can grow `/metrics` (or memory) without bound.
    public let seriesLimit: Int
    /// The label value of the series that takes what is past ``seriesLimit``.
    public static let overflowLabel = "__overflow__"

    init(name: String, help: String, labelNames: [String], seriesLimit: Int = MetricsRegistry.defaultSeriesLimit) {
        precondition(PrometheusText.isValidMetricName(name), "invalid metric name \(name)")
        for label in labelNames {
            precondition(PrometheusText.isValidLabelName(label) && label != "le", "invalid label name \(label) of \(name)")
        }
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.seriesLimit = max(1, seriesLimit)
    }

    /// Under `lock`: the key to update for `labels`, given the series kept so far.
    func boundedKey<V>(_ labels: [String], in series: [[String]: V]) -> [String] {
        guard series[labels] == nil, series.count >= seriesLimit else { return labels }
        return Array(repeating: Self.overflowLabel, count: labelNames.count)
    }

    /// `counter`, `gauge` or `histogram`.
    var typeName: String { fatalError("abstract") }

    /// Appends the samples (after the HELP and TYPE lines).
    func renderSamples(into out: inout [UInt8]) { fatalError("abstract") }

    /// Appends `# HELP`, `# TYPE` and the samples.
    func render(into out: inout [UInt8]) {
        out.append(contentsOf: "# HELP \(name) ".utf8)
        PrometheusText.appendHelp(help, to: &out)
        out.append(contentsOf: "\n# TYPE \(name) \(typeName)\n".utf8)
        renderSamples(into: &out)
    }

    func checkArity(_ values: [String]) {
        precondition(values.count == labelNames.count, "\(name) takes labels \(labelNames), got \(values.count) values")
    }
}
