import Authority
import NIOConcurrencyHelpers
import Prometheus

/// The node's metrics in Prometheus's text format, served at `/metrics`
/// on the API listener.
///
/// Invariant: one gauge per existing health check; a deleted check's
/// gauge is unregistered, so the exposition never shows stale checks.
final class NodeMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let snapshotVersion: Gauge
    private let zones: Gauge
    private let healthGauges = NIOLockedValueBox<[String: Gauge]>([:])

    init() {
        snapshotVersion = registry.makeGauge(descriptor: .init("nearcast_snapshot_version",
                                             help: "Version of the snapshot DNS answers from; rises with every change served"))
        zones = registry.makeGauge(descriptor: .init("nearcast_zones", help: "Zones served (config file and hosted zones)"))
    }

    /// Records a newly published snapshot.
    func published(version: UInt64, zoneCount: Int) {
        snapshotVersion.set(to: Double(version))
        zones.set(to: Double(zoneCount))
    }

    /// Records health check statuses (id → healthy) and status changes.
    func health(_ statuses: [String: Bool], changed: [(id: String, healthy: Bool)]) {
        healthGauges.withLockedValue { gauges in
            for (id, gauge) in gauges where statuses[id] == nil {
                registry.unregisterGauge(gauge)
                gauges[id] = nil
            }
            for (id, healthy) in statuses {
                let gauge = gauges[id] ?? registry.makeGauge(
                    descriptor: .init("nearcast_health_check_healthy", help: "1 when the health check's decided status is healthy, else 0"),
                    labels: [("health_check_id", id)])
                gauges[id] = gauge
                gauge.set(to: healthy ? 1 : 0)
            }
        }
        for change in changed {
            registry.makeCounter(descriptor: .init("nearcast_health_check_transitions_total", help: "Decided status changes of each health check"),
                                 labels: [("health_check_id", change.id), ("to", change.healthy ? "healthy" : "unhealthy")]).increment()
        }
    }

    /// The latency learning's metrics, registered on first use (a node
    /// without learning shows none).
    func latency() -> LatencyMetrics { LatencyMetrics(registry) }

    /// The exposition text, with the DNS listeners' query counts per transport.
    func render(queries: [(transport: String, counts: QueryCounts)]) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self) + Self.exposition(queries)
    }

    /// The query counters in Prometheus's text format. They are summed from
    /// the answering threads' own counters at each scrape (the query path
    /// touches no shared counter), so they are written here rather than
    /// registered.
    static func exposition(_ queries: [(transport: String, counts: QueryCounts)]) -> String {
        let rcodeNames = QueryCounters.rcodes.map(\.description) + ["other"]
        var text = "# HELP nearcast_dns_responses_total DNS responses sent, by transport and RCODE\n"
            + "# TYPE nearcast_dns_responses_total counter\n"
        for (transport, counts) in queries {
            for (rcode, count) in zip(rcodeNames, counts.responses) {
                text += "nearcast_dns_responses_total{transport=\"\(transport)\",rcode=\"\(rcode)\"} \(count)\n"
            }
        }
        let others: [(name: String, help: String, value: KeyPath<QueryCounts, UInt64>)] = [
            ("nearcast_dns_truncated_total", "Responses sent truncated (TC set: the answer did not fit the client's UDP size)", \.truncated),
            ("nearcast_dns_answer_cache_hits_total", "Responses whose sections came from the answering thread's answer cache", \.fromCache),
            ("nearcast_dns_dropped_total", "Requests dropped without a response (shorter than a header, or a response rather than a query)", \.dropped),
        ]
        for metric in others {
            text += "# HELP \(metric.name) \(metric.help)\n# TYPE \(metric.name) counter\n"
            for (transport, counts) in queries {
                text += "\(metric.name){transport=\"\(transport)\"} \(counts[keyPath: metric.value])\n"
            }
        }
        return text
    }
}

/// What the latency learning kept and built, for /metrics.
struct LatencyMetrics: Sendable {
    private let measurements: Counter
    private let builds: Counter
    private let buckets: Gauge
    private let ranges: Gauge
    private let rankings: Gauge
    private let buildSeconds: Gauge
    private let builtAt: Gauge

    fileprivate init(_ registry: PrometheusCollectorRegistry) {
        measurements = registry.makeCounter(descriptor: .init("nearcast_latency_measurements_total",
                                            help: "Measurements kept (logged, then learned) since the node started"))
        builds = registry.makeCounter(descriptor: .init("nearcast_latency_map_builds_total", help: "Latency maps built and published"))
        buckets = registry.makeGauge(descriptor: .init("nearcast_latency_map_buckets", help: "Measured network buckets the last map was built from"))
        ranges = registry.makeGauge(descriptor: .init("nearcast_latency_map_ranges", help: "Address ranges of the last map (both families)"))
        rankings = registry.makeGauge(descriptor: .init("nearcast_latency_map_rankings", help: "Distinct region rankings in the last map"))
        buildSeconds = registry.makeGauge(descriptor: .init("nearcast_latency_map_build_seconds", help: "How long the last map build took"))
        builtAt = registry.makeGauge(descriptor: .init("nearcast_latency_map_built_timestamp_seconds",
                                     help: "When the last map was built (Unix time): its data is as of then"))
    }

    func kept(_ count: Int) { measurements.increment(by: Int64(count)) }

    func built(_ report: LatencyService.BuildReport) {
        builds.increment()
        buckets.set(to: Double(report.buckets))
        ranges.set(to: Double(report.ranges))
        rankings.set(to: Double(report.rankings))
        buildSeconds.set(to: Double(report.buildMs) / 1000)
        builtAt.set(to: Double(report.builtAtMs) / 1000)
    }
}

private extension MetricNameDescriptor {
    /// A metric named in full (no namespace or unit parts), with its help text.
    init(_ name: String, help: String) { self.init(metricName: name, unitName: "", helpText: help) }
}
