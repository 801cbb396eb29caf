import DNSWire
import LatencyModel
import Synchronization

/// Everything the query path reads: zones, the latency map and the regions.
///
/// Immutable; a reload builds a new snapshot and swaps it in whole, so a
/// query always sees one consistent version.
public final class Snapshot: Sendable {
    public let version: UInt64
    /// Unique in the process and never reused, unlike an address: what an
    /// `AnswerCache` knows its snapshot by without keeping it alive.
    let serial: UInt64
    private static let serials = Atomic<UInt64>(0)
    public let zones: [DomainName: Zone]
    public let latencyMap: LatencyMap
    public let catalog: RegionCatalog
    /// The configured default order followed by every other region: the
    /// fallback that always contains every region.
    public let fallbackRanking: [RegionID]
    public let responder: ResponderSettings
    public let health: HealthView
    /// `zones` by number, and their origins for lookups without allocating (the first zone of an origin wins).
    private let zoneList: [Zone]
    private let zoneTable: NameTable

    public init(version: UInt64, zones: [Zone], latencyMap: LatencyMap, catalog: RegionCatalog,
                responder: ResponderSettings = ResponderSettings(), health: HealthView = HealthView()) {
        self.version = version
        serial = Self.serials.add(1, ordering: .relaxed).newValue
        self.health = health
        self.responder = responder
        self.zones = Dictionary(zones.map { ($0.origin, $0) }, uniquingKeysWith: { first, _ in first })
        zoneList = zones
        zoneTable = NameTable(zones.map(\.origin))
        self.latencyMap = latencyMap
        self.catalog = catalog
        let preferred = latencyMap.rankings[0]
        self.fallbackRanking = Array(preferred) + catalog.allIDs.filter { !preferred.contains($0) }
    }

    /// The zone with the longest origin at or above `name`.
    public func zone(for name: DomainName) -> Zone? { name.withView { zone(for: $0) } }

    /// The zone with the longest origin at or above `name`. Allocation-free.
    func zone(for name: NameView) -> Zone? { position(ofZoneFor: name).map { zoneList[$0] } }

    /// The query path's form of `zone(for:)`: the compiled index alone (one
    /// reference, where copying a `Zone` retains each of its tables).
    func zoneIndex(for name: NameView) -> ZoneIndex? { position(ofZoneFor: name).map { zoneList[$0].index } }

    private func position(ofZoneFor name: NameView) -> Int? {
        // One zone, the common case: a suffix comparison instead of a hash lookup per ancestor.
        if zoneList.count == 1 { return name.isSubdomain(of: zoneTable.name(at: 0)) ? 0 : nil }
        var candidate = name
        while true {
            if let index = zoneTable.index(of: candidate) { return index }
            if candidate.isRoot { return nil }
            candidate = candidate.parent
        }
    }
}

/// The decided status of health checks, as answers read it.
///
/// Invariant: a check not listed as unhealthy (also one unknown or
/// deleted) is healthy, so a record set never fails on a missing check.
public struct HealthView: Sendable, Equatable {
    public let unhealthy: Set<String>
    /// No check is unhealthy: the query path then need not read members'
    /// checks at all. Stored, so that testing it does not touch the set.
    public let allHealthy: Bool
    public init(unhealthy: Set<String> = []) { self.unhealthy = unhealthy; allHealthy = unhealthy.isEmpty }
    public func isHealthy(_ check: String) -> Bool { allHealthy || !unhealthy.contains(check) }
}
