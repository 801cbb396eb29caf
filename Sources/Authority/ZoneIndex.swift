import DNSWire
import LatencyModel

/// A zone compiled for the query path: names in a `NameTable`, record data
/// pre-encoded as `RDataTemplate`s, every reference an index, so that
/// answering reads it without allocating.
///
/// Invariants: node `i` is named `names.name(at: i)` and the origin is node
/// 0; entry, set, record, group and member indices point into this index's
/// own arrays; every template's bytes are in `rdata`.
final class ZoneIndex: Sendable {
    let names: NameTable
    let nodes: [IndexedNode]
    let entries: [IndexedEntry]
    let sets: [IndexedSet]
    let records: [RDataTemplate]
    let rdata: ByteStore
    let groups: [IndexedGroup]
    let members: [IndexedMember]
    /// Latency groups' members by region (`IndexedGroup.regionMembers`).
    let regionMembers: [Int32]
    /// Health check ids, by `IndexedMember.healthCheck`.
    let healthChecks: [String]
    /// The routed groups as declared, by group index: what explanations report.
    let routedGroups: [RoutedGroup]
    /// The SOA for negative answers (`Zone.negativeSOA`).
    let negativeSOA: Int
    let hasCuts: Bool

    init(origin: DomainName, nodes zoneNodes: [DomainName: Node], cuts: Set<DomainName>, negativeSOA soa: Record) {
        let ordered = [origin] + zoneNodes.keys.filter { $0 != origin }
        names = NameTable(ordered)
        let number = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1, Int32($0)) })
        var builder = Builder()
        var nodes: [IndexedNode] = []
        for name in ordered {
            let node = zoneNodes[name] ?? Node()
            let first = builder.entries.count
            for (type, entry) in node.entries {
                let kind: IndexedEntry.Kind = switch entry {
                case .plain(let rrset): .plain(set: builder.add(rrset))
                case .alias(let target, let evaluate): .alias(target: number[target] ?? -1, evaluateTargetHealth: evaluate)
                case .routed(let group): .routed(group: builder.add(group, nodeNumber: number))
                }
                builder.entries.append(IndexedEntry(type: type, kind: kind))
            }
            let wildcard = (try? name.prepending([UInt8(ascii: "*")])).flatMap { number[$0] } ?? -1
            nodes.append(IndexedNode(entries: Int32(first)..<Int32(builder.entries.count), isCut: cuts.contains(name),
                                     wildcard: wildcard))
        }
        negativeSOA = Int(builder.add(RRSet(type: .soa, ttl: soa.ttl, rdata: [soa.data])))
        self.nodes = nodes
        entries = builder.entries
        sets = builder.sets
        records = builder.records
        rdata = ByteStore(builder.bytes)
        groups = builder.groups
        members = builder.members
        regionMembers = builder.regionMembers
        healthChecks = builder.healthChecks
        routedGroups = builder.routedGroups
        hasCuts = !cuts.isEmpty
    }

    /// Collects sets, templates and groups while the index is built.
    private struct Builder {
        var entries: [IndexedEntry] = [], sets: [IndexedSet] = [], records: [RDataTemplate] = []
        var bytes: [UInt8] = [], groups: [IndexedGroup] = [], members: [IndexedMember] = []
        var regionMembers: [Int32] = [], healthChecks: [String] = [], routedGroups: [RoutedGroup] = []
        private var healthCheckNumber: [String: Int32] = [:]

        mutating func add(_ rrset: RRSet) -> Int32 {
            let first = records.count
            for data in rrset.rdata { records.append(RDataTemplate(data, appendingTo: &bytes)) }
            sets.append(IndexedSet(rrset: rrset, records: first..<records.count))
            return Int32(sets.count - 1)
        }

        mutating func add(_ group: RoutedGroup, nodeNumber: [DomainName: Int32]) -> Int32 {
            let first = members.count
            for member in group.members {
                let healthCheck = member.healthCheck.map { number(ofHealthCheck: $0) } ?? -1
                let content: IndexedMember.Content = switch member.content {
                case .records(let rrset): .records(set: add(rrset))
                case .alias(let target, let evaluate): .alias(target: nodeNumber[target] ?? -1, evaluateTargetHealth: evaluate)
                }
                members.append(IndexedMember(content: content, weight: member.weight, isPrimary: member.isPrimary,
                                             healthCheck: healthCheck))
            }
            let table = regionMembers.count
            if let highest = group.members.compactMap(\.region).max() { regionMembers += repeatElement(-1, count: Int(highest) + 1) }
            for (index, member) in group.members.enumerated() {
                if let region = member.region { regionMembers[table + Int(region)] = Int32(index) }
            }
            groups.append(IndexedGroup(policy: IndexedGroup.Policy(group.policy), members: first, memberCount: group.members.count,
                                       regionMembers: table..<regionMembers.count))
            routedGroups.append(group)
            return Int32(groups.count - 1)
        }

        private mutating func number(ofHealthCheck id: String) -> Int32 {
            if let known = healthCheckNumber[id] { return known }
            healthChecks.append(id)
            healthCheckNumber[id] = Int32(healthChecks.count - 1)
            return Int32(healthChecks.count - 1)
        }
    }

    var origin: NameView { names.name(at: 0) }

    func node(named name: NameView) -> Int? { names.index(of: name) }

    /// The entry of `type` at node `node`, if any.
    func entry(_ type: RRType, at node: Int) -> IndexedEntry.Kind? {
        for index in nodes[node].entries where entries[Int(index)].type == type { return entries[Int(index)].kind }
        return nil
    }

    /// The node's first entry (by type), if any.
    func firstEntry(at node: Int) -> IndexedEntry? {
        let range = nodes[node].entries
        return range.isEmpty ? nil : entries[Int(range.lowerBound)]
    }

    /// The topmost delegation at or above `name`, as a suffix of `name` (`Zone.cut(atOrAbove:)`).
    func cut(atOrAbove name: NameView) -> NameView? {
        guard hasCuts else { return nil }
        let depth = name.labelCount, top = origin.labelCount
        guard depth > top else { return nil }
        for labels in (top + 1)...depth {
            let ancestor = name.dropping(labels: depth - labels)
            if let node = node(named: ancestor), nodes[node].isCut { return ancestor }
        }
        return nil
    }

    /// The node of `*.<closest encloser>` when that wildcard exists (RFC 4592 §3.3.1).
    func wildcardSource(for name: NameView) -> Int? {
        var encloser = name.parent
        let top = origin.labelCount
        while true {
            if let node = node(named: encloser) {
                let wildcard = nodes[node].wildcard
                return wildcard >= 0 ? Int(wildcard) : nil
            }
            guard encloser.labelCount > top else { return nil }
            encloser = encloser.parent
        }
    }

    /// Runs `body` on each record of `pick` in answer order, with the set it
    /// is in: a multivalue answer's sets merged, each record once (the first
    /// time it appears).
    func forEachRecord(of pick: PickedSets, _ body: (_ record: Int, _ set: Int) -> Void) {
        for position in 0..<pick.count {
            let set = Int(pick.sets[position])
            for index in sets[set].records where !appearsBefore(records[index], position: position, in: pick) {
                body(index, set)
            }
        }
    }

    /// Member `index` of `group`.
    func member(_ index: Int, of group: IndexedGroup) -> IndexedMember { members[group.members + index] }

    /// The member of latency group `group` for `region`, if it has one.
    func latencyMember(of group: IndexedGroup, for region: RegionID) -> Int? {
        let slot = group.regionMembers.lowerBound + Int(region)
        guard slot < group.regionMembers.upperBound, regionMembers[slot] >= 0 else { return nil }
        return Int(regionMembers[slot])
    }

    /// The RData of record `record` of set `set`.
    func data(ofRecord record: Int, inSet set: Int) -> RData {
        sets[set].rrset.rdata[record - sets[set].records.lowerBound]
    }

    /// True when a set of `pick` before `position` holds the same data as `template`.
    private func appearsBefore(_ template: RDataTemplate, position: Int, in pick: PickedSets) -> Bool {
        for earlier in 0..<position {
            for index in sets[Int(pick.sets[earlier])].records where records[index].sameData(as: template, in: rdata) { return true }
        }
        return false
    }

    /// The TTL a pick's records are answered with: the smallest of its sets'.
    func ttl(of pick: PickedSets) -> UInt32 {
        var ttl = UInt32.max
        for position in 0..<pick.count { ttl = min(ttl, sets[Int(pick.sets[position])].rrset.ttl) }
        return ttl
    }
}

