import Authority
import DNSWire
import LatencyModel
import Route53Model
import ZoneFile

/// Turns a hosted zone's Route 53 record sets into a compiled `Zone`.
enum HostedZoneCompiler {
    /// Simple sets become plain RRsets, `Region` sets latency groups, and
    /// same-zone aliases alias entries. Values are parsed as zone-file
    /// presentation text, absolute as Route 53 takes them. Any problem is an
    /// InvalidChangeBatch error naming the record set.
    static func compile(_ zone: HostedZone, _ sets: [ResourceRecordSet], catalog: RegionCatalog) -> Result<Zone, Route53Error> {
        var records: [DeclaredRecord] = [], latency: [LatencyDeclaration] = [], aliases: [AliasDeclaration] = []
        var problems: [String] = []
        for set in sets {
            let source = "[name='\(set.name.route53Text)', type='\(set.type)'\(set.setIdentifier.map { ", set-identifier='\($0)'" } ?? "")]"
            let content: RecordSetContent
            if let alias = set.aliasTarget {
                content = .alias(target: alias.dnsName)
            } else {
                var rdata: [RData] = []
                for value in set.records ?? [] {
                    do { rdata.append(try RData(presentation: value, type: set.type, origin: .root)) } catch {
                        problems.append("Invalid Resource Record: 'FATAL problem: \(error) encountered with '\(value)''")
                    }
                }
                content = .records(RRSet(type: set.type, ttl: UInt32(clamping: set.ttl ?? 0), rdata: rdata))
            }
            if let regionName = set.region {
                guard let region = catalog.id(of: regionName) else { problems.append("\(source): unknown region \(regionName)"); continue }
                latency.append(LatencyDeclaration(name: set.name, set: LatencyRecordSet(
                    setIdentifier: set.setIdentifier ?? "", region: region, type: set.type, content: content), source: source))
                continue
            }
            switch content {
            case .records(let rrset):
                records += rrset.rdata.map { DeclaredRecord(record: Record(name: set.name, ttl: rrset.ttl, data: $0), source: source) }
            case .alias(let target):
                aliases.append(AliasDeclaration(name: set.name, type: set.type, target: target, source: source))
            }
        }
        guard problems.isEmpty else { return .failure(.invalidChangeBatch(problems)) }
        return Zone.build(origin: zone.name, records: records, latency: latency, aliases: aliases, catalog: catalog,
                          zoneSource: zone.name.route53Text)
            .mapError { .invalidChangeBatch($0.messages) }
    }
}
