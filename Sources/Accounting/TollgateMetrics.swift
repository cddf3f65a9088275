import FoundationEssentials

/// The named series Tollgate serves at `GET /metrics`, registered on one ``MetricsRegistry``:
///
/// | series | type | labels |
/// | --- | --- | --- |
/// | `tollgate_requests_total` | counter | `model`, `org`, `status`, `operation` |
/// | `tollgate_tokens_total` | counter | `model`, `kind` (``Usage/Kind`` names; `images` counts images) |
/// | `tollgate_cost_total` | counter | `currency` (a float: the ledger holds the exact amounts) |
/// | `tollgate_partial_usage_total` | counter | `operation` |
/// | `tollgate_upstream_latency_seconds` | histogram | `operation` |
/// | `tollgate_upstream_ttfb_seconds` | histogram | `operation` |
/// | `tollgate_inflight_requests`, `tollgate_inflight_streams` | gauge | — |
/// | `tollgate_failovers_total` | counter | `from`, `to` |
/// | `tollgate_budget_rejections_total` | counter | `scope`, `gate` |
/// | `tollgate_catalogue_reloads_total`, `tollgate_catalogue_reload_errors_total` | counter | — |
/// | `tollgate_ledger_write_errors_total` | counter | — |
/// | `tollgate_ledger_writing` | gauge | — (1 while the ledger writes, 0 while it fails) |
/// | `tollgate_ledger_backlog_bytes` | gauge | — (records waiting for the disk, as of the last commit) |
/// | `tollgate_ledger_dropped_records_total` | counter | `reason` (each one also logged whole) |
/// | `tollgate_ledger_refusals_total` | counter | — (runtime calls refused while the ledger is past its bound) |
///
/// `model` is the answering model, or the requested one when none answered — and then only if it names a catalogue
/// model (``modelLabel``); any other client-chosen id is `unknown`, so probing with made-up ids adds no series.
/// `org` is empty for keys without one. Every family keeps at most ``MetricsRegistry/seriesLimit`` series.
public final class TollgateMetrics: Sendable {
    /// The registry rendered by `GET /metrics`.
    public let registry: MetricsRegistry
    /// `tollgate_requests_total{model,org,status,operation}`.
    public let requests: MetricCounter
    /// `tollgate_tokens_total{model,kind}`.
    public let tokens: MetricCounter
    /// `tollgate_cost_total{currency}`.
    public let cost: MetricCounter
    /// `tollgate_partial_usage_total{operation}`.
    public let partialUsage: MetricCounter
    /// `tollgate_upstream_latency_seconds{operation}`.
    public let upstreamLatency: MetricHistogram
    /// `tollgate_upstream_ttfb_seconds{operation}`.
    public let upstreamTTFB: MetricHistogram
    /// `tollgate_inflight_requests`.
    public let inFlightRequests: MetricGauge
    /// `tollgate_inflight_streams`.
    public let inFlightStreams: MetricGauge
    /// `tollgate_failovers_total{from,to}`.
    public let failovers: MetricCounter
    /// `tollgate_budget_rejections_total{scope,gate}`.
    public let budgetRejections: MetricCounter
    /// `tollgate_catalogue_reloads_total`.
    public let catalogueReloads: MetricCounter
    /// `tollgate_catalogue_reload_errors_total`.
    public let catalogueReloadErrors: MetricCounter
    /// `tollgate_ledger_write_errors_total`.
    public let ledgerWriteErrors: MetricCounter
    /// `tollgate_ledger_writing`.
    public let ledgerWriting: MetricGauge
    /// `tollgate_ledger_backlog_bytes`.
    public let ledgerBacklogBytes: MetricGauge
    /// `tollgate_ledger_dropped_records_total{reason}`.
    public let ledgerDroppedRecords: MetricCounter
    /// `tollgate_ledger_refusals_total`.
    public let ledgerRefusals: MetricCounter
    /// The `model` label for a requested id no model answered: the catalogue id it names, or `unknown`.
    let modelLabel: @Sendable (String) -> String

    /// The label of a requested model that is not in the catalogue.
    public static let unknownModel = "unknown"