/// A node: its entries (a range of `ZoneIndex.entries`), whether it is a
/// delegation, and the node of its wildcard child (-1: none).
struct IndexedNode: Sendable {
    var entries: Range<Int32>
    var isCut: Bool
    var wildcard: Int32
}

/// What a name holds for one type, by index.
struct IndexedEntry: Sendable {
    enum Kind: Sendable {
        case plain(set: Int32)
        /// `target` is a node number, -1 when the target does not exist.
        case alias(target: Int32, evaluateTargetHealth: Bool)
        case routed(group: Int32)
    }
    var type: RRType
    var kind: Kind
}

/// An RRset and the range of its records' templates.
struct IndexedSet: Sendable {
    var rrset: RRSet
    var records: Range<Int>
}

/// A routed group as the query path reads it: plain values, so reading one
/// retains nothing. Member `i` is `ZoneIndex.members[members + i]`; in a
/// latency group, region `r`'s member is `ZoneIndex.regionMembers[regionMembers.lowerBound + r]`
/// when that is inside `regionMembers` and not -1.
struct IndexedGroup: Sendable {
    enum Policy: Sendable {
        case latency, weighted, failover, multivalue
        init(_ policy: RoutingPolicy) {
            self = switch policy { case .latency: .latency; case .weighted: .weighted; case .failover: .failover; case .multivalue: .multivalue }
        }
    }
    var policy: Policy
    var members: Int
    var memberCount: Int
    var regionMembers: Range<Int>
}

/// A routed member, by index: its content, its weight (weighted groups),
/// whether it is the failover primary, and its health check
/// (`ZoneIndex.healthChecks[healthCheck]`; -1: none, always healthy).
struct IndexedMember: Sendable {
    enum Content: Sendable {
        case records(set: Int32)
        case alias(target: Int32, evaluateTargetHealth: Bool)
    }
    var content: Content
    var weight: UInt32
    var isPrimary: Bool
    var healthCheck: Int32
}

/// The record sets an answer gives: one set, or up to eight sets of a
/// multivalue group, merged (`ZoneIndex.forEachRecord`).
///
/// Invariant: `count` is 1...8 and `sets[0..<count]` are set indices.
struct PickedSets: Sendable {
    var sets = SIMD8<Int32>()
    var count = 0

    init(set: Int32) { sets[0] = set; count = 1 }
    init() {}

    mutating func append(_ set: Int32) { sets[count] = set; count += 1 }
}
