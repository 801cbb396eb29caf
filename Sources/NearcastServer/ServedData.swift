import Authority
import ControlAPI
import DNSWire
import Dispatch
import Foundation
import HealthChecking
import LatencyModel
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Route53Model
import Store

/// What this node serves: the config file's zones and the API's hosted
/// zones, composed into one snapshot at a time.
///
/// Invariants: every change to either part publishes a new snapshot;
/// store writes and their publication happen under `commitLock`, so
/// snapshots follow commit order and `servedVersion` (raised when every
/// event loop serves a snapshot) never claims a version that is not served.
public final class ServedData: Route53Backend, Sendable {
    public let store: Store
    private let distributor: SnapshotDistributor
    private let state: NIOLockedValueBox<State>
    private let commitLock = NIOLock()
    private let served: NIOLockedValueBox<UInt64>
    private let monitor = NIOLockedValueBox<HealthMonitor?>(nil)
    private let healthReloads = DispatchQueue(label: "nearcast.health-reload")
    private let healthReloadPending = NIOLockedValueBox(false)
    let metrics = NodeMetrics()
    private let logger: Logger
    /// Whether health checks of private and special-use addresses are refused (Route 53's rule).
    public let restrictPrivateHealthCheckAddresses: Bool

    struct State {
        var config: LoadedConfiguration
        var apiZones: [String: Zone]
        var health = HealthView()
        /// The map learned from measurements; nil: the configured map.
        var learnedMap: LatencyMap? = nil
        var snapshotVersion: UInt64
        /// The store version the API zones were compiled at (or later).
        var storeVersion: UInt64
    }

    /// Compiles the store's hosted zones against `config`; throws a
    /// `LoadErrors` when they do not compile or clash with config zones.
    static func compileStore(_ store: Store, config: LoadedConfiguration) throws -> [String: Zone] {
        var zones: [String: Zone] = [:]
        var errors: [String] = []
        for zone in try store.hostedZones() {
            if let clash = configZone(overlapping: zone.name, in: config) {
                errors.append("the config file's zone \(clash) overlaps hosted zone \(zone.id) (\(zone.name)) in the store; a name can be served from only one of them")
                continue
            }
            switch HostedZoneCompiler.compile(zone, try store.recordSets(zoneID: zone.id), catalog: config.snapshot.catalog) {
            case .success(let compiled): zones[zone.id] = compiled
            case .failure(let error): errors.append("hosted zone \(zone.id) (\(zone.name)): \(error)")
            }
        }
        guard errors.isEmpty else { throw LoadErrors(messages: errors) }
        return zones
    }

    /// The snapshot a node would serve from `config` and the store at `path`.
    public static func snapshot(of config: LoadedConfiguration, storeAt path: String) throws -> Snapshot {
        guard FileManager.default.fileExists(atPath: path) else { throw LoadErrors(messages: ["\(path): no such store"]) }
        let store = try Store(path: path)
        let statuses = HealthMonitor.statuses(of: try store.healthChecks(), observations: try store.observations())
        return compose(config, try compileStore(store, config: config), health: HealthView(statuses), learnedMap: nil, version: 1)
    }

    /// The snapshot of a config, the API's zones, the health checks' statuses and the learned latency map.
    static func compose(_ config: LoadedConfiguration, _ apiZones: [String: Zone], health: HealthView, learnedMap: LatencyMap?,
                        version: UInt64) -> Snapshot {
        let base = config.snapshot
        return Snapshot(version: version, zones: Array(base.zones.values) + Array(apiZones.values),
                        latencyMap: learnedMap ?? base.latencyMap, catalog: base.catalog, responder: base.responder, health: health)
    }

    /// Starts answering with a map learned from measurements; the future
    /// completes when every DNS thread serves it.
    func updateLatencyMap(_ map: LatencyMap) -> (version: UInt64, served: EventLoopFuture<Void>) {
        commitLock.withLock {
            let snapshot = state.withLockedValue { state -> Snapshot in
                state.learnedMap = map
                state.snapshotVersion += 1
                return Self.compose(state.config, state.apiZones, health: state.health, learnedMap: map, version: state.snapshotVersion)
            }
            return (snapshot.version, publish(snapshot))
        }
    }

