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
        snapshotVersion = registry.makeGauge(name: "nearcast_snapshot_version",
                                             help: "Version of the snapshot DNS answers from; rises with every change served")
        zones = registry.makeGauge(name: "nearcast_zones", help: "Zones served (config file and hosted zones)")
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
                    name: "nearcast_health_check_healthy", labels: [("health_check_id", id)],
                    help: "1 when the health check's decided status is healthy, else 0")
                gauges[id] = gauge
                gauge.set(to: healthy ? 1 : 0)
            }
        }
        for change in changed {
            registry.makeCounter(name: "nearcast_health_check_transitions_total",
                                 labels: [("health_check_id", change.id), ("to", change.healthy ? "healthy" : "unhealthy")],
                                 help: "Decided status changes of each health check").increment()
        }
    }

    /// The exposition text.
    func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
