import DNSWire
import LatencyModel

extension AnswerRun {
    /// Chooses among a routed group's members by its policy, skipping
    /// unhealthy ones; when none is healthy, answers as if all were (Route
    /// 53's rule) and reports the branch unhealthy, so that an alias above
    /// that evaluates target health backs out of it.
    mutating func choose(in groupIndex: Int, owner: NameView, type: RRType, depth: Int) -> Pick? {
        let group = zone.groups[groupIndex]
        let step = sink.beginStep(owner: owner, type: type, group: groupIndex, in: zone)
        if case .multivalue = group.policy {
            isRepeatable = false
            return chooseMultivalue(group, type: type, step: step)
        }
        var trial = Trial()

        switch group.policy {
        case .latency:
            let found = hit ?? snapshot.latencyMap.lookup(client.address)
            hit = found
            sink.noteHit(found, step: step)
            outcome.scope = max(outcome.scope, found.block.length)
            offerLatencyMembers(of: group, ranking: found.ranking, type: type, depth: depth, step: step, trial: &trial)
        case .weighted:
            isRepeatable = false
            // By weight among the sets with a weight; sets of weight 0 only when none of those is healthy.
            for pass in 0..<2 where trial.answer == nil {
                let zeroWeight = pass == 1
                while trial.answer == nil {
                    var total: UInt64 = 0
                    for index in 0..<group.memberCount
                    where (zone.member(index, of: group).weight == 0) == zeroWeight && !trial.rejected.contains(index) {
                        total += UInt64(max(1, zone.member(index, of: group).weight))
                    }
                    guard total > 0 else { break }
                    var draw = UInt64.random(in: 0..<total, using: &generator)
                    for index in 0..<group.memberCount
                    where (zone.member(index, of: group).weight == 0) == zeroWeight && !trial.rejected.contains(index) {
                        let weight = UInt64(max(1, zone.member(index, of: group).weight))
                        if draw < weight {
                            _ = accept(index, of: group, type: type, depth: depth, step: step, trial: &trial)
                            break
                        }
                        draw -= weight
                    }
                }
            }
        case .failover:
            for pass in 0..<2 where trial.answer == nil {
                let primary = pass == 0
                for index in 0..<group.memberCount where zone.member(index, of: group).isPrimary == primary {
                    if accept(index, of: group, type: type, depth: depth, step: step, trial: &trial) { break }
                }
            }
        case .multivalue:
            preconditionFailure("handled above")
        }
        if let answer = trial.answer {
            sink.noteChosen(answer.index, step: step)
            return answer.pick
        }
        guard let fallback = trial.fallback else { return nil }
        sink.noteAllUnhealthy(step: step)
        sink.noteChosen(fallback.index, step: step)
        return fallback.pick
    }

    /// Offers a latency group's members in preference order until one is
    /// accepted: the regions of the client's ranking, then of the fallback
    /// (which holds every region), then any member left. A member may be
    /// offered twice. (Reads the rankings by position, in plain loops: a
    /// slice or a closure over `self` would retain the snapshot's tables.)
    private mutating func offerLatencyMembers(of group: IndexedGroup, ranking: Int, type: RRType, depth: Int, step: Int,
                                              trial: inout Trial) {
        var position = 0
        while let region = snapshot.latencyMap.rankings.region(position, of: ranking) {
            if let member = zone.latencyMember(of: group, for: region),
               accept(member, of: group, type: type, depth: depth, step: step, trial: &trial) {
                if position > 0 { decidedByFirstRegion = false }
                return
            }
            position += 1
        }
        decidedByFirstRegion = false
        for position in 0..<snapshot.fallbackRanking.count {
            if let member = zone.latencyMember(of: group, for: snapshot.fallbackRanking[position]),
               accept(member, of: group, type: type, depth: depth, step: step, trial: &trial) { return }
        }
        for member in 0..<group.memberCount where accept(member, of: group, type: type, depth: depth, step: step, trial: &trial) { return }
    }

    /// The members tried so far while choosing in one group.
    struct Trial {
        var answer: (index: Int, pick: Pick)? = nil
        /// The first member with data: the as-if-healthy answer.
        var fallback: (index: Int, pick: Pick)? = nil
        var rejected = MemberSet()
    }