    /// Registers the series on `registry` (a fresh one by default). `modelLabel` maps a requested model id to its
    /// label: the catalogue id it names, or ``unknownModel``.
    public init(registry: MetricsRegistry = MetricsRegistry(),
                modelLabel: @escaping @Sendable (String) -> String = { _ in TollgateMetrics.unknownModel }) {
        self.registry = registry
        self.modelLabel = modelLabel
        requests = registry.counter("tollgate_requests_total", help: "Runtime requests answered, by model, org, status and operation.",
                                    labels: ["model", "org", "status", "operation"])
        tokens = registry.counter("tollgate_tokens_total", help: "Tokens (and images) used, by model and kind.", labels: ["model", "kind"])
        cost = registry.counter("tollgate_cost_total", help: "Cost of answered requests, by currency.", labels: ["currency"])
        partialUsage = registry.counter("tollgate_partial_usage_total",
                                        help: "Requests whose usage is partial (stream ended before its final usage report).",
                                        labels: ["operation"])
        upstreamLatency = registry.histogram("tollgate_upstream_latency_seconds", help: "Upstream time from request sent to answer complete.",
                                             labels: ["operation"])
        upstreamTTFB = registry.histogram("tollgate_upstream_ttfb_seconds", help: "Upstream time to the first response byte.",
                                          labels: ["operation"])
        inFlightRequests = registry.gauge("tollgate_inflight_requests", help: "Runtime requests in progress.")
        inFlightStreams = registry.gauge("tollgate_inflight_streams", help: "Streamed answers in progress.")
        failovers = registry.counter("tollgate_failovers_total", help: "Failovers from one model to another.", labels: ["from", "to"])
        budgetRejections = registry.counter("tollgate_budget_rejections_total", help: "Requests refused by a budget or rate limit.",
                                            labels: ["scope", "gate"])
        catalogueReloads = registry.counter("tollgate_catalogue_reloads_total", help: "Catalogue snapshots loaded.")
        catalogueReloadErrors = registry.counter("tollgate_catalogue_reload_errors_total", help: "Catalogue reloads that failed.")
        ledgerWriteErrors = registry.counter("tollgate_ledger_write_errors_total", help: "Ledger commits that failed.")
        ledgerWriting = registry.gauge("tollgate_ledger_writing", help: "1 while the usage ledger writes, 0 while its disk fails.")
        ledgerWriting.set(1)
        ledgerBacklogBytes = registry.gauge("tollgate_ledger_backlog_bytes", help: "Usage records waiting for the disk, in bytes.")
        ledgerDroppedRecords = registry.counter("tollgate_ledger_dropped_records_total",
                                                help: "Usage records that could not be kept and were written to the error log instead.",
                                                labels: ["reason"])
        ledgerRefusals = registry.counter("tollgate_ledger_refusals_total",
                                          help: "Runtime calls refused because the usage ledger could not write.")
    }

    /// Counts a finished request from its ledger record: requests, tokens by kind, cost, partial usage.
    public func record(_ record: UsageRecord) {
        let model = record.answeringModel ?? modelLabel(record.requestedModel)
        let operation = record.operationName
        requests.increment([model, record.org ?? "", String(record.status), operation])
        for kind in Usage.Kind.allCases {
            let n = record.usage[kind]
            if n > 0 { tokens.increment([model, kind.rawValue], by: Double(n)) }
        }
        if record.cost > 0 { cost.increment([record.currency], by: record.cost.doubleValue) }
        if record.partial { partialUsage.increment([operation]) }
    }

    /// Counts a budget or rate-limit rejection.
    public func rejected(_ rejection: GateRejection) {
        budgetRejections.increment([rejection.scope.rawValue, rejection.gate.rawValue])
    }

    /// Observes one upstream attempt's timings.
    public func observeUpstream(operation: String, latencySeconds: Double, ttfbSeconds: Double?) {
        upstreamLatency.observe(latencySeconds, [operation])
        if let ttfbSeconds { upstreamTTFB.observe(ttfbSeconds, [operation]) }
    }

    /// The `GET /metrics` body.
    public func render() -> [UInt8] { registry.render() }
}
