import DNSWire

/// Route 53's ChangeResourceRecordSets error texts, in one place.
///
/// Section numbers refer to /work/notes/route53-errors.md. Texts are
/// verbatim from real AWS responses unless a comment says "inferred" or
/// "invented". Names are printed with `route53Text`.
enum ChangeBatchMessages {
    // MARK: InvalidInput: schema (XSD) errors

    /// 1.23 (2013 sample, namespace updated to 2013-04-01).
    static let emptyChanges = xsdIncomplete("Changes", "Change")
    /// XSD form of ResourceRecords min 1 (chilts/nice-route53#8, 2016).
    static let emptyResourceRecords = xsdIncomplete("ResourceRecords", "ResourceRecord")

    /// 1.22b: an RRType outside Route 53's enum (2017 sample; list updated to today's enum).
    static func unsupportedType(_ type: RRType) -> String {
        let allowed = ChangeBatchValidator.supportedTypes.map(\.description).joined(separator: ", ")
        return "Invalid XML ; cvc-enumeration-valid: Value '\(type)' is not facet-valid with respect to enumeration '[\(allowed)]'. It must be a value from the enumeration."
    }

    private static func xsdIncomplete(_ element: String, _ expected: String) -> String {
        "Invalid XML ; cvc-complex-type.2.4.b: The content of element '\(element)' is not complete. One of '{\"https://route53.amazonaws.com/doc/2013-04-01/\":\(expected)}' is expected."
    }

    // MARK: InvalidInput: member (coral) validation, section 0.3

    /// `1 validation error detected: Value '<v>' at 'changeBatch.changes.<n>.member.resourceRecordSet.<field>' ...`.
    /// Verbatim for negative TTL (1.14); the other constraints follow the
    /// same coral wording (inferred).
    static func member(change index: Int, _ field: String, _ value: String, _ constraint: String) -> String {
        "1 validation error detected: Value '\(value)' at 'changeBatch.changes.\(index + 1).member.resourceRecordSet.\(field)' failed to satisfy constraint: Member must \(constraint)"
    }

    // MARK: InvalidInput: "Invalid request" (1.8–1.13)

    /// 1.13a/b: `found` is "none" or "more than one".
    static func recordsOrAlias(found: String, _ change: Change) -> String {
        "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found \(found) \(describe(change))"
    }

    /// 1.9 (current list, ~2025); "more than one" (1.10) is inferred.
    static func routingPolicy(found: String, _ change: Change) -> String {
        "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found \(found) \(describe(change))"
    }

    /// 1.8.
    static func missingSetIdentifier(_ change: Change) -> String {
        "Invalid request: Missing field 'SetIdentifier' \(describe(change))"
    }

    /// Route 53 echoes the Name as sent (no dot added); without the sent
    /// text, the parsed name's `route53Text`.
    private static func describe(_ change: Change) -> String {
        let set = change.recordSet
        let name = change.nameAsSent ?? set.name.route53Text
        return "in Change with [Action=\(change.action.rawValue), Name=\(name), Type=\(set.type), SetIdentifier=\(set.setIdentifier ?? "null")]"
    }

    // MARK: InvalidChangeBatch: limits (1.25, 1.26)

    static let tooManyRecords = "Number of records limit of 1000 exceeded."
    static let tooManyCharacters = "RDATA character limit of 32000 exceeded."

    // MARK: InvalidChangeBatch: record values (1.15)

    /// `Invalid Resource Record: 'FATAL problem: <code> (<description>) encountered with '<value>''`.
    static func invalidValue(_ problem: ValueProblem, _ value: String) -> String {
        "Invalid Resource Record: 'FATAL problem: \(problem.code) (\(problem.description)) encountered with '\(value)''"
    }

    // MARK: InvalidChangeBatch: state (1.1–1.12, 1.19–1.27)

    /// 1.1.
    static func alreadyExists(_ set: ResourceRecordSet) -> String {
        "Tried to create resource record set \(bracketed(set)) but it already exists"
    }
    /// 1.2 (the set-identifier form is inferred from 1.1).
    static func notFound(_ set: ResourceRecordSet) -> String {
        "Tried to delete resource record set \(bracketed(set)) but it was not found"
    }
    /// 1.3.
    static func valuesDoNotMatch(_ set: ResourceRecordSet) -> String {
        "Tried to delete resource record set \(bracketed(set)) but the values provided do not match the current values"
    }

