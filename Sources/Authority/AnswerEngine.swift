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

/// A routed record set passed over while answering, and why.
public struct SkippedSet: Sendable, Equatable {
    public var setIdentifier: String
    public var reason: String
    public init(setIdentifier: String, reason: String) { self.setIdentifier = setIdentifier; self.reason = reason }
}

/// One routing choice made while answering, kept for explanations.
public struct RoutingStep: Sendable {
    public var owner: DomainName
    public var type: RRType
    public var policy: RoutingPolicy
    /// The latency map block the client fell in (latency groups only).
    public var hit: MapHit?
    /// The record sets answered (several for multivalue answers).
    public var chosen: [RoutedRecordSet] = []
    /// Members found unhealthy or without data before the choice, in the order tried.
    public var skipped: [SkippedSet] = []
    /// True when no member was healthy and the group answered as if all were (Route 53's rule).
    public var allUnhealthy = false
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
    public var steps: [RoutingStep] = []
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
        guard let pick = pick(entry, owner: owner, type: type, zone: zone, depth: 0,
                              result: &result, hit: &hit, client: client) else { return false }
        switch section {
        case .answer: result.answer += pick.rrset.records(owner: owner)
        case .additional: result.additional += pick.rrset.records(owner: owner)
        }
        return true
    }

    /// The longest alias chain followed.
    static let maxAliasDepth = 8

    /// Route 53 answers at most this many record sets of a multivalue answer group.
    static let maxMultivalueSets = 8

    /// An RRset chosen for the client, and whether the branch that gave it is healthy.
    private struct Pick { var rrset: RRSet; var healthy: Bool }

    /// The RRset an entry gives this client: plain sets as they are,
    /// aliases their target's, routed groups the member their policy and
    /// the health checks choose. Nil when there is no data (an alias to nothing).
    private func pick(_ entry: RecordSetEntry, owner: DomainName, type: RRType, zone: Zone, depth: Int,
                      result: inout Resolution, hit: inout MapHit?, client: ClientLocation) -> Pick? {
        switch entry {
        case .plain(let rrset): return Pick(rrset: rrset, healthy: true)
        case .alias(let target, let evaluateTargetHealth):
            return follow(target, evaluateTargetHealth: evaluateTargetHealth, type: type, zone: zone, depth: depth,
                          result: &result, hit: &hit, client: client)
        case .routed(let group):
            return choose(in: group, owner: owner, type: type, zone: zone, depth: depth, result: &result, hit: &hit, client: client)
        }
    }

    /// An alias's answer: its target's, healthy when the target is or when
    /// target health is not evaluated.
    private func follow(_ target: DomainName, evaluateTargetHealth: Bool, type: RRType, zone: Zone, depth: Int,
                        result: inout Resolution, hit: inout MapHit?, client: ClientLocation) -> Pick? {
        guard depth < Self.maxAliasDepth, let next = zone.nodes[target]?[type],
              let pick = pick(next, owner: target, type: type, zone: zone, depth: depth + 1, result: &result, hit: &hit, client: client)
        else { return nil }
        return Pick(rrset: pick.rrset, healthy: pick.healthy || !evaluateTargetHealth)
    }

    /// Chooses among a routed group's members by its policy, skipping
    /// unhealthy ones; when none is healthy, answers as if all were (Route
    /// 53's rule) and reports the branch unhealthy, so that an alias above
    /// that evaluates target health backs out of it.
    private func choose(in group: RoutedGroup, owner: DomainName, type: RRType, zone: Zone, depth: Int,
                        result: inout Resolution, hit: inout MapHit?, client: ClientLocation) -> Pick? {
        var step = RoutingStep(owner: owner, type: type, policy: group.policy)
        let position = result.steps.count   // steps read outermost first
        defer { result.steps.insert(step, at: position) }
        if case .multivalue = group.policy { return chooseMultivalue(in: group, type: type, step: &step) }
        var answer: (index: Int, pick: Pick)? = nil
        var fallback: (index: Int, pick: Pick)? = nil   // the first member with data: the as-if-healthy answer
        var rejected: [Int] = []

        /// Evaluates member `index`; true (and it is the answer) when it is healthy and has data.
        func accept(_ index: Int) -> Bool {
            guard !rejected.contains(index) else { return false }
            guard let pick = memberPick(group.members[index], type: type, zone: zone, depth: depth,
                                        result: &result, hit: &hit, client: client, step: &step) else {
                rejected.append(index); return false
            }
            if fallback == nil { fallback = (index, pick) }
            guard pick.healthy else { rejected.append(index); return false }
            answer = (index, pick)
            return true
        }

        switch group.policy {
        case .latency:
            let where_ = hit ?? latencyMap.lookup(client.address)
            hit = where_
            step.hit = where_
            result.scope = max(result.scope, where_.block.length)
            _ = group.firstLatencyMember(ranking: latencyMap.rankings[where_.ranking], fallback: fallbackRanking, where: accept)
        case .weighted:
            // By weight among the sets with a weight; sets of weight 0 only when none of those is healthy.
            var rng = SystemRandomNumberGenerator()
            for zeroWeight in [false, true] where answer == nil {
                var candidates = group.members.indices.filter { (group.members[$0].weight == 0) == zeroWeight }
                while answer == nil, !candidates.isEmpty {
                    let position = Self.weightedPosition(candidates.map { max(1, group.members[$0].weight) }, using: &rng)
                    if !accept(candidates[position]) { candidates.remove(at: position) }
                }
            }
        case .failover:
            let primaryFirst = group.members.indices.sorted { group.members[$0].isPrimary && !group.members[$1].isPrimary }
            _ = primaryFirst.first(where: accept)
        case .multivalue:
            preconditionFailure("handled above")
        }
        if let answer {
            step.chosen = [group.members[answer.index]]
            return answer.pick
        }
        guard let fallback else { return nil }
        step.allUnhealthy = true
        step.chosen = [group.members[fallback.index]]
        return fallback.pick
    }

    /// A member's RRset and health: unhealthy when its health check is, or
    /// when it is an alias evaluating target health whose target is.
    private func memberPick(_ member: RoutedRecordSet, type: RRType, zone: Zone, depth: Int, result: inout Resolution,
                            hit: inout MapHit?, client: ClientLocation, step: inout RoutingStep) -> Pick? {
        var pick: Pick
        switch member.content {
        case .records(let rrset): pick = Pick(rrset: rrset, healthy: true)
        case .alias(let target, let evaluateTargetHealth):
            guard let found = follow(target, evaluateTargetHealth: evaluateTargetHealth, type: type, zone: zone, depth: depth,
                                     result: &result, hit: &hit, client: client) else {
                step.skipped.append(SkippedSet(setIdentifier: member.setIdentifier, reason: "alias target \(target) has no \(type) data"))
                return nil
            }
            pick = found
            if !pick.healthy {
                step.skipped.append(SkippedSet(setIdentifier: member.setIdentifier,
                                               reason: "alias target \(target) is unhealthy (EvaluateTargetHealth)"))
            }
        }
        if let check = member.healthCheck, !health.isHealthy(check) {
            if pick.healthy { step.skipped.append(SkippedSet(setIdentifier: member.setIdentifier, reason: "health check \(check) is unhealthy")) }
            pick.healthy = false
        }
        return pick
    }

    /// Up to eight healthy sets of a multivalue group, in random order, as
    /// one RRset; up to eight of all when none is healthy (Route 53's rule).
    /// Multivalue sets hold records, never aliases (`Zone.build` checks).
    private func chooseMultivalue(in group: RoutedGroup, type: RRType, step: inout RoutingStep) -> Pick? {
        var healthy: [Int] = []
        for (index, member) in group.members.enumerated() {
            if let check = member.healthCheck, !health.isHealthy(check) {
                step.skipped.append(SkippedSet(setIdentifier: member.setIdentifier, reason: "health check \(check) is unhealthy"))
            } else {
                healthy.append(index)
            }
        }
        var rng = SystemRandomNumberGenerator()
        step.allUnhealthy = healthy.isEmpty
        let chosen = (healthy.isEmpty ? Array(group.members.indices) : healthy).shuffled(using: &rng).prefix(Self.maxMultivalueSets)
        var rdata: [RData] = [], ttl = UInt32.max
        for index in chosen {
            guard case .records(let rrset) = group.members[index].content else { continue }
            step.chosen.append(group.members[index])
            ttl = min(ttl, rrset.ttl)
            for data in rrset.rdata where !rdata.contains(data) { rdata.append(data) }
        }
        guard !rdata.isEmpty else { return nil }
        return Pick(rrset: RRSet(type: type, ttl: ttl, rdata: rdata), healthy: !healthy.isEmpty)
    }

    /// A position drawn at random in proportion to `weights` (all positive).
    static func weightedPosition(_ weights: [UInt32], using rng: inout some RandomNumberGenerator) -> Int {
        let total = weights.reduce(UInt64(0)) { $0 + UInt64($1) }
        var draw = UInt64.random(in: 0..<total, using: &rng)
        for (position, weight) in weights.enumerated() {
            if draw < UInt64(weight) { return position }
            draw -= UInt64(weight)
        }
        return weights.count - 1
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
