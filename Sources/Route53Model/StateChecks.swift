import DNSWire

/// The checks Route 53 answers with `InvalidChangeBatch`: applies the
/// changes in order to a working copy of the zone's record sets and
/// collects every problem, as Route 53 reports them all at once.
struct StateChecks {
    let zone: HostedZone
    /// The working copy, grouped by name (few sets share a name).
    private var byName: [DomainName: [ResourceRecordSet]] = [:]
    /// The actions already applied to each key in this batch.
    private var actions: [RecordSetKey: [ChangeAction]] = [:]
    private(set) var problems: [String] = []

    init(zone: HostedZone, current: [ResourceRecordSet]) {
        self.zone = zone
        for set in current { byName[set.name, default: []].append(set) }
    }

    /// The record sets, in Route 53's listing order.
    var recordSets: [ResourceRecordSet] { byName.values.joined().sorted { $0.key < $1.key } }

    /// Applies one change, recording its problems. Only DELETE then CREATE
    /// may touch the same key twice in a batch (the documented way to
    /// replace a set); Route 53's rule for other pairs is not documented.
    mutating func apply(_ change: Change) {
        let set = change.recordSet
        guard set.name.isSubdomain(of: zone.name) else {
            return problems.append(ChangeBatchMessages.outsideZone(set.name, zone.name))
        }
        problems += ValueChecks.problems(in: set)
        let previous = actions[set.key, default: []]
        actions[set.key, default: []].append(change.action)
        guard previous.isEmpty || (previous == [.delete] && change.action == .create) else {
            return problems.append(ChangeBatchMessages.invalidSetOfChanges(set))
        }
        let existing = self[set.key]
        switch change.action {
        case .delete:
            guard let existing else { return problems.append(ChangeBatchMessages.notFound(set)) }
            guard existing.sameContent(as: set) else { return problems.append(ChangeBatchMessages.valuesDoNotMatch(set)) }
            self[set.key] = nil
        case .create where existing != nil:
            problems.append(ChangeBatchMessages.alreadyExists(set))
        case .create, .upsert:
            problems += conflicts(of: set)
            self[set.key] = set
        }
    }

    /// Problems between `set` and the other sets at its name: CNAME beside
    /// other types, and routing policies of one name and type (1.4–1.12).
    private func conflicts(of set: ResourceRecordSet) -> [String] {
        let others = (byName[set.name] ?? []).filter { $0.key != set.key }
        var found: [String] = []
        if set.type == .cname, others.contains(where: { $0.type != .cname }) {
            found.append(ChangeBatchMessages.cnameConflicts(set.name, zone.name))
        }
        if set.type != .cname, others.contains(where: { $0.type == .cname }) {
            found.append(ChangeBatchMessages.conflictsWithCNAME(set.type, set.name, zone.name))
        }
        let sameType = others.filter { $0.type == set.type }
        if let policy = set.routingPolicy {
            if sameType.contains(where: { $0.routingPolicy != policy }) {
                found.append(ChangeBatchMessages.otherPolicyExists(set, policy))
            } else if policy == .latency, sameType.contains(where: { $0.region == set.region }) {
                found.append(ChangeBatchMessages.duplicateLatencyRegion(set))
            }
        } else if !sameType.isEmpty {
            found.append(ChangeBatchMessages.otherSetsExist(set))
        }
        return found
    }

    /// After the batch: every alias created in this zone targets a set of
    /// its type that exists (1.19). Aliases into other zones are not checked.
    mutating func checkAliasTargets(of changes: [Change]) {
        for change in changes where change.action != .delete {
            let set = change.recordSet
            guard let alias = set.aliasTarget, HostedZoneID.bare(alias.hostedZoneID) == zone.id,
                  set.name.isSubdomain(of: zone.name) else { continue }
            if alias.dnsName == set.name {
                problems.append(ChangeBatchMessages.aliasTargetsItself(set, alias))
                continue
            }
            if !alias.dnsName.isSubdomain(of: zone.name) {
                problems.append(ChangeBatchMessages.aliasTargetOutsideZone(set, alias))
            }
            if !(byName[alias.dnsName] ?? []).contains(where: { $0.type == set.type }) {
                problems.append(ChangeBatchMessages.aliasTargetNotFound(set, alias))
            } else if leadsBack(to: set.name, from: alias.dnsName, type: set.type) {
                problems.append(ChangeBatchMessages.aliasTargetsItself(set, alias))
            }
        }
    }

    /// True when following same-zone aliases of `type` from `start` reaches `origin` again.
    private func leadsBack(to origin: DomainName, from start: DomainName, type: RRType) -> Bool {
        var seen: Set<DomainName> = []
        var pending = [start]
        while let name = pending.popLast() {
            if name == origin { return true }
            guard seen.insert(name).inserted else { continue }
            for target in byName[name] ?? [] where target.type == type {
                if let hop = target.aliasTarget, HostedZoneID.bare(hop.hostedZoneID) == zone.id { pending.append(hop.dnsName) }
            }
        }
        return false
    }

    /// After the batch, when it touched them: exactly one SOA set, at the
    /// apex, holding one record; an NS set at the apex (1.27).
    mutating func checkApex(after changes: [Change]) {
        if changes.contains(where: { $0.recordSet.type == .soa }) {
            let soa = byName.values.joined().filter { $0.type == .soa }
            if soa.count != 1 || soa[0].name != zone.name || soa[0].records?.count != 1 {
                problems.append(ChangeBatchMessages.exactlyOneSOA)
            }
        }
        if changes.contains(where: { $0.recordSet.type == .ns && $0.recordSet.name == zone.name }),
           !(byName[zone.name] ?? []).contains(where: { $0.type == .ns && $0.records?.isEmpty == false }) {
            problems.append(ChangeBatchMessages.apexNS)
        }
    }

    /// The set stored under `key`.
    private subscript(key: RecordSetKey) -> ResourceRecordSet? {
        get { byName[key.name]?.first { $0.key == key } }
        set {
            var sets = (byName[key.name] ?? []).filter { $0.key != key }
            if let newValue { sets.append(newValue) }
            byName[key.name] = sets.isEmpty ? nil : sets
        }
    }
}

extension ResourceRecordSet {
    /// True when `other` has the same TTL, values (in any order and
    /// spelling), alias target and routing fields; DELETE requires it.
    func sameContent(as other: ResourceRecordSet) -> Bool {
        func normalized(_ set: ResourceRecordSet) -> ResourceRecordSet {
            var set = set
            set.records = set.records?.map { ValueChecks.canonical($0, set.type) }.sorted()
            if let id = set.aliasTarget?.hostedZoneID { set.aliasTarget?.hostedZoneID = HostedZoneID.bare(id) }
            return set
        }
        return normalized(self) == normalized(other)
    }
}
