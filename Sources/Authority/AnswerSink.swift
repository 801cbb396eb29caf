import DNSWire
import LatencyModel

/// The message sections the answer engine fills.
enum AnswerSection { case answer, authority, additional }

/// Why a routed member was passed over.
enum SkipReason { case aliasTargetHasNoData, aliasTargetUnhealthy, healthCheckUnhealthy }

/// Receives what the answer engine decides: records in message order (all
/// answer records, then authority, then additional) and the routing steps.
///
/// A step is announced by `beginStep` before any step taken inside it (an
/// alias target's group), so steps read outermost first.
protocol AnswerSink {
    mutating func add(_ section: AnswerSection, owner: NameView, _ pick: PickedSets, in zone: ZoneIndex)
    /// A step choosing in routed group `group` (an index into `zone.groups`).
    mutating func beginStep(owner: NameView, type: RRType, group: Int, in zone: ZoneIndex) -> Int
    mutating func noteHit(_ hit: MapHit, step: Int)
    mutating func noteSkipped(_ member: Int, reason: SkipReason, type: RRType, step: Int)
    mutating func noteChosen(_ member: Int, step: Int)
    mutating func noteAllUnhealthy(step: Int)
}

/// Builds a `Resolution` (records and routing steps as values) from the engine's decisions.
struct ResolutionBuilder: AnswerSink {
    var resolution = Resolution()
    private var groups: [RoutedGroup] = []   // the group of each step

    mutating func add(_ section: AnswerSection, owner: NameView, _ pick: PickedSets, in zone: ZoneIndex) {
        var rdata: [RData] = []
        zone.forEachRecord(of: pick) { record, set in rdata.append(zone.data(ofRecord: record, inSet: set)) }
        let owner = owner.domainName
        let records = rdata.map { Record(name: owner, ttl: zone.ttl(of: pick), data: $0) }
        switch section {
        case .answer: resolution.answer += records
        case .authority: resolution.authority += records
        case .additional: resolution.additional += records
        }
    }

    mutating func beginStep(owner: NameView, type: RRType, group index: Int, in zone: ZoneIndex) -> Int {
        let group = zone.routedGroups[index]
        resolution.steps.append(RoutingStep(owner: owner.domainName, type: type, policy: group.policy))
        groups.append(group)
        return resolution.steps.count - 1
    }

    mutating func noteHit(_ hit: MapHit, step: Int) { resolution.steps[step].hit = hit }

    mutating func noteSkipped(_ member: Int, reason: SkipReason, type: RRType, step: Int) {
        let set = groups[step].members[member]
        let text: String
        switch (reason, set.content) {
        case (.aliasTargetHasNoData, .alias(let target, _)): text = "alias target \(target) has no \(type) data"
        case (.aliasTargetUnhealthy, .alias(let target, _)): text = "alias target \(target) is unhealthy (EvaluateTargetHealth)"
        default: text = "health check \(set.healthCheck ?? "") is unhealthy"
        }
        resolution.steps[step].skipped.append(SkippedSet(setIdentifier: set.setIdentifier, reason: text))
    }

    mutating func noteChosen(_ member: Int, step: Int) { resolution.steps[step].chosen.append(groups[step].members[member]) }

    mutating func noteAllUnhealthy(step: Int) { resolution.steps[step].allUnhealthy = true }
}
