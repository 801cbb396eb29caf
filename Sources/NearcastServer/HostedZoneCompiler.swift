import Authority
import DNSWire
import LatencyModel
import Route53Model
import ZoneFile

/// Turns a hosted zone's Route 53 record sets into a compiled `Zone`.
enum HostedZoneCompiler {
    /// Simple sets become plain RRsets, sets with a routing element
    /// (Region, Weight, Failover, MultiValueAnswer) routed groups, and
    /// same-zone aliases alias entries. Values are parsed as zone-file
    /// presentation text, absolute as Route 53 takes them. Any problem is an
    /// InvalidChangeBatch error naming the record set.
    static func compile(_ zone: HostedZone, _ sets: [ResourceRecordSet], catalog: RegionCatalog) -> Result<Zone, Route53Error> {
        var records: [DeclaredRecord] = [], routed: [RoutedDeclaration] = [], aliases: [AliasDeclaration] = []
        var problems: [String] = []
        for set in sets {
            let source = "[name='\(set.name.route53Text)', type='\(set.type)'\(set.setIdentifier.map { ", set-identifier='\($0)'" } ?? "")]"
            let content: RecordSetContent
            if let alias = set.aliasTarget {
                content = .alias(target: alias.dnsName, evaluateTargetHealth: alias.evaluateTargetHealth)
            } else {
                var rdata: [RData] = []
                for value in set.records ?? [] {
                    do { rdata.append(try RData(presentation: value, type: set.type, origin: .root)) } catch {
                        problems.append("Invalid Resource Record: 'FATAL problem: \(error) encountered with '\(value)''")
                    }
                }
                content = .records(RRSet(type: set.type, ttl: UInt32(clamping: set.ttl ?? 0), rdata: rdata))
            }
            var policy: RoutingPolicy? = nil
            if let regionName = set.region {
                guard let region = catalog.id(of: regionName) else { problems.append("\(source): unknown region \(regionName)"); continue }
                policy = .latency(region)
            } else if let weight = set.weight {
                policy = .weighted(UInt32(clamping: weight))
            } else if let failover = set.failover {
                policy = .failover(primary: failover == "PRIMARY")
            } else if set.multiValueAnswer == true {
                policy = .multivalue
            }
            if let policy {
                routed.append(RoutedDeclaration(name: set.name, set: RoutedRecordSet(
                    setIdentifier: set.setIdentifier ?? "", policy: policy, type: set.type, content: content,
                    healthCheck: set.healthCheckID), source: source))
                continue
            }
            switch content {
            case .records(let rrset):
                records += rrset.rdata.map { DeclaredRecord(record: Record(name: set.name, ttl: rrset.ttl, data: $0), source: source) }
            case .alias(let target, let evaluateTargetHealth):
                aliases.append(AliasDeclaration(name: set.name, type: set.type, target: target,
                                                evaluateTargetHealth: evaluateTargetHealth, source: source))
            }
        }
        guard problems.isEmpty else { return .failure(.invalidChangeBatch(problems)) }
        return Zone.build(origin: zone.name, records: records, routed: routed, aliases: aliases, catalog: catalog,
                          zoneSource: zone.name.route53Text)
            .mapError { .invalidChangeBatch($0.messages) }
    }
}
