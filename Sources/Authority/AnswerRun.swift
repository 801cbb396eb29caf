import DNSWire
import LatencyModel

/// One run of the answer engine in one zone: the state it threads through
/// its steps, and the steps themselves (RFC 1034 §4.3.2).
struct AnswerRun<Sink: AnswerSink, Generator: RandomNumberGenerator> {
    let snapshot: Snapshot
    let zone: ZoneIndex
    let client: ClientLocation
    var sink: Sink
    var generator: Generator
    var outcome = AnswerOutcome(authoritative: true)
    /// The latency map block the client fell in, looked up at most once:
    /// nil when the answer does not depend on the client.
    var hit: MapHit? = nil
    /// False once a choice was random (weighted, multivalue): asked again,
    /// the same question may get another answer.
    var isRepeatable = true
    /// True while every latency choice took the member of the first region
    /// of the client's ranking: then every client whose ranking starts with
    /// that region gets this answer.
    var decidedByFirstRegion = true

    init(snapshot: Snapshot, zone: ZoneIndex, client: ClientLocation, sink: Sink, generator: Generator) {
        self.snapshot = snapshot; self.zone = zone; self.client = client; self.sink = sink; self.generator = generator
    }

    /// An RRset chosen for the client, and whether the branch that gave it is healthy.
    struct Pick { var sets: PickedSets; var healthy: Bool }

    mutating func answer(_ question: NameView, type: RRType) {
        // The CNAMEs followed, on the stack: a chain ends before `Snapshot.maxChain` links.
        withUnsafeTemporaryAllocation(of: (target: NameView, pick: PickedSets).self, capacity: Snapshot.maxChain) { links in
            answer(question, type: type, links: links)
        }
    }

    /// `links` holds trivial values, so its first `followed` elements are written by plain assignment.
    private mutating func answer(_ question: NameView, type: RRType, links: UnsafeMutableBufferPointer<(target: NameView, pick: PickedSets)>) {
        var name = question
        var followed = 0
        while true {
            if let cut = zone.cut(atOrAbove: name), !(cut == name && type == .ds) {
                referral(to: cut, answered: followed > 0)
                return
            }
            guard let node = zone.node(named: name) ?? zone.wildcardSource(for: name) else {
                outcome.rcode = .nxDomain
                negative()
                return
            }
            if type != .any, let entry = zone.entry(type, at: node) {
                if let pick = pick(entry, owner: name, type: type, depth: 0) {
                    sink.add(.answer, owner: name, pick.sets, in: zone)
                    if type == .ns || type == .mx || type == .srv {
                        for link in links[..<followed] { addAdditional(forTargetsOf: link.pick) }
                        addAdditional(forTargetsOf: pick.sets)
                    }
                } else {
                    negative()
                }
                return
            }
            if type == .any, let first = zone.firstEntry(at: node) {
                if let pick = pick(first.kind, owner: name, type: first.type, depth: 0) {
                    sink.add(.answer, owner: name, pick.sets, in: zone)
                } else {
                    negative()
                }
                return
            }
            if let cname = zone.entry(.cname, at: node) {
                guard let pick = pick(cname, owner: name, type: .cname, depth: 0) else {
                    negative()  // an alias CNAME whose target has none
                    return
                }
                sink.add(.answer, owner: name, pick.sets, in: zone)
                guard let target = lastCNAMETarget(of: pick.sets), target.isSubdomain(of: zone.origin), target != question,
                      !links[..<followed].contains(where: { $0.target == target }), followed + 1 < Snapshot.maxChain
                else { return }
                links[followed] = (target, pick.sets)
                followed += 1
                name = target
                continue
            }
            negative()
            return
        }
    }

    /// The zone's SOA in authority (RFC 2308).
    private mutating func negative() {
        sink.add(.authority, owner: zone.origin, PickedSets(set: Int32(zone.negativeSOA)), in: zone)
    }

    /// The target of the last record of `pick` when it is a CNAME.
    private func lastCNAMETarget(of pick: PickedSets) -> NameView? {
        var last: Int? = nil
        zone.forEachRecord(of: pick) { record, _ in last = record }
        guard let last, zone.records[last].type == .cname else { return nil }
        return zone.records[last].target(in: zone.rdata)
    }

    /// A referral: the child's NS in authority, in-zone glue in additional.
    /// Not authoritative unless a CNAME chain already answered (RFC 1034 §4.3.2 step 3b).
    private mutating func referral(to cut: NameView, answered: Bool) {
        outcome.authoritative = answered
        guard let node = zone.node(named: cut), case .plain(let ns)? = zone.entry(.ns, at: node) else { return }
        sink.add(.authority, owner: cut, PickedSets(set: ns), in: zone)
        let zone = self.zone
        for record in zone.sets[Int(ns)].records where zone.records[record].type == .ns {
            guard let target = zone.records[record].target(in: zone.rdata), target.isSubdomain(of: zone.origin),
                  let targetNode = zone.node(named: target) else { continue }
            for type in AddressTypes() {
                if case .plain(let glue)? = zone.entry(type, at: targetNode) {
                    sink.add(.additional, owner: target, PickedSets(set: glue), in: zone)
                }
            }
        }
    }

    /// Address records for the targets of `pick`'s records, from this zone.
    private mutating func addAdditional(forTargetsOf pick: PickedSets) {
        let zone = self.zone
        zone.forEachRecord(of: pick) { record, _ in
            guard let target = zone.records[record].target(in: zone.rdata), target.isSubdomain(of: zone.origin),
                  zone.cut(atOrAbove: target) == nil, let node = zone.node(named: target) else { return }
            for type in AddressTypes() {
                if let entry = zone.entry(type, at: node), let found = self.pick(entry, owner: target, type: type, depth: 0) {
                    sink.add(.additional, owner: target, found.sets, in: zone)
                }
            }
        }
    }

    /// The RRset an entry gives this client: plain sets as they are,
    /// aliases their target's, routed groups the member their policy and
    /// the health checks choose. Nil when there is no data (an alias to nothing).
    mutating func pick(_ entry: IndexedEntry.Kind, owner: NameView, type: RRType, depth: Int) -> Pick? {
        switch entry {
        case .plain(let set): Pick(sets: PickedSets(set: set), healthy: true)
        case .alias(let target, let evaluateTargetHealth):
            follow(target, evaluateTargetHealth: evaluateTargetHealth, type: type, depth: depth)
        case .routed(let group): choose(in: Int(group), owner: owner, type: type, depth: depth)
        }
    }

    /// An alias's answer: its target's, healthy when the target is or when
    /// target health is not evaluated.
    mutating func follow(_ target: Int32, evaluateTargetHealth: Bool, type: RRType, depth: Int) -> Pick? {
        guard depth < Snapshot.maxAliasDepth, target >= 0, let next = zone.entry(type, at: Int(target)),
              let found = pick(next, owner: zone.names.name(at: Int(target)), type: type, depth: depth + 1)
        else { return nil }
        return Pick(sets: found.sets, healthy: found.healthy || !evaluateTargetHealth)
    }
}

/// A and AAAA, in the order additional data lists them.
struct AddressTypes: Sequence, IteratorProtocol {
    private var upcoming: RRType? = .a
    mutating func next() -> RRType? {
        defer { upcoming = upcoming == .a ? .aaaa : nil }
        return upcoming
    }
}