    /// The regions that latency record sets name, in every zone served.
    var latencyRegionsInUse: Set<RegionID> {
        let zones = state.withLockedValue { Array($0.config.snapshot.zones.values) + Array($0.apiZones.values) }
        var regions = Set<RegionID>()
        for zone in zones {
            for node in zone.nodes.values {
                for (_, entry) in node.entries {
                    if case .routed(let group) = entry { for member in group.members { if let region = member.region { regions.insert(region) } } }
                }
            }
        }
        return regions
    }

    /// The configuration being served.
    var configuration: LoadedConfiguration { state.withLockedValue { $0.config } }

    /// Starts answering with new health check statuses (id → healthy);
    /// publishes a snapshot only when the set of unhealthy checks changed.
    func updateHealth(_ statuses: [String: Bool]) {
        let health = HealthView(statuses)
        commitLock.withLock {
            let snapshot = state.withLockedValue { state -> Snapshot? in
                let changed = statuses.compactMap { id, healthy in state.health.isHealthy(id) != healthy ? (id, healthy) : nil }
                metrics.health(statuses, changed: changed)
                guard state.health != health else { return nil }
                state.health = health
                state.snapshotVersion += 1
                return Self.compose(state.config, state.apiZones, health: health, learnedMap: state.learnedMap, version: state.snapshotVersion)
            }
            if let snapshot { _ = publish(snapshot) }
        }
    }

    init(store: Store, config: LoadedConfiguration, apiZones: [String: Zone], distributor: SnapshotDistributor,
         snapshotVersion: UInt64, logger: Logger) throws {
        self.store = store
        self.logger = logger
        restrictPrivateHealthCheckAddresses = config.settings.healthChecks.restrictPrivateAddresses
        self.distributor = distributor
        let version = try store.version
        state = NIOLockedValueBox(State(config: config, apiZones: apiZones, snapshotVersion: snapshotVersion, storeVersion: version))
        served = NIOLockedValueBox(version)
    }

    public var nameServers: [DomainName] { state.withLockedValue { $0.config.settings.nameServers } }
    public var catalog: RegionCatalog { state.withLockedValue { $0.config.snapshot.catalog } }
    public var snapshot: Snapshot { distributor.latest }

    public func configZone(overlapping name: DomainName) -> DomainName? {
        state.withLockedValue { Self.configZone(overlapping: name, in: $0.config) }
    }

    static func configZone(overlapping name: DomainName, in config: LoadedConfiguration) -> DomainName? {
        config.snapshot.zones.keys.first { $0.isSubdomain(of: name) || name.isSubdomain(of: $0) }
    }

    public func compile(_ zone: HostedZone, _ sets: [ResourceRecordSet]) -> Result<Zone, Route53Error> {
        HostedZoneCompiler.compile(zone, sets, catalog: catalog)
    }

    public func commit<T>(_ write: () throws -> (value: T, version: UInt64, zones: [String: Zone?])) throws -> T {
        try commitLock.withLock {
            let (value, version, zones) = try write()
            // Another node sharing the store wrote in between: take everything, not only this write.
            let missed = state.withLockedValue { version != $0.storeVersion + 1 }
            let all = missed ? compiledStore() : nil
            let snapshot = state.withLockedValue { state -> Snapshot in
                if let all { state.apiZones = all } else { for (id, zone) in zones { state.apiZones[id] = zone } }
                state.storeVersion = version
                state.snapshotVersion += 1
                return Self.compose(state.config, state.apiZones, health: state.health, learnedMap: state.learnedMap,
                                    version: state.snapshotVersion)
            }
            markServed(publish(snapshot), version: version)
            return value
        }
    }

