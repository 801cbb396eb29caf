import DNSWire
import LatencyModel

/// A compiled, immutable zone.
///
/// Invariants: `nodes` holds every owner name and every empty non-terminal
/// between the origin and an owner; the origin holds exactly one SOA and an
/// NS RRset; `cuts` are the non-apex names that hold NS (delegations).
public struct Zone: Sendable {
    public let origin: DomainName
    public let soa: SOA
    public let soaTTL: UInt32
    public let nodes: [DomainName: Node]
    public let cuts: Set<DomainName>
    /// The same data compiled for the allocation-free query path.
    let index: ZoneIndex

    init(origin: DomainName, soa: SOA, soaTTL: UInt32, nodes: [DomainName: Node], cuts: Set<DomainName>) {
        self.origin = origin; self.soa = soa; self.soaTTL = soaTTL; self.nodes = nodes; self.cuts = cuts
        index = ZoneIndex(origin: origin, nodes: nodes, cuts: cuts,
                          negativeSOA: Record(name: origin, ttl: min(soaTTL, soa.minimum), data: .soa(soa)))
    }

    /// The SOA record for negative answers, with TTL min(SOA TTL, MINIMUM) (RFC 2308 §3).
    public var negativeSOA: Record {
        Record(name: origin, ttl: min(soaTTL, soa.minimum), data: .soa(soa))
    }

    /// The topmost delegation at or above `name`, if any.
    public func cut(atOrAbove name: DomainName) -> DomainName? {
        guard !cuts.isEmpty else { return nil }
        let depth = name.labelCount, top = origin.labelCount
        guard depth > top else { return nil }
        for labels in (top + 1)...depth {
            let ancestor = name.dropping(labels: depth - labels)
            if cuts.contains(ancestor) { return ancestor }
        }
        return nil
    }
}

/// A record from a zone file or config, with where it came from.
public struct DeclaredRecord: Sendable {
    public var record: Record
    public var source: String   // "file:line", for messages
    public init(record: Record, source: String) { self.record = record; self.source = source }
}

/// An alias record set (Route 53's AliasTarget within the zone) as declared.
public struct AliasDeclaration: Sendable {
    public var name: DomainName
    public var type: RRType
    public var target: DomainName
    public var evaluateTargetHealth: Bool
    public var source: String
    public init(name: DomainName, type: RRType, target: DomainName, evaluateTargetHealth: Bool = false, source: String) {
        self.name = name; self.type = type; self.target = target
        self.evaluateTargetHealth = evaluateTargetHealth; self.source = source
    }
}

/// A routed record set (latency, weighted, failover or multivalue) as
/// declared, with where it came from.
public struct RoutedDeclaration: Sendable {
    public var name: DomainName
    public var set: RoutedRecordSet
    public var source: String
    public init(name: DomainName, set: RoutedRecordSet, source: String) {
        self.name = name; self.set = set; self.source = source
    }
}

