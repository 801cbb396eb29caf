import DNSWire
import LatencyModel
import Route53Model

let zone = HostedZone(id: "Z1EXAMPLE", name: name("example.com"), callerReference: "ref-1")
let catalog = try! RegionCatalog(extra: [Region(name: "dc-lisbon", latitude: 38.7, longitude: -9.1)])
let validator = ChangeBatchValidator(zone: zone, catalog: catalog)

/// A name as Route 53 accepts it (relative means absolute).
func name(_ text: String) -> DomainName { try! DomainName(route53: text) }

/// A record set with values (TTL 300 unless given).
func records(_ owner: String, _ type: RRType, _ values: [String], ttl: Int64? = 300, id: String? = nil,
             weight: Int64? = nil, region: String? = nil, failover: String? = nil,
             multiValue: Bool? = nil) -> ResourceRecordSet {
    ResourceRecordSet(name: name(owner), type: type, setIdentifier: id, weight: weight, region: region,
                      failover: failover, multiValueAnswer: multiValue, ttl: ttl, records: values)
}

/// An alias record set to `target` in zone `zoneID` (this zone unless given).
func alias(_ owner: String, _ type: RRType, to target: String, zoneID: String = zone.id, id: String? = nil,
           weight: Int64? = nil, region: String? = nil) -> ResourceRecordSet {
    ResourceRecordSet(name: name(owner), type: type, setIdentifier: id, weight: weight, region: region,
                      aliasTarget: AliasTarget(hostedZoneID: zoneID, dnsName: name(target), evaluateTargetHealth: false))
}

func create(_ set: ResourceRecordSet) -> Change { Change(action: .create, recordSet: set) }
func delete(_ set: ResourceRecordSet) -> Change { Change(action: .delete, recordSet: set) }
func upsert(_ set: ResourceRecordSet) -> Change { Change(action: .upsert, recordSet: set) }

let soa = records("example.com", .soa, ["ns-1.awsdns-1.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"], ttl: 900)
let ns = records("example.com", .ns, ["ns-1.awsdns-1.org.", "ns-2.awsdns-2.net."], ttl: 172800)
let www = records("www.example.com", .a, ["192.0.2.1"])
/// A fresh zone's sets plus www A, in listing order.
let base = [ns, soa, www]

func apply(_ changes: [Change], to current: [ResourceRecordSet] = base) -> Result<[ResourceRecordSet], Route53Error> {
    validator.apply(changes, to: current)
}

func invalidInput(_ message: String) -> Result<[ResourceRecordSet], Route53Error> {
    .failure(Route53Error("InvalidInput", message))
}

func invalidChangeBatch(_ messages: String...) -> Result<[ResourceRecordSet], Route53Error> {
    .failure(Route53Error("InvalidChangeBatch", messages))
}

/// The sets of a successful result, as `TYPE name [id]` lines for easy comparison.
func summary(_ result: Result<[ResourceRecordSet], Route53Error>) -> [String] {
    switch result {
    case .success(let sets):
        sets.map { "\($0.type) \($0.name.route53Text)" + ($0.setIdentifier.map { " \($0)" } ?? "") }
    case .failure(let error):
        ["error: \(error)"]
    }
}
