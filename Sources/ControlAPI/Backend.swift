import Authority
import DNSWire
import LatencyModel
import Route53Model
import Store

/// What the API needs from the running node besides the store.
public protocol Route53Backend: Sendable {
    var store: Store { get }
    /// The name servers a new hosted zone is delegated to (its NS and SOA).
    var nameServers: [DomainName] { get }
    /// The regions latency record sets may name.
    var catalog: RegionCatalog { get }
    /// The snapshot DNS currently answers from.
    var snapshot: Snapshot { get }
    /// A config-file zone at, above or below `name`, if any: such a name
    /// cannot be a hosted zone.
    func configZone(overlapping name: DomainName) -> DomainName?
    /// Compiles a hosted zone's record sets into DNS data, or says why not.
    func compile(_ zone: HostedZone, _ sets: [ResourceRecordSet]) -> Result<Zone, Route53Error>
    /// Runs `write` (one store transaction returning the store version it
    /// committed and the zones it changed: compiled, or nil when deleted)
    /// and starts serving those zones. Writes run one at a time, so zones
    /// are served in commit order.
    func commit<T>(_ write: () throws -> (value: T, version: UInt64, zones: [String: Zone?])) throws -> T
    /// True once every DNS listener serves data of store `version` or later.
    func isServing(version: UInt64) -> Bool
    /// Whether health checks of private, loopback and other special-use
    /// addresses are refused, as Route 53 refuses them.
    var restrictPrivateHealthCheckAddresses: Bool { get }
    /// Called after a health check was created, updated or deleted (the
    /// store already holds the new state), so that checking follows.
    func healthChecksChanged()
    /// Every observer's latest observation of a health check (empty before
    /// the first request completes).
    func observations(ofHealthCheck id: String) -> [HealthObservation]
}
