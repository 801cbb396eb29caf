import Authority
import DNSWire
import LatencyModel
import ZoneFile

func name(_ text: String) -> DomainName { try! DomainName(parsing: text) }
func ip(_ text: String) -> IPAddress { IPAddress(text)! }

let catalog = try! RegionCatalog()
func region(_ name: String) -> RegionID { catalog.id(of: name)! }

/// Parses master-file text (which must parse cleanly) into declared records
/// whose source is `file:line`.
func declaredRecords(_ text: String, origin: DomainName, file: String) -> [DeclaredRecord] {
    let parsed = MasterFile.parse(text, file: file, origin: origin)
    precondition(parsed.errors.isEmpty, "test zone does not parse: \(parsed.errors)")
    return parsed.records.map { DeclaredRecord(record: $0.record, source: "\($0.file):\($0.line)") }
}

/// Builds a zone from master-file text plus latency declarations.
func buildZone(_ origin: String, _ text: String, latency: [RoutedDeclaration] = [], extra: [DeclaredRecord] = [],
               file: String? = nil) -> Result<Zone, ZoneErrors> {
    let originName = name(origin)
    let file = file ?? "\(origin)zone"
    return Zone.build(origin: originName, records: declaredRecords(text, origin: originName, file: file) + extra,
                      routed: latency, catalog: catalog, zoneSource: "\(file):0")
}

/// The error messages of a zone that must fail to build.
func buildErrors(_ origin: String, _ text: String, latency: [RoutedDeclaration] = [], extra: [DeclaredRecord] = []) -> [String] {
    switch buildZone(origin, text, latency: latency, extra: extra) {
    case .success: return ["<the zone built>"]
    case .failure(let errors): return errors.messages
    }
}

/// One latency record set: `owner` relative to `origin`, values in presentation format.
func latencySet(_ owner: String, in origin: String, _ type: RRType, ttl: UInt32 = 60, id: String, region regionName: String,
                _ values: [String], healthCheck: String? = nil, source: String = "config:1") -> RoutedDeclaration {
    routedSet(owner, in: origin, type, ttl: ttl, id: id, policy: .latency(region(regionName)), values,
              healthCheck: healthCheck, source: source)
}

/// One routed record set holding `values` (presentation format), or an
/// alias to `alias` when given.
func routedSet(_ owner: String, in origin: String, _ type: RRType, ttl: UInt32 = 60, id: String, policy: RoutingPolicy,
               _ values: [String] = [], alias: String? = nil, evaluateTargetHealth: Bool = false,
               healthCheck: String? = nil, source: String = "config:1") -> RoutedDeclaration {
    let originName = name(origin)
    let content: RecordSetContent = alias.map { .alias(target: try! DomainName(parsing: $0, origin: originName),
                                                       evaluateTargetHealth: evaluateTargetHealth) }
        ?? .records(RRSet(type: type, ttl: ttl, rdata: values.map { try! RData(presentation: $0, type: type, origin: originName) }))
    return RoutedDeclaration(name: try! DomainName(parsing: owner, origin: originName),
                             set: RoutedRecordSet(setIdentifier: id, policy: policy, type: type, content: content,
                                                  healthCheck: healthCheck),
                             source: source)
}

