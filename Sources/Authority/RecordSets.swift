import DNSWire
import LatencyModel

/// Records sharing an owner, type and TTL (RFC 2181 §5).
///
/// Invariant: `rdata` is non-empty, holds no duplicates, and every element's
/// type is `type`.
public struct RRSet: Hashable, Sendable {
    public var type: RRType
    public var ttl: UInt32
    public var rdata: [RData]
    public init(type: RRType, ttl: UInt32, rdata: [RData]) {
        self.type = type; self.ttl = ttl; self.rdata = rdata
    }

    /// The records of this set under `owner`.
    public func records(owner: DomainName) -> [Record] {
        rdata.map { Record(name: owner, ttl: ttl, data: $0) }
    }
}

/// What a record set answers with: its own records, or (a Route 53 alias)
/// the data of another name of the same zone and type, under its own name.
/// With `evaluateTargetHealth`, the alias is healthy only when its target is.
public enum RecordSetContent: Hashable, Sendable {
    case records(RRSet)
    case alias(target: DomainName, evaluateTargetHealth: Bool)
}

/// How a record set of a routed group competes with its siblings
/// (Route 53's routing policies that need a SetIdentifier).
public enum RoutingPolicy: Hashable, Sendable {
    /// Answer the region with the lowest latency for the client.
    case latency(RegionID)
    /// Answer at random in proportion to the weight (0...255).
    case weighted(UInt32)
    /// Answer the primary while it is healthy, else the secondary.
    case failover(primary: Bool)
    /// Answer up to eight healthy record sets together.
    case multivalue

    /// Route 53's name of the policy, for messages and explanations.
    public var name: String {
        switch self {
        case .latency: "latency"
        case .weighted: "weighted"
        case .failover: "failover"
        case .multivalue: "multivalue answer"
        }
    }

    /// True when both policies are of the same kind (a group may not mix kinds).
    public func isSameKind(as other: RoutingPolicy) -> Bool { name == other.name }
}

/// One record set of a routed group: Route 53's record set with a
/// `SetIdentifier`, a routing element and optionally a health check.
public struct RoutedRecordSet: Hashable, Sendable {
    public var setIdentifier: String
    public var policy: RoutingPolicy
    public var type: RRType
    public var content: RecordSetContent
    /// The health check whose status decides this set's health; nil: always healthy.
    public var healthCheck: String?

    public init(setIdentifier: String, policy: RoutingPolicy, type: RRType, content: RecordSetContent, healthCheck: String? = nil) {
        self.setIdentifier = setIdentifier; self.policy = policy; self.type = type
        self.content = content; self.healthCheck = healthCheck
    }

    public init(setIdentifier: String, policy: RoutingPolicy, rrset: RRSet, healthCheck: String? = nil) {
        self.init(setIdentifier: setIdentifier, policy: policy, type: rrset.type, content: .records(rrset), healthCheck: healthCheck)
    }

    /// The weight of a weighted set; 0 for other policies.
    public var weight: UInt32 {
        if case .weighted(let weight) = policy { return weight }
        return 0
    }

    /// True for a failover PRIMARY.
    public var isPrimary: Bool { policy == .failover(primary: true) }

    /// The region of a latency set.
    public var region: RegionID? {
        if case .latency(let region) = policy { return region }
        return nil
    }
}

/// The routed record sets of one name and type, all of one policy kind.
///
/// Invariants: at least one member; set identifiers unique; latency
/// regions unique; at most one failover primary and one secondary.
public struct RoutedGroup: Sendable {
    public let members: [RoutedRecordSet]

    public init(members: [RoutedRecordSet]) { self.members = members }

    /// The policy kind every member shares.
    public var policy: RoutingPolicy { members[0].policy }
}

/// What a name holds for one type: a plain RRset, an alias, or a routed group.
public enum RecordSetEntry: Sendable {
    case plain(RRSet)
    case alias(target: DomainName, evaluateTargetHealth: Bool)
    case routed(RoutedGroup)
}

/// The data at one owner name. An empty node is an empty non-terminal.
public struct Node: Sendable {
    /// Entries by type, sorted by type.
    public var entries: [(type: RRType, entry: RecordSetEntry)] = []

    public subscript(type: RRType) -> RecordSetEntry? {
        for item in entries where item.type == type { return item.entry }
        return nil
    }

    public var isEmptyNonTerminal: Bool { entries.isEmpty }
}
