import DNSWire

/// A hosted zone as Route 53's API describes it.
///
/// Invariants: `id` is unique and has no `/hostedzone/` prefix; `name` is
/// absolute and lowercase; `callerReference` is unique across zones.
public struct HostedZone: Codable, Hashable, Sendable {
    public var id: String
    public var name: DomainName
    public var callerReference: String
    public var comment: String?
    public init(id: String, name: DomainName, callerReference: String, comment: String? = nil) {
        self.id = id; self.name = name; self.callerReference = callerReference; self.comment = comment
    }
}

/// Route 53's AliasTarget: answer with another record set's data.
public struct AliasTarget: Codable, Hashable, Sendable {
    public var hostedZoneID: String
    public var dnsName: DomainName
    public var evaluateTargetHealth: Bool
    public init(hostedZoneID: String, dnsName: DomainName, evaluateTargetHealth: Bool) {
        self.hostedZoneID = hostedZoneID; self.dnsName = dnsName; self.evaluateTargetHealth = evaluateTargetHealth
    }
}

/// Route 53's GeoLocation routing element (stored; answered by a later release).
public struct GeoLocation: Codable, Hashable, Sendable {
    public var continentCode: String?
    public var countryCode: String?
    public var subdivisionCode: String?
    public init(continentCode: String? = nil, countryCode: String? = nil, subdivisionCode: String? = nil) {
        self.continentCode = continentCode; self.countryCode = countryCode; self.subdivisionCode = subdivisionCode
    }
}

/// Route 53's ResourceRecordSet.
///
/// Invariants (established by `ChangeBatchValidator`): `name` is lowercase
/// and inside its zone; exactly one of (`ttl` and `records`) or
/// `aliasTarget`; `setIdentifier` is present exactly when one routing
/// element (`weight`, `region`, `failover`, `geoLocation`,
/// `multiValueAnswer`) is.
public struct ResourceRecordSet: Codable, Hashable, Sendable {
    public var name: DomainName
    public var type: RRType
    public var setIdentifier: String?
    public var weight: Int64?
    public var region: String?
    public var failover: String?
    public var geoLocation: GeoLocation?
    public var multiValueAnswer: Bool?
    public var ttl: Int64?
    /// ResourceRecords values in presentation format, as given.
    public var records: [String]?
    public var aliasTarget: AliasTarget?
    public var healthCheckID: String?

    public init(name: DomainName, type: RRType, setIdentifier: String? = nil, weight: Int64? = nil,
                region: String? = nil, failover: String? = nil, geoLocation: GeoLocation? = nil,
                multiValueAnswer: Bool? = nil, ttl: Int64? = nil, records: [String]? = nil,
                aliasTarget: AliasTarget? = nil, healthCheckID: String? = nil) {
        self.name = name; self.type = type; self.setIdentifier = setIdentifier; self.weight = weight
        self.region = region; self.failover = failover; self.geoLocation = geoLocation
        self.multiValueAnswer = multiValueAnswer; self.ttl = ttl; self.records = records
        self.aliasTarget = aliasTarget; self.healthCheckID = healthCheckID
    }

    /// What identifies a record set within its zone.
    public var key: RecordSetKey { RecordSetKey(name: name, type: type, setIdentifier: setIdentifier) }
}

/// Name, type and set identifier: unique within a zone.
public struct RecordSetKey: Hashable, Sendable, Comparable {
    public var name: DomainName
    public var type: RRType
    public var setIdentifier: String?

    public init(name: DomainName, type: RRType, setIdentifier: String?) {
        self.name = name; self.type = type; self.setIdentifier = setIdentifier
    }

    /// Route 53's listing order: names by `route53SortKey`, then type by
    /// mnemonic, then set identifier.
    public static func < (a: RecordSetKey, b: RecordSetKey) -> Bool {
        if a.name != b.name { return DomainName.route53Order(a.name, b.name) }
        if a.type != b.type { return a.type.description < b.type.description }
        return (a.setIdentifier ?? "") < (b.setIdentifier ?? "")
    }
}

public enum ChangeAction: String, Codable, Sendable, CaseIterable {
    case create = "CREATE", delete = "DELETE", upsert = "UPSERT"
}

public struct Change: Codable, Hashable, Sendable {
    public var action: ChangeAction
    public var recordSet: ResourceRecordSet
    /// The record set's Name as the client wrote it, for messages that echo it.
    public var nameAsSent: String?
    public init(action: ChangeAction, recordSet: ResourceRecordSet, nameAsSent: String? = nil) {
        self.action = action; self.recordSet = recordSet; self.nameAsSent = nameAsSent
    }
}

/// A submitted change batch's status. `version` orders changes: a change
/// is INSYNC once a snapshot of that version or later serves.
public struct ChangeInfo: Codable, Hashable, Sendable {
    public var id: String
    public var version: UInt64
    /// Milliseconds since 1970.
    public var submittedAt: Int64
    public var comment: String?
    public init(id: String, version: UInt64, submittedAt: Int64, comment: String?) {
        self.id = id; self.version = version; self.submittedAt = submittedAt; self.comment = comment
    }
}

extension DomainName: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try DomainName(parsing: text, origin: .root)
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension RRType: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let type = RRType(mnemonic: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown type \(text)"))
        }
        self = type
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Route 53 ids appear bare (`Z123`) or with their type prefix (`/hostedzone/Z123`, `/change/C1`).
public enum HostedZoneID {
    public static func bare(_ id: String) -> String {
        for prefix in ["/hostedzone/", "hostedzone/", "/change/", "change/"] where id.hasPrefix(prefix) {
            return String(id.dropFirst(prefix.count))
        }
        return id
    }
}