extension Zone {
    /// Validates and compiles a zone. Returns every problem found, each as
    /// "source: message", or the zone when there are none.
    public static func build(origin: DomainName, records: [DeclaredRecord], routed: [RoutedDeclaration],
                             aliases: [AliasDeclaration] = [], catalog: RegionCatalog,
                             zoneSource: String) -> Result<Zone, ZoneErrors> {
        var errors: [String] = []
        var plain: [DomainName: [RRType: (rrset: RRSet, source: String)]] = [:]
        for item in records {
            let record = item.record
            guard record.name.isSubdomain(of: origin) else {
                errors.append("\(item.source): \(record.name) is outside the zone \(origin)"); continue
            }
            if var existing = plain[record.name]?[record.type] {
                if !existing.rrset.rdata.contains(record.data) { existing.rrset.rdata.append(record.data) }
                existing.rrset.ttl = min(existing.rrset.ttl, record.ttl)
                plain[record.name, default: [:]][record.type] = existing
            } else {
                plain[record.name, default: [:]][record.type] =
                    (RRSet(type: record.type, ttl: record.ttl, rdata: [record.data]), item.source)
            }
        }
        var routedByKey: [DomainName: [RRType: [RoutedDeclaration]]] = [:]
        for declaration in routed {
            let name = declaration.name, type = declaration.set.type
            guard name.isSubdomain(of: origin) else {
                errors.append("\(declaration.source): \(name) is outside the zone \(origin)"); continue
            }
            if let clash = plain[name]?[type] {
                errors.append("\(declaration.source): \(declaration.set.policy.name) record set \(name) \(type) shares its name and type with the non-\(declaration.set.policy.name) record at \(clash.source)")
                continue
            }
            let siblings = routedByKey[name]?[type] ?? []
            if let problem = conflict(of: declaration, with: siblings, catalog: catalog) {
                errors.append("\(declaration.source): \(problem)")
                continue
            }
            routedByKey[name, default: [:]][type, default: []].append(declaration)
        }

        var aliasByKey: [DomainName: [RRType: AliasDeclaration]] = [:]
        for alias in aliases {
            guard alias.name.isSubdomain(of: origin) else {
                errors.append("\(alias.source): \(alias.name) is outside the zone \(origin)"); continue
            }
            if let clash = plain[alias.name]?[alias.type]?.source ?? routedByKey[alias.name]?[alias.type]?.first?.source
                ?? aliasByKey[alias.name]?[alias.type]?.source {
                errors.append("\(alias.source): alias \(alias.name) \(alias.type) shares its name and type with the record set at \(clash)")
                continue
            }
            aliasByKey[alias.name, default: [:]][alias.type] = alias
        }

        // SOA and NS at the apex.
        let apex = plain[origin] ?? [:]
        var soa: SOA? = nil, soaTTL: UInt32 = 0
        if let entry = apex[.soa] {
            if entry.rrset.rdata.count != 1 { errors.append("\(entry.source): the zone \(origin) has more than one SOA record") }
            if case .soa(let value) = entry.rrset.rdata[0] { soa = value; soaTTL = entry.rrset.ttl }
        } else {
            errors.append("\(zoneSource): the zone \(origin) has no SOA record at its origin")
        }
        if apex[.ns] == nil { errors.append("\(zoneSource): the zone \(origin) has no NS records at its origin") }
        for (name, types) in plain where name != origin {
            if let entry = types[.soa] { errors.append("\(entry.source): SOA record at \(name), not at the zone origin") }
        }

        // CNAME exclusivity (RFC 1034 §3.6.2, RFC 2181 §10.1).
        let owners = Set(plain.keys).union(routedByKey.keys).union(aliasByKey.keys)
        for name in owners {
            let types = Set((plain[name] ?? [:]).keys).union((routedByKey[name] ?? [:]).keys)
                .union((aliasByKey[name] ?? [:]).keys)
            guard types.contains(.cname) else { continue }
            let source = plain[name]?[.cname]?.source ?? routedByKey[name]?[.cname]?.first?.source
                ?? aliasByKey[name]?[.cname]?.source ?? zoneSource
            if let rrset = plain[name]?[.cname]?.rrset, rrset.rdata.count > 1 {
                errors.append("\(source): \(name) has more than one CNAME record")
            }
            let others = types.subtracting([.cname, .rrsig, .nsec]).sorted()
            if !others.isEmpty {
                errors.append("\(source): \(name) has a CNAME beside other data (\(others.map(\.description).joined(separator: ", ")))")
            }
            if name == origin { errors.append("\(source): a CNAME at the zone origin \(origin) is not allowed") }
        }
        guard errors.isEmpty, let soa else { return .failure(ZoneErrors(messages: errors)) }

        var nodes: [DomainName: Node] = [:]
        for name in owners {
            var node = Node()
            for (type, entry) in plain[name] ?? [:] { node.entries.append((type, .plain(entry.rrset))) }
            for (type, alias) in aliasByKey[name] ?? [:] {
                node.entries.append((type, .alias(target: alias.target, evaluateTargetHealth: alias.evaluateTargetHealth)))
            }
            for (type, declarations) in routedByKey[name] ?? [:] {
                node.entries.append((type, .routed(RoutedGroup(members: declarations.map(\.set)))))
            }
            node.entries.sort { $0.type < $1.type }
            nodes[name] = node
            var ancestor = name.parent
            while ancestor.labelCount > origin.labelCount, nodes[ancestor] == nil, !owners.contains(ancestor) {
                nodes[ancestor] = Node()
                ancestor = ancestor.parent
            }
        }
        let cuts = Set(nodes.compactMap { name, node in name != origin && node[.ns] != nil ? name : nil })
        return .success(Zone(origin: origin, soa: soa, soaTTL: soaTTL, nodes: nodes, cuts: cuts))
    }
}

extension Zone {
    /// Why `declaration` cannot join the routed sets already declared at
    /// its name and type, or nil: one policy kind per group, unique set
    /// identifiers, one set per latency region, one failover primary and
    /// one secondary, and multivalue sets hold records, not aliases.
    static func conflict(of declaration: RoutedDeclaration, with siblings: [RoutedDeclaration], catalog: RegionCatalog) -> String? {
        let set = declaration.set, name = declaration.name
        if let other = siblings.first(where: { !$0.set.policy.isSameKind(as: set.policy) }) {
            return "\(set.policy.name) record set \(name) \(set.type) cannot share its name and type with the \(other.set.policy.name) record set at \(other.source)"
        }
        if let twin = siblings.first(where: { $0.set.setIdentifier == set.setIdentifier }) {
            return "set identifier '\(set.setIdentifier)' of \(name) \(set.type) is already used at \(twin.source)"
        }
        if let region = set.region, let twin = siblings.first(where: { $0.set.region == region }) {
            return "\(name) \(set.type) already has a latency record set for region \(catalog.name(of: region)) at \(twin.source)"
        }
        if case .failover(let primary) = set.policy, let twin = siblings.first(where: { $0.set.policy == set.policy }) {
            return "\(name) \(set.type) already has a \(primary ? "PRIMARY" : "SECONDARY") failover record set at \(twin.source)"
        }
        if case .multivalue = set.policy, case .alias = set.content {
            return "multivalue answer record set \(name) \(set.type) cannot be an alias"
        }
        return nil
    }
}

/// Every problem that kept a zone from compiling.
public struct ZoneErrors: Error, Sendable {
    public var messages: [String]
}