    /// Serves what other nodes sharing the store committed since this
    /// node last looked (hosted zones and record sets).
    func followStore() {
        commitLock.withLock {
            guard let version = try? store.version, version > state.withLockedValue({ $0.storeVersion }),
                  let zones = compiledStore() else { return }
            let snapshot = state.withLockedValue { state -> Snapshot in
                state.apiZones = zones
                state.storeVersion = version
                state.snapshotVersion += 1
                return Self.compose(state.config, zones, health: state.health, learnedMap: state.learnedMap, version: state.snapshotVersion)
            }
            markServed(publish(snapshot), version: version)
        }
    }

    /// Every hosted zone compiled against the current config; nil (and an
    /// error logged) when the store's data does not compile here.
    private func compiledStore() -> [String: Zone]? {
        do { return try Self.compileStore(store, config: state.withLockedValue { $0.config }) } catch {
            logger.error("the store holds hosted zones this node cannot serve; serving the previous data",
                         metadata: ["error": "\(error)"])
            return nil
        }
    }

    public func isServing(version: UInt64) -> Bool { served.withLockedValue { $0 >= version } }

    /// Starts running the store's health checks with `monitor`, whose
    /// status changes must reach `updateHealth`.
    func attach(_ monitor: HealthMonitor) {
        self.monitor.withLockedValue { $0 = monitor }
        healthChecksChanged()
    }

    /// Hands the store's health checks to the monitor, off the caller's
    /// thread; requests made while one is pending share it, so a burst of
    /// API calls costs one reload, not one per call.
    public func healthChecksChanged() {
        guard healthReloadPending.withLockedValue({ pending in defer { pending = true }; return !pending }) else { return }
        healthReloads.async { [self] in
            healthReloadPending.withLockedValue { $0 = false }
            guard let monitor = monitor.withLockedValue({ $0 }) else { return }
            do { monitor.apply(try store.healthChecks()) } catch {
                logger.error("could not read the health checks from the store; checking continues with the previous set",
                             metadata: ["error": "\(error)"])
            }
        }
    }

    /// This node's latest observation and every other node's stored one.
    public func observations(ofHealthCheck id: String) -> [HealthObservation] {
        var byObserver: [String: HealthObservation] = [:]
        do {
            for observation in try store.observations(of: id) { byObserver[observation.observer] = observation }
        } catch {
            logger.error("could not read other nodes' health observations", metadata: ["error": "\(error)"])
        }
        if let own = monitor.withLockedValue({ $0 })?.observation(of: id) { byObserver[own.observer] = own }
        return byObserver.values.sorted { $0.observer < $1.observer }
    }

    /// Swaps in a reloaded config, recompiling the API's zones against it.
    func replaceConfig(_ config: LoadedConfiguration) throws {
        try commitLock.withLock {
            let version = try store.version  // read first: the zones compiled next hold at least this version
            let apiZones = try Self.compileStore(store, config: config)
            let snapshot = state.withLockedValue { state -> Snapshot in
                state = State(config: config, apiZones: apiZones, health: state.health, learnedMap: state.learnedMap,
                              snapshotVersion: state.snapshotVersion + 1, storeVersion: version)
                return Self.compose(config, apiZones, health: state.health, learnedMap: state.learnedMap, version: state.snapshotVersion)
            }
            markServed(publish(snapshot), version: version)
        }
    }

    private func publish(_ snapshot: Snapshot) -> EventLoopFuture<Void> {
        metrics.published(version: snapshot.version, zoneCount: snapshot.zones.count)
        return distributor.publish(snapshot)
    }

    private func markServed(_ published: EventLoopFuture<Void>, version: UInt64) {
        published.whenSuccess { [served] in served.withLockedValue { $0 = max($0, version) } }
    }
}

extension HealthView {
    /// The view of decided statuses (id → healthy).
    init(_ statuses: [String: Bool]) {
        self.init(unhealthy: Set(statuses.compactMap { $0.value ? nil : $0.key }))
    }
}
