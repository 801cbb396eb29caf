import DNSWire
import LatencyModel

/// Who is asking, as far as routing cares: the address whose network is
/// looked up (the ECS address, else the query's source address).
public struct ClientLocation: Sendable {
    public var address: IPAddress
    public init(address: IPAddress) { self.address = address }

    /// RFC 7871 §7.1.1: the ECS address when the option has a source
    /// prefix above 0, else the address the query came from.
    public init(source: IPAddress, ecs: ClientSubnet?) {
        address = ecs.flatMap { $0.sourcePrefix > 0 ? IPAddress(bytes: $0.fullAddress) : nil } ?? source
    }
}

extension ClientSubnet {
    /// The ECS option a resolver would send for `prefix` (scope 0).
    public init(_ prefix: IPPrefix) {
        // A masked prefix always satisfies ClientSubnet's invariants.
        try! self.init(family: prefix.address.bitWidth == 32 ? 1 : 2, sourcePrefix: UInt8(prefix.length), scopePrefix: 0,
                       address: Array(prefix.address.bytes.prefix((prefix.length + 7) / 8)))
    }
}

/// A latency choice made while answering, kept for explanations.
public struct LatencyDecision: Sendable {
    public var owner: DomainName
    public var type: RRType
    public var hit: MapHit
    public var chosen: LatencyRecordSet
}

/// The outcome of answering one question from a snapshot.
public struct Resolution: Sendable {
    public var rcode: RCode = .noError
    public var authoritative = false
    public var answer: [Record] = []
    public var authority: [Record] = []
    public var additional: [Record] = []
    /// The ECS scope the answer is valid for: the longest block length any
    /// client-dependent step used; 0 when nothing depended on the client.
    public var scope = 0
    public var decisions: [LatencyDecision] = []
}

extension Snapshot {
    /// The longest CNAME chain followed before giving up.
    static let maxChain = 16

    /// Answers `question` for `client` per RFC 1034 §4.3.2, with RFC 2308
    /// negative answers, RFC 4592 wildcards and RFC 8482 minimal ANY.
    public func resolve(_ question: Question, client: ClientLocation) -> Resolution {
        var result = Resolution()
        guard question.rrclass == .in || question.rrclass == .any, var zone = zone(for: question.name) else {
            result.rcode = .refused
            return result
        }
        // DS lives on the parent side of a cut: when both zones are served,
        // the parent answers (RFC 4035 §3.1.4.1).
        if question.type == .ds, zone.origin == question.name, !question.name.isRoot,
           let parent = self.zone(for: question.name.parent) {
            zone = parent
        }
        var hit: MapHit? = nil
        result.authoritative = true
        var name = question.name
        var visited: [DomainName] = []
        while true {
            visited.append(name)
            if let cut = zone.cut(atOrAbove: name), !(cut == name && question.type == .ds) {
                referral(to: cut, in: zone, into: &result)
                return result
            }
            let owner: DomainName   // the name the data is found at
            if zone.nodes[name] != nil {
                owner = name
            } else if let wildcard = wildcardSource(for: name, in: zone) {
                owner = wildcard
            } else {
                result.rcode = .nxDomain
                result.authority.append(zone.negativeSOA)
                return result
            }
            let node = zone.nodes[owner]!
            if let entry = node[question.type], question.type != .any {
                if appendEntry(entry, owner: name, type: question.type, zone: zone, to: .answer, result: &result, hit: &hit, client: client) {
                    addAdditional(for: question.type, in: zone, result: &result, hit: &hit, client: client)
                } else {
                    result.authority.append(zone.negativeSOA)
                }
                return result
            }
            if question.type == .any, let first = node.entries.first {
                if !appendEntry(first.entry, owner: name, type: first.type, zone: zone, to: .answer, result: &result, hit: &hit, client: client) {
                    result.authority.append(zone.negativeSOA)
                }
                return result
            }
            if let cname = node[.cname] {
                guard appendEntry(cname, owner: name, type: .cname, zone: zone, to: .answer, result: &result, hit: &hit, client: client) else {
                    result.authority.append(zone.negativeSOA)  // an alias CNAME whose target has none
                    return result
                }
                guard case .cname(let target)? = result.answer.last?.data,
                      target.isSubdomain(of: zone.origin), !visited.contains(target), visited.count < Self.maxChain
                else { return result }
                name = target
                continue
            }
            result.authority.append(zone.negativeSOA)
            return result
        }
    }

