import DNSWire
import LatencyModel

/// Route 53's ChangeResourceRecordSets rules for one hosted zone.
///
/// Order, as Route 53: structural problems (`InvalidInput`, the first one
/// only), then batch limits, then every semantic problem of the batch
/// (`InvalidChangeBatch`, all messages).
public struct ChangeBatchValidator: Sendable {
    /// The record types Route 53 accepts (the API's RRType enum, in its order).
    public static let supportedTypes: [RRType] = [
        .soa, .a, .txt, .ns, .cname, .mx, .naptr, .ptr, .srv, .spf, .aaaa, .caa, .ds, .tlsa, .sshfp, .svcb, .https,
    ]
    /// Most ResourceRecord elements and Value characters in a batch (UPSERT counts twice).
    public static let maxRecords = 1000, maxCharacters = 32_000

    public let zone: HostedZone
    public let catalog: RegionCatalog

    public init(zone: HostedZone, catalog: RegionCatalog) {
        self.zone = zone; self.catalog = catalog
    }

    /// Validates `changes` as a whole against `current` (the zone's record sets) and returns the zone's record sets after applying them, or the error Route 53 would return. Nothing is partially applied: the caller stores the result only on success.
    public func apply(_ changes: [Change], to current: [ResourceRecordSet]) -> Result<[ResourceRecordSet], Route53Error> {
        let changes = changes.map(\.normalized)
        if let problem = StructuralChecks(catalog: catalog).firstProblem(in: changes) {
            return .failure(.invalidInput(problem))
        }
        let limits = limitProblems(changes)
        guard limits.isEmpty else { return .failure(.invalidChangeBatch(limits)) }
        var state = StateChecks(zone: zone, current: current)
        for change in changes { state.apply(change) }
        state.checkAliasTargets(of: changes)
        state.checkApex(after: changes)
        return state.problems.isEmpty ? .success(state.recordSets) : .failure(.invalidChangeBatch(state.problems))
    }

    /// Route 53's per-batch limits on records and value characters.
    private func limitProblems(_ changes: [Change]) -> [String] {
        var records = 0, characters = 0
        for change in changes {
            let weight = change.action == .upsert ? 2 : 1
            let values = change.recordSet.records ?? []
            records += weight * values.count
            characters += weight * values.reduce(0) { $0 + $1.count }
        }
        return [(records > Self.maxRecords, ChangeBatchMessages.tooManyRecords),
                (characters > Self.maxCharacters, ChangeBatchMessages.tooManyCharacters)].filter(\.0).map(\.1)
    }
}

extension Change {
    /// The change with names lowercased, as Route 53 stores them.
    var normalized: Change {
        var change = self
        change.recordSet.name = recordSet.name.lowercased
        if let target = recordSet.aliasTarget?.dnsName { change.recordSet.aliasTarget?.dnsName = target.lowercased }
        return change
    }
}
