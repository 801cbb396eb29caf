import Authority
import Benchmark
import DNSWire
import LatencyModel
import ZoneFile

/// The query path piece by piece, with heap allocations per query
/// (`Malloc (total)` counts per iteration; one iteration is one query).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(3))
    let world = World(prefixes: 1000)

    Benchmark("baseline: the harness alone (subtract its mallocs)") { benchmark in
        for index in benchmark.scaledIterations { blackHole(index) }
    }
    Benchmark("parse: query with ECS") { benchmark in
        for index in benchmark.scaledIterations {
            world.ecsQueries[index % world.ecsQueries.count].withUnsafeBytes { blackHole(try? Message.parse($0)) }
        }
    }
    Benchmark("resolve: latency record, ECS client") { benchmark in
        let question = Question(name: try! DomainName(parsing: "www.bench.test."), type: .a)
        for index in benchmark.scaledIterations {
            blackHole(world.snapshot.resolve(question, client: ClientLocation(address: world.clients[index % world.clients.count])))
        }
    }
    for (title, packets) in [("static A", world.staticQueries), ("latency A with ECS", world.ecsQueries), ("NXDOMAIN", world.nxQueries)] {
        Benchmark("respond: \(title)") { benchmark in
            for index in benchmark.scaledIterations {
                packets[index % packets.count].withUnsafeBytes {
                    blackHole(world.snapshot.respond(to: $0, source: world.source, transport: .udp))
                }
            }
        }
    }
    // The in-place responder: one output buffer for every query, as the UDP workers use it.
    let unhealthy = world.snapshot(unhealthy: ["hc-eu-west-1", "hc-primary", "hc-mv-2"])
    let inPlace: [(String, [[UInt8]], Snapshot)] = [
        ("static A", world.staticQueries, world.snapshot),
        ("static AAAA, no EDNS", world.staticAAAAQueries, world.snapshot),
        ("latency A with ECS", world.ecsQueries, world.snapshot),
        ("latency A with ECS, health view non-empty", world.ecsQueries, unhealthy),
        ("latency A, no EDNS", world.plainLatencyQueries, world.snapshot),
        ("weighted A", world.weightedQueries, unhealthy),
        ("failover A, primary unhealthy", world.failoverQueries, unhealthy),
        ("multivalue A", world.multivalueQueries, unhealthy),
        ("NXDOMAIN", world.nxQueries, world.snapshot),
        ("NODATA, no EDNS", world.nodataQueries, world.snapshot),
    ]
    for (title, packets, snapshot) in inPlace {
        Benchmark("respond in place: \(title)") { benchmark in
            let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 65535, alignment: 16)
            defer { output.deallocate() }
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                packets[index % packets.count].withUnsafeBytes {
                    blackHole(snapshot.respond(to: $0, source: world.source, transport: .udp, into: output))
                }
            }
        }
    }
    // What a UDP thread runs: the in-place responder with the thread's own
    // random source, answer cache and counters; every question repeats, so
    // after the first round each is answered from the cache. The cache lives
    // as long as the benchmark (as a thread's does): made and freed per run of
    // the closure, its 1 MB would be timed.
    for (title, packets) in [("static A", world.staticQueries), ("latency A with ECS", world.ecsQueries), ("NXDOMAIN", world.nxQueries)] {
        let cache = AnswerCache(), counters = QueryCounters()
        Benchmark("respond from the answer cache: \(title)") { benchmark in
            let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 65535, alignment: 16)
            defer { output.deallocate() }
            var random = QueryRandom()
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                packets[index % packets.count].withUnsafeBytes {
                    blackHole(world.snapshot.respond(to: $0, source: world.source, transport: .udp, into: output,
                                                     random: &random, cache: cache, counters: counters))
                }
            }
        }
    }
    let bigMap = World.map(prefixes: 1_000_000)
    for (prefixes, map) in [(1000, world.snapshot.latencyMap), (1_000_000, bigMap)] {
        Benchmark("map lookup: \(prefixes) prefixes") { benchmark in
            for index in benchmark.scaledIterations { blackHole(map.lookup(world.clients[index % world.clients.count])) }
        }
    }
}

/// A zone with a static name and a latency group, a latency map of random
/// /24s, and prepared query packets from clients inside those /24s.
struct World: Sendable {
    let snapshot: Snapshot
    let zone: Zone
    let clients: [IPAddress]
    let staticQueries: [[UInt8]], staticAAAAQueries: [[UInt8]], ecsQueries: [[UInt8]], plainLatencyQueries: [[UInt8]]
    let weightedQueries: [[UInt8]], failoverQueries: [[UInt8]], multivalueQueries: [[UInt8]]
    let nxQueries: [[UInt8]], nodataQueries: [[UInt8]]
    let source = IPAddress("127.0.0.1")!

