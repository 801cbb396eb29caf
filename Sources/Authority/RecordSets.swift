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
public enum RecordSetContent: Hashable, Sendable {
    case records(RRSet)
    case alias(target: DomainName)
}

/// One latency record set: Route 53's record set with a `Region` and a
/// `SetIdentifier`.
public struct LatencyRecordSet: Hashable, Sendable {
    public var setIdentifier: String
    public var region: RegionID
    public var type: RRType
    public var content: RecordSetContent

    public init(setIdentifier: String, region: RegionID, type: RRType, content: RecordSetContent) {
        self.setIdentifier = setIdentifier; self.region = region; self.type = type; self.content = content
    }

    public init(setIdentifier: String, region: RegionID, rrset: RRSet) {
        self.init(setIdentifier: setIdentifier, region: region, type: rrset.type, content: .records(rrset))
    }
}

/// The latency record sets of one name and type.
///
/// Invariants: at least one member; set identifiers and regions unique;
/// `memberForRegion[r]` is the index of region r's member or -1.
public struct LatencyGroup: Sendable {
    public let members: [LatencyRecordSet]
    private let memberForRegion: [Int32]

    public init(members: [LatencyRecordSet], regionCount: Int) {
        self.members = members
        var table = [Int32](repeating: -1, count: regionCount)
        for (index, member) in members.enumerated() { table[Int(member.region)] = Int32(index) }
        memberForRegion = table
    }

    /// The member of the first region in `ranking` that has one, trying
    /// `fallback` next and the first member last.
    public func select(ranking: [RegionID], fallback: [RegionID]) -> LatencyRecordSet {
        for region in ranking where memberForRegion[Int(region)] >= 0 { return members[Int(memberForRegion[Int(region)])] }
        for region in fallback where memberForRegion[Int(region)] >= 0 { return members[Int(memberForRegion[Int(region)])] }
        return members[0]
    }
}

/// What a name holds for one type: a plain RRset, an alias, or a latency group.
public enum RecordSetEntry: Sendable {
    case plain(RRSet)
    case alias(target: DomainName)
    case latency(LatencyGroup)
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