    private static func bracketed(_ set: ResourceRecordSet) -> String {
        let id = set.setIdentifier.map { ", set-identifier='\($0)'" } ?? ""
        return "[name='\(set.name.route53Text)', type='\(set.type)'\(id)]"
    }

    /// 1.24.
    static func invalidSetOfChanges(_ set: ResourceRecordSet) -> String {
        "The request contains an invalid set of changes for a resource record set '\(set.type) \(set.name.route53Text)'"
    }

    /// 1.7.
    static func outsideZone(_ name: DomainName, _ zone: DomainName) -> String {
        "RRSet with DNS name \(name.route53Text) is not permitted in zone \(zone.route53Text)"
    }

    /// 1.4: a new CNAME where other types exist.
    static func cnameConflicts(_ name: DomainName, _ zone: DomainName) -> String {
        "RRSet of type CNAME with DNS name \(name.route53Text) is not permitted as it conflicts with other records with the same DNS name in zone \(zone.route53Text)"
    }

    /// 1.5: another type where a CNAME exists. Current form, one space in
    /// "type CNAME" (2022/2024); 2013–2020 responses had two.
    static func conflictsWithCNAME(_ type: RRType, _ name: DomainName, _ zone: DomainName) -> String {
        "RRSet of type \(type) with DNS name \(name.route53Text) is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone \(zone.route53Text)"
    }

    /// 1.11.
    static func duplicateLatencyRegion(_ set: ResourceRecordSet) -> String {
        "RRSet with DNS name \(set.name.route53Text), type \(set.type), SetIdentifier \(set.setIdentifier ?? ""), and Region Name=\(set.region ?? "") cannot be created because a latency RRSet with the same name, type and region already exists."
    }

    /// 1.12a: a simple set where routed sets exist.
    static func otherSetsExist(_ set: ResourceRecordSet) -> String {
        "RRSet with DNS name \(set.name.route53Text), type \(set.type) cannot be created as other RRSets exist with the same name and type."
    }

    /// 1.12b/c: a routed set where sets of another policy (or a simple set) exist.
    /// Verbatim for weighted and multivalue (whose wording differs and which
    /// quotes the id); "non-latency", "non-failover" and "non-geolocation"
    /// are inferred from the weighted form.
    static func otherPolicyExists(_ set: ResourceRecordSet, _ policy: RoutingPolicy) -> String {
        let prefix = "RRSet with DNS name \(set.name.route53Text), type \(set.type), SetIdentifier"
        let id = set.setIdentifier ?? ""
        if policy == .multiValue {
            return "\(prefix) \"\(id)\" cannot be created because a non multivalue answer rrset exists with the same name and type."
        }
        return "\(prefix) \(id) cannot be created as a non-\(policy.rawValue) set exists with the same name and type."
    }

    /// 1.19.
    static func aliasTargetNotFound(_ set: ResourceRecordSet, _ alias: AliasTarget) -> String {
        "\(aliasPrefix(set, alias)), but that target was not found"
    }
    /// 1.19b.
    static func aliasTargetOutsideZone(_ set: ResourceRecordSet, _ alias: AliasTarget) -> String {
        "\(aliasPrefix(set, alias)), but the alias target name does not lie within the target zone"
    }
    /// 1.20 is not found in any source: invented in the 1.19 pattern.
    static func aliasTargetsItself(_ set: ResourceRecordSet, _ alias: AliasTarget) -> String {
        "\(aliasPrefix(set, alias)), but that target is the alias itself"
    }

    private static func aliasPrefix(_ set: ResourceRecordSet, _ alias: AliasTarget) -> String {
        "Tried to create an alias that targets \(alias.dnsName.route53Text), type \(set.type) in zone \(alias.hostedZoneID)"
    }

    /// 1.27.
    static let exactlyOneSOA = "A HostedZone must contain exactly one SOA record."
    /// 1.27b.
    static let apexNS = "A HostedZone must contain at least one NS record for the zone itself."
}