    static let catalog = try! RegionCatalog()
    static let regions = ["us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1", "ap-northeast-1"]

    /// /24s spread over the IPv4 space, deterministic.
    static func networks(_ count: Int) -> [UInt32] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 32) & 0xFFFF_FF00
        }
    }

    static func map(prefixes: Int) -> LatencyMap {
        let entries = networks(prefixes).enumerated().flatMap { index, network in
            regions.enumerated().map { offset, name in
                LatencyEntry(prefix: IPPrefix(.v4(network), length: 24), region: catalog.id(of: name)!,
                             rttMs: Double((index + offset * 37) % 200 + 1))
            }
        }
        return LatencyMap(entries: entries, defaultRanking: [catalog.id(of: "us-east-1")!])
    }

    /// The same zone and map with the health checks `unhealthy` failing.
    func snapshot(unhealthy: Set<String>) -> Snapshot {
        Snapshot(version: 2, zones: [zone], latencyMap: snapshot.latencyMap, catalog: Self.catalog,
                 health: HealthView(unhealthy: unhealthy))
    }

    init(prefixes: Int) {
        let origin = try! DomainName(parsing: "bench.test.")
        let text = """
            $TTL 300
            @ IN SOA ns1 hostmaster 1 7200 3600 1209600 60
              IN NS ns1
            ns1 IN A 127.0.0.1
            static IN A 192.0.2.100
            static IN AAAA 2001:db8::100
            """
        let records = MasterFile.parse(text, file: "bench", origin: origin).records.map {
            DeclaredRecord(record: $0.record, source: "bench:\($0.line)")
        }
        func declaration(_ owner: String, _ id: String, _ policy: RoutingPolicy, _ last: Int, check: String? = nil) -> RoutedDeclaration {
            RoutedDeclaration(name: try! DomainName(parsing: "\(owner).bench.test."), set: RoutedRecordSet(
                setIdentifier: id, policy: policy,
                rrset: RRSet(type: .a, ttl: 60, rdata: [.a(IPv4Bytes([192, 0, 2, UInt8(last)]))]), healthCheck: check), source: "bench")
        }
        var routed = Self.regions.enumerated().map { index, name in
            declaration("www", name, .latency(Self.catalog.id(of: name)!), index + 1, check: "hc-\(name)")
        }
        routed += [declaration("weighted", "light", .weighted(1), 11), declaration("weighted", "heavy", .weighted(3), 12),
                   declaration("weighted", "off", .weighted(0), 13)]
        routed += [declaration("failover", "primary", .failover(primary: true), 21, check: "hc-primary"),
                   declaration("failover", "secondary", .failover(primary: false), 22)]
        routed += (0..<4).map { declaration("multi", "mv-\($0)", .multivalue, 31 + $0, check: "hc-mv-\($0)") }
        zone = try! Zone.build(origin: origin, records: records, routed: routed, catalog: Self.catalog, zoneSource: "bench").get()
        snapshot = Snapshot(version: 1, zones: [zone], latencyMap: Self.map(prefixes: prefixes), catalog: Self.catalog)
        clients = Self.networks(prefixes).prefix(1000).map { IPAddress.v4($0 | 7) }

        func query(_ name: String, _ type: RRType = .a, ecs: IPAddress? = nil, edns: Bool = true) -> [UInt8] {
            var message = Message(header: Header(id: 0x1234, flags: 0x0100),
                                  questions: [Question(name: try! DomainName(parsing: name), type: type)])
            if edns { message.edns = EDNS(udpPayloadSize: 1232, dnssecOK: false) }
            if let ecs { message.edns?.clientSubnet = ClientSubnet(IPPrefix(ecs, length: 24)) }
            return message.encode()
        }
        staticQueries = [query("static.bench.test.")]
        staticAAAAQueries = [query("static.bench.test.", .aaaa, edns: false)]
        ecsQueries = clients.map { query("www.bench.test.", ecs: $0) }
        plainLatencyQueries = [query("www.bench.test.", edns: false)]
        weightedQueries = [query("weighted.bench.test.")]
        failoverQueries = [query("failover.bench.test.")]
        multivalueQueries = [query("multi.bench.test.")]
        nxQueries = [query("nothing.bench.test.")]
        nodataQueries = [query("static.bench.test.", .txt, edns: false)]
    }
}
