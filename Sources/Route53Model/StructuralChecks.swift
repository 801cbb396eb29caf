import DNSWire
import LatencyModel

/// A routing policy, named as Route 53's messages name it.
enum RoutingPolicy: String {
    case weighted, latency, failover, geolocation, multiValue = "multivalue answer"
}

extension ResourceRecordSet {
    /// The policies whose routing element is present; valid sets have at most one.
    var routingPolicies: [RoutingPolicy] {
        let present: [(Bool, RoutingPolicy)] = [
            (weight != nil, .weighted), (region != nil, .latency), (failover != nil, .failover),
            (geoLocation != nil, .geolocation), (multiValueAnswer != nil, .multiValue),
        ]
        return present.filter(\.0).map(\.1)
    }

    /// The set's policy; nil for a simple set.
    var routingPolicy: RoutingPolicy? { routingPolicies.first }
}

/// The checks Route 53 answers with `InvalidInput`: one change at a time,
/// stopping at the first problem. Schema and member (range, length, enum)
/// checks run over the whole batch before the "Invalid request" ones, as
/// Route 53 validates the request's shape before its meaning.
struct StructuralChecks {
    let catalog: RegionCatalog

    /// The first structural problem of `changes`, if any.
    func firstProblem(in changes: [Change]) -> String? {
        guard !changes.isEmpty else { return ChangeBatchMessages.emptyChanges }
        for check in [schemaProblem, memberProblem, requestProblem] {
            for (index, change) in changes.enumerated() {
                if let problem = check(change, index) { return problem }
            }
        }
        return nil
    }

    /// XSD errors: unsupported type, empty ResourceRecords.
    private func schemaProblem(_ change: Change, _ index: Int) -> String? {
        let set = change.recordSet
        if !ChangeBatchValidator.supportedTypes.contains(set.type) { return ChangeBatchMessages.unsupportedType(set.type) }
        if set.records?.isEmpty == true { return ChangeBatchMessages.emptyResourceRecords }
        return nil
    }

    /// Coral member constraints from the API model.
    private func memberProblem(_ change: Change, _ index: Int) -> String? {
        let set = change.recordSet
        func problem(_ field: String, _ value: some CustomStringConvertible, _ constraint: String) -> String {
            ChangeBatchMessages.member(change: index, field, value.description, constraint)
        }
        if let ttl = set.ttl, ttl < 0 { return problem("tTL", ttl, "have value greater than or equal to 0") }
        if let ttl = set.ttl, ttl > Int64(Int32.max) { return problem("tTL", ttl, "have value less than or equal to 2147483647") }
        if let weight = set.weight, weight < 0 { return problem("weight", weight, "have value greater than or equal to 0") }
        if let weight = set.weight, weight > 255 { return problem("weight", weight, "have value less than or equal to 255") }
        if let id = set.setIdentifier, id.isEmpty { return problem("setIdentifier", id, "have length greater than or equal to 1") }
        if let id = set.setIdentifier, id.count > 128 { return problem("setIdentifier", id, "have length less than or equal to 128") }
        if let region = set.region, catalog.id(of: region) == nil {
            let names = catalog.regions.map(\.name).joined(separator: ", ")
            return problem("region", region, "satisfy enum value set: [\(names)]")
        }
        if let failover = set.failover, !["PRIMARY", "SECONDARY"].contains(failover) {
            return problem("failover", failover, "satisfy enum value set: [PRIMARY, SECONDARY]")
        }
        return nil
    }

    /// Route 53's "Invalid request: ..." checks: data or alias, routing element and SetIdentifier.
    private func requestProblem(_ change: Change, _ index: Int) -> String? {
        let set = change.recordSet
        let hasRecords = set.ttl != nil && set.records != nil
        if set.aliasTarget != nil && (set.ttl != nil || set.records != nil) {
            return ChangeBatchMessages.recordsOrAlias(found: "more than one", change)
        }
        if set.aliasTarget == nil && !hasRecords { return ChangeBatchMessages.recordsOrAlias(found: "none", change) }
        switch (set.routingPolicies.count, set.setIdentifier) {
        case (2..., _): return ChangeBatchMessages.routingPolicy(found: "more than one", change)
        case (1, nil): return ChangeBatchMessages.missingSetIdentifier(change)
        case (0, .some): return ChangeBatchMessages.routingPolicy(found: "none", change)
        default: return nil
        }
    }
}