/// A snapshot of zones given as (origin, master-file text), with latency
/// records and a latency map from `prefix: [region: rtt]`.
func makeSnapshot(_ zones: [(String, String)], latency: [RoutedDeclaration] = [],
                  measurements: [String: [String: Double]] = [:], defaultRegions: [String] = [],
                  maxUDPPayload: Int = 1232, unhealthy: Set<String> = []) -> Snapshot {
    let built = zones.map { origin, text in
        // Each latency set goes to the most specific zone holding its name.
        let mine = latency.filter { declaration in
            let homes = zones.map { name($0.0) }.filter { declaration.name.isSubdomain(of: $0) }
            return homes.max { $0.labelCount < $1.labelCount } == name(origin)
        }
        switch buildZone(origin, text, latency: mine) {
        case .success(let zone): return zone
        case .failure(let errors): fatalError("test zone \(origin) does not build: \(errors.messages)")
        }
    }
    let entries = measurements.flatMap { text, rtts in
        rtts.map { LatencyEntry(prefix: IPPrefix(text)!, region: region($0.key), rttMs: $0.value) }
    }
    let map = LatencyMap(entries: entries, defaultRanking: defaultRegions.map(region))
    return Snapshot(version: 1, zones: built, latencyMap: map, catalog: catalog,
                    responder: ResponderSettings(maxUDPPayload: maxUDPPayload), health: HealthView(unhealthy: unhealthy))
}

extension Snapshot {
    func resolve(_ qname: String, _ type: RRType, from client: String = "192.0.2.200", rrclass: RRClass = .in) -> Resolution {
        resolve(Question(name: name(qname), type: type, rrclass: rrclass), client: ClientLocation(address: ip(client)))
    }
}

/// A record for comparisons: `owner ttl data`.
func rr(_ owner: String, _ ttl: UInt32, _ type: RRType, _ value: String, origin: String = "example.com.") -> Record {
    Record(name: name(owner), ttl: ttl, data: try! RData(presentation: value, type: type, origin: name(origin)))
}

/// The A/AAAA/TXT values of records as presentation text, for compact checks.
func values(_ records: [Record]) -> [String] { records.map(\.data.presentation) }

// MARK: - Packets

/// A query packet: the message's wire form, plus an OPT record built by hand
/// when `opt` is given (so tests control every byte of it).
func queryPacket(_ qname: String, _ type: RRType, id: UInt16 = 0xBEEF, flags: UInt16 = 0x0100, rrclass: RRClass = .in,
                 opt: [UInt8]? = nil) -> [UInt8] {
    var bytes = Message(header: Header(id: id, flags: flags), questions: [Question(name: name(qname), type: type, rrclass: rrclass)]).encode()
    if let opt {
        bytes[11] = 1
        bytes += opt
    }
    return bytes
}

/// An OPT record in wire form.
func optRecord(payload: UInt16 = 1232, version: UInt8 = 0, dnssecOK: Bool = false, options: [UInt8] = []) -> [UInt8] {
    [0, 0, 41, UInt8(payload >> 8), UInt8(payload & 0xFF), 0, version, dnssecOK ? 0x80 : 0, 0,
     UInt8(options.count >> 8), UInt8(options.count & 0xFF)] + options
}

/// One EDNS option in wire form.
func ednsOption(code: UInt16, _ data: [UInt8]) -> [UInt8] {
    [UInt8(code >> 8), UInt8(code & 0xFF), UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
}

/// An ECS option for `prefix` (e.g. "81.2.69.0/24"), address truncated to the prefix's bytes.
func ecsOption(_ prefix: String, scope: UInt8 = 0) -> [UInt8] {
    let p = IPPrefix(prefix)!
    let family: UInt8 = p.address.bitWidth == 32 ? 1 : 2
    return ednsOption(code: 8, [0, family, UInt8(p.length), scope] + p.address.bytes.prefix((p.length + 7) / 8))
}

extension Snapshot {
    /// The raw response to `packet`.
    func respondBytes(_ packet: [UInt8], source: String = "192.0.2.200", transport: Transport = .udp) -> [UInt8]? {
        packet.withUnsafeBytes { respond(to: $0, source: ip(source), transport: transport) }
    }

    /// The parsed response to `packet`; nil when it was dropped.
    func respondMessage(_ packet: [UInt8], source: String = "192.0.2.200", transport: Transport = .udp) throws -> Message? {
        guard let bytes = respondBytes(packet, source: source, transport: transport) else { return nil }
        return try Message.parse(bytes)
    }
}