    /// `*.<closest encloser>` when that wildcard exists (RFC 4592 §3.3.1).
    private func wildcardSource(for name: DomainName, in zone: Zone) -> DomainName? {
        var encloser = name.parent
        while zone.nodes[encloser] == nil {
            guard encloser.labelCount > zone.origin.labelCount else { return nil }
            encloser = encloser.parent
        }
        guard let wildcard = try? encloser.prepending([UInt8(ascii: "*")]), zone.nodes[wildcard] != nil else { return nil }
        return wildcard
    }

    /// Appends the records an entry gives this client, under `owner`.
    /// Returns false when it gives none (an alias whose target has no data).
    @discardableResult
    private func appendEntry(_ entry: RecordSetEntry, owner: DomainName, type: RRType, zone: Zone, to section: Section,
                             result: inout Resolution, hit: inout MapHit?, client: ClientLocation) -> Bool {
        guard let rrset = rrset(of: entry, owner: owner, type: type, zone: zone, depth: 0,
                                result: &result, hit: &hit, client: client) else { return false }
        switch section {
        case .answer: result.answer += rrset.records(owner: owner)
        case .additional: result.additional += rrset.records(owner: owner)
        }
        return true
    }

    /// The longest alias chain followed.
    static let maxAliasDepth = 8

    /// The RRset an entry gives this client: latency groups choose by the
    /// client's network (recording the decision and widening the scope),
    /// aliases take their target's data.
    private func rrset(of entry: RecordSetEntry, owner: DomainName, type: RRType, zone: Zone, depth: Int,
                       result: inout Resolution, hit: inout MapHit?, client: ClientLocation) -> RRSet? {
        let content: RecordSetContent
        switch entry {
        case .plain(let rrset): return rrset
        case .alias(let target): content = .alias(target: target)
        case .latency(let group):
            let where_ = hit ?? latencyMap.lookup(client.address)
            hit = where_
            let chosen = group.select(ranking: latencyMap.rankings[where_.ranking], fallback: fallbackRanking)
            result.scope = max(result.scope, where_.block.length)
            result.decisions.append(LatencyDecision(owner: owner, type: type, hit: where_, chosen: chosen))
            content = chosen.content
        }
        switch content {
        case .records(let rrset): return rrset
        case .alias(let target):
            guard depth < Self.maxAliasDepth, let next = zone.nodes[target]?[type] else { return nil }
            return rrset(of: next, owner: target, type: type, zone: zone, depth: depth + 1,
                         result: &result, hit: &hit, client: client)
        }
    }

    private enum Section { case answer, additional }

    /// A referral: the child's NS in authority, in-zone glue in additional.
    /// Not authoritative unless a CNAME chain already answered (RFC 1034 §4.3.2 step 3b).
    private func referral(to cut: DomainName, in zone: Zone, into result: inout Resolution) {
        result.authoritative = !result.answer.isEmpty
        guard case .plain(let ns)? = zone.nodes[cut]?[.ns] else { return }
        result.authority = ns.records(owner: cut)
        for case .ns(let target) in ns.rdata where target.isSubdomain(of: zone.origin) {
            for type in [RRType.a, .aaaa] {
                if case .plain(let glue)? = zone.nodes[target]?[type] { result.additional += glue.records(owner: target) }
            }
        }
    }

    /// Address records for the targets of NS, MX and SRV answers, from this zone.
    private func addAdditional(for type: RRType, in zone: Zone, result: inout Resolution, hit: inout MapHit?, client: ClientLocation) {
        guard type == .ns || type == .mx || type == .srv else { return }
        let targets = result.answer.compactMap { $0.data.target }
        for target in targets where target.isSubdomain(of: zone.origin) && zone.cut(atOrAbove: target) == nil {
            guard let node = zone.nodes[target] else { continue }
            for addressType in [RRType.a, .aaaa] {
                if let entry = node[addressType] {
                    appendEntry(entry, owner: target, type: addressType, zone: zone, to: .additional, result: &result, hit: &hit, client: client)
                }
            }
        }
    }
}