    /// Evaluates member `index`; true (and it is the answer) when it is healthy and has data.
    private mutating func accept(_ index: Int, of group: IndexedGroup, type: RRType, depth: Int, step: Int,
                                 trial: inout Trial) -> Bool {
        guard !trial.rejected.contains(index) else { return false }
        guard let pick = memberPick(index, of: group, type: type, depth: depth, step: step) else {
            trial.rejected.insert(index)
            return false
        }
        if trial.fallback == nil { trial.fallback = (index, pick) }
        guard pick.healthy else {
            trial.rejected.insert(index)
            return false
        }
        trial.answer = (index, pick)
        return true
    }

    /// A member's RRset and health: unhealthy when its health check is, or
    /// when it is an alias evaluating target health whose target is.
    private mutating func memberPick(_ index: Int, of group: IndexedGroup, type: RRType, depth: Int, step: Int) -> Pick? {
        var pick: Pick
        switch zone.member(index, of: group).content {
        case .records(let set): pick = Pick(sets: PickedSets(set: set), healthy: true)
        case .alias(let target, let evaluateTargetHealth):
            guard let found = follow(target, evaluateTargetHealth: evaluateTargetHealth, type: type, depth: depth) else {
                sink.noteSkipped(index, reason: .aliasTargetHasNoData, type: type, step: step)
                return nil
            }
            pick = found
            if !pick.healthy { sink.noteSkipped(index, reason: .aliasTargetUnhealthy, type: type, step: step) }
        }
        if !isHealthy(index, of: group) {
            if pick.healthy { sink.noteSkipped(index, reason: .healthCheckUnhealthy, type: type, step: step) }
            pick.healthy = false
        }
        return pick
    }

    /// Whether member `index`'s health check (if any) passes; with every
    /// check healthy, the member is not even read.
    private func isHealthy(_ index: Int, of group: IndexedGroup) -> Bool {
        guard !snapshot.health.allHealthy else { return true }
        let check = zone.member(index, of: group).healthCheck
        return check < 0 || snapshot.health.isHealthy(zone.healthChecks[Int(check)])
    }

    /// Up to eight healthy sets of a multivalue group, in random order, as
    /// one answer; up to eight of all when none is healthy (Route 53's rule).
    /// Multivalue sets hold records, never aliases (`Zone.build` checks).
    private mutating func chooseMultivalue(_ indexed: IndexedGroup, type: RRType, step: Int) -> Pick? {
        let memberCount = indexed.memberCount
        var healthy = 0
        for index in 0..<memberCount {
            if isHealthy(index, of: indexed) {
                healthy += 1
            } else {
                sink.noteSkipped(index, reason: .healthCheckUnhealthy, type: type, step: step)
            }
        }
        let allUnhealthy = healthy == 0
        if allUnhealthy { sink.noteAllUnhealthy(step: step) }
        let eligible = allUnhealthy ? memberCount : healthy
        let wanted = min(eligible, Snapshot.maxMultivalueSets)
        // A uniform sample of `wanted` eligible members in member order
        // (selection sampling, Knuth's algorithm S)...
        var chosen = SIMD8<Int32>(), taken = 0, seen = 0
        for index in 0..<memberCount where taken < wanted && (allUnhealthy || isHealthy(index, of: indexed)) {
            if UInt64.random(in: 0..<UInt64(eligible - seen), using: &generator) < UInt64(wanted - taken) {
                chosen[taken] = Int32(index)
                taken += 1
            }
            seen += 1
        }
        // ...then in random order (Fisher–Yates).
        for position in stride(from: taken - 1, to: 0, by: -1) {
            let other = Int.random(in: 0...position, using: &generator)
            (chosen[position], chosen[other]) = (chosen[other], chosen[position])
        }
        var sets = PickedSets()
        for position in 0..<taken {
            let index = Int(chosen[position])
            guard case .records(let set) = zone.member(index, of: indexed).content else { continue }
            sink.noteChosen(index, step: step)
            sets.append(set)
        }
        return sets.count == 0 ? nil : Pick(sets: sets, healthy: !allUnhealthy)
    }
}

/// A set of member indices: bits for the first 256, an array beyond
/// (groups that large are rare, so the common case never allocates).
struct MemberSet {
    private var bits = SIMD4<UInt64>()
    private var beyond: [Int] = []

    func contains(_ index: Int) -> Bool {
        index < 256 ? bits[index >> 6] & (1 << UInt64(index & 63)) != 0 : beyond.contains(index)
    }

    mutating func insert(_ index: Int) {
        if index < 256 { bits[index >> 6] |= 1 << UInt64(index & 63) } else if !beyond.contains(index) { beyond.append(index) }
    }
}
