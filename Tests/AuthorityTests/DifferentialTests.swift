import SeededRandom
import Testing
@testable import Authority
import DNSWire
import LatencyModel

/// The in-place responder (`respond(to:source:transport:into:)`) against the
/// general one (`Message.parse` → `resolve` → `Message.encode`): the same
/// bytes for a large varied corpus, with the random choices drawn from
/// equally seeded generators.
@Suite struct DifferentialTests {
    static let origin = "example.com."

    /// Routed groups of every policy, beside the plain data of `exampleZone`.
    static let routed: [RoutedDeclaration] = {
        func set(_ owner: String, _ type: RRType, _ id: String, _ policy: RoutingPolicy, _ values: [String] = [],
                 alias: String? = nil, evaluate: Bool = false, check: String? = nil, ttl: UInt32 = 60) -> RoutedDeclaration {
            routedSet(owner, in: origin, type, ttl: ttl, id: id, policy: policy, values, alias: alias,
                      evaluateTargetHealth: evaluate, healthCheck: check)
        }
        let latency = [("us-east-1", "192.0.2.1"), ("eu-west-2", "192.0.2.2"), ("ap-northeast-1", "192.0.2.3"),
                       ("sa-east-1", "192.0.2.4"), ("eu-central-1", "192.0.2.5")]
        var sets = latency.map { set("lat", .a, $0.0, .latency(region($0.0)), [$0.1], check: "hc-\($0.0)") }
        sets += latency.prefix(3).map { set("lat", .aaaa, $0.0, .latency(region($0.0)), ["2001:db8::\($0.1.split(separator: ".").last!)"]) }
        sets += [set("lc", .cname, "us", .latency(region("us-east-1")), ["www"]),
                 set("lc", .cname, "eu", .latency(region("eu-west-2")), ["mail"], check: "hc-eu-west-2")]
        sets += [set("w", .a, "one", .weighted(1), ["192.0.2.21"], check: "hc-w1"),
                 set("w", .a, "two", .weighted(3), ["192.0.2.22", "192.0.2.23"], check: "hc-w2"),
                 set("w", .a, "zero", .weighted(0), ["192.0.2.24"]),
                 set("w", .a, "alias", .weighted(2), alias: "lat", evaluate: true)]
        sets += [set("f", .a, "primary", .failover(primary: true), ["192.0.2.31"], check: "hc-primary"),
                 set("f", .a, "secondary", .failover(primary: false), alias: "www")]
        sets += (0..<11).map { index in
            set("mv", .a, "m\(index)", .multivalue, ["192.0.2.\(40 + index)", "192.0.2.\(40 + (index + 1) % 4)"],
                check: index % 3 == 0 ? "hc-mv\(index)" : nil, ttl: UInt32(30 + index))
        }
        sets += [set("ns2", .a, "glue", .latency(region("us-east-1")), ["192.0.2.54"])]
        return sets
    }()

    static let zoneText = exampleZone + """

        al       IN CNAME lat
        mx2      IN MX    5 mail
                 IN MX    10 NS1
                 IN MX    20 ns2
        Mixed    IN A     192.0.2.7
        spf      IN SPF   "v=spf1 -all"
        caa      IN CAA   0 issue "ca.example.net"
        """ + "\n" + txtLines("big", count: 12) + txtLines("mid", count: 5)

    static let ecsMeasurements: [String: [String: Double]] = {
        var table = measurements
        let regions = ["us-east-1", "eu-west-2", "ap-northeast-1", "sa-east-1", "eu-central-1"]
        for index in 0..<60 {
            let network = "\(10 + index % 200).\(index * 37 % 256).\(index * 11 % 256).0/24"
            table[network] = Dictionary(uniqueKeysWithValues: regions.enumerated().map { ($1, Double(($0 * 37 + index * 13) % 150 + 1)) })
        }
        table["2001:db8:99::/48"] = ["ap-northeast-1": 3, "us-east-1": 90]
        return table
    }()

    static func snapshot(unhealthy: Set<String>, maxUDPPayload: Int = 1232) -> Snapshot {
        makeSnapshot([(origin, zoneText), ("sub.example.com.", subZone)], latency: routed, measurements: ecsMeasurements,
                     defaultRegions: ["ap-northeast-1"], maxUDPPayload: maxUDPPayload, unhealthy: unhealthy)
    }

    static let names = ["example.com.", "www.example.com.", "WWW.Example.COM.", "mail.example.com.", "ns1.example.com.",
                        "nothing.example.com.", "a.b.c.example.com.", "b.c.example.com.", "c.example.com.",
                        "any.wild.example.com.", "x.wild.example.com.", "deep.ent.wild.example.com.", "q.cw.example.com.",
                        "alias.example.com.", "chain1.example.com.", "out.example.com.", "loop1.example.com.",
                        "selfloop.example.com.", "dangling.example.com.", "todeleg.example.com.", "deleg.example.com.",
                        "host.deleg.example.com.", "nods.example.com.", "sub.example.com.", "www.sub.example.com.",
                        "nx.sub.example.com.", "_sip._tcp.example.com.", "lat.example.com.", "lc.example.com.",
                        "al.example.com.", "w.example.com.", "f.example.com.", "mv.example.com.", "mx2.example.com.",
                        "mixed.example.com.", "spf.example.com.", "caa.example.com.", "big.example.com.",
                        "mid.example.com.", "example.org.", "."]
    static let types: [RRType] = [.a, .aaaa, .txt, .mx, .ns, .soa, .cname, .ds, .srv, .any, .caa, .spf, RRType(999),
                                  .axfr, .opt, RRType(200)]
    static let ecsOptions: [[UInt8]] = [
        [], ecsOption("81.2.69.0/24"), ecsOption("1.0.16.0/24"), ecsOption("0.0.0.0/0"), ecsOption("10.37.11.0/24", scope: 5),
        ecsOption("203.0.113.77/32"), ecsOption("2001:db8:99::/56"), ecsOption("2001:db8:44:1::/64"), ecsOption("12.74.22.0/23"),
        ednsOption(code: 10, Array(repeating: 7, count: 8)) + ecsOption("11.74.22.0/24"),
    ]

    /// Both responders' bytes for `packet` (the in-place one with `cache`
    /// when given); equal generators keep random choices equal.
    static func responses(_ snapshot: Snapshot, _ packet: [UInt8], source: String, transport: Transport, seed: UInt64,
                          cache: AnswerCache? = nil) -> (general: [UInt8]?, inPlace: [UInt8]?) {
        var first = SeededGenerator(state: seed), second = SeededGenerator(state: seed)
        let general = packet.withUnsafeBytes { snapshot.generalResponse(to: $0, source: ip(source), transport: transport, using: &first)?.bytes }
        var output = [UInt8](repeating: 0xEE, count: 65535)
        let length = packet.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes {
                snapshot.respond(to: raw, source: ip(source), transport: transport, into: $0, using: &second, cache: cache)
            }
        }
        return (general, length.map { Array(output[..<$0]) })
    }

    /// The corpus of well-formed queries: every name × type × EDNS form, both transports.
    static func corpus() -> [(packet: [UInt8], transport: Transport, source: String)] {
        var result: [(packet: [UInt8], transport: Transport, source: String)] = []
        var counter: UInt16 = 0
        for qname in names {
            for type in types {
                var optVariants: [[UInt8]?] = [nil]
                for (index, option) in ecsOptions.enumerated() {
                    let payload: UInt16 = [512, 1232, 4096, 100, 1400, 65535][index % 6]
                    optVariants.append(optRecord(payload: payload, dnssecOK: index % 2 == 1, options: option))
                }
                for (index, opt) in optVariants.enumerated() {
                    counter &+= 1
                    let flags: UInt16 = [0x0100, 0x0000, 0x0110, 0x0120][index % 4]
                    let source = ["192.0.2.200", "81.2.69.5", "2001:db8:44::1", "10.37.11.9"][Int(counter) % 4]
                    result.append((queryPacket(qname, type, id: counter, flags: flags, opt: opt), index % 5 == 4 ? .tcp : .udp, source))
                }
            }
        }
        return result
    }

    @Test(arguments: [Set<String>(), ["hc-eu-west-2", "hc-w2", "hc-primary", "hc-mv0", "hc-mv3"],
                      ["hc-us-east-1", "hc-eu-west-2", "hc-ap-northeast-1", "hc-sa-east-1", "hc-eu-central-1", "hc-w1", "hc-w2",
                       "hc-primary", "hc-mv0", "hc-mv3", "hc-mv6", "hc-mv9"]])
    func sameBytesForEveryQueryOfTheCorpus(unhealthy: Set<String>) {
        let snapshot = Self.snapshot(unhealthy: unhealthy)
        var mismatches = 0
        for (seed, query) in Self.corpus().enumerated() {
            let (general, inPlace) = Self.responses(snapshot, query.packet, source: query.source, transport: query.transport,
                                                    seed: UInt64(seed))
            if general != inPlace {
                mismatches += 1
                if mismatches <= 3 { Issue.record("differ for \(query.packet) over \(query.transport):\n\(general ?? [])\n\(inPlace ?? [])") }
            }
        }
        #expect(mismatches == 0)
    }

    /// Through one cache, every query of the corpus asked twice — the first
    /// answer stored, the second read back — still gets the general path's
    /// bytes; other payload sizes, transports and ECS options of the same
    /// question are answered from the same entries.
    @Test(arguments: [Set<String>(), ["hc-eu-west-2", "hc-w2", "hc-primary", "hc-mv0", "hc-mv3"]])
    func sameBytesFromTheAnswerCache(unhealthy: Set<String>) {
        let snapshot = Self.snapshot(unhealthy: unhealthy)
        let cache = AnswerCache()
        var mismatches = 0, answeredFromCache = 0
        for (seed, query) in Self.corpus().enumerated() {
            for pass in 0..<2 {
                if pass == 1, Self.isCached(query.packet, source: query.source, in: cache, for: snapshot) { answeredFromCache += 1 }
                let (general, inPlace) = Self.responses(snapshot, query.packet, source: query.source, transport: query.transport,
                                                        seed: UInt64(seed), cache: cache)
                if general != inPlace {
                    mismatches += 1
                    if mismatches <= 3 { Issue.record("pass \(pass) differs for \(query.packet):\n\(general ?? [])\n\(inPlace ?? [])") }
                }
            }
        }
        #expect(mismatches == 0)
        // Random choices (weighted, multivalue), refusals and errors are not kept; most of the rest is.
        #expect(answeredFromCache > Self.corpus().count / 2, "\(answeredFromCache) of \(Self.corpus().count)")
    }

    /// Whether `cache` holds the answer to `packet` from `source`, so that asking it takes no engine run.
    static func isCached(_ packet: [UInt8], source: String, in cache: AnswerCache, for snapshot: Snapshot) -> Bool {
        packet.withUnsafeBytes { raw in
            guard let query = Query(parsing: raw) else { return false }
            var hit: MapHit? = nil
            return snapshot.cachedAnswer(to: AnswerCache.Question(query), client: query.client(source: ip(source)), in: cache, lookingUp: &hit) != nil
        }
    }

    @Test func sameBytesWhenTruncatingAtEveryPayloadSize() {
        for maxPayload in [512, 700, 1232, 4096] {
            let snapshot = Self.snapshot(unhealthy: [], maxUDPPayload: maxPayload)
            for payload in stride(from: 400, through: 4200, by: 97) {
                for qname in ["big.example.com.", "mid.example.com.", "mv.example.com.", "deleg.example.com.", "nothing.example.com."] {
                    for option in [[], ecsOption("81.2.69.0/24")] {
                        let type: RRType = qname.hasPrefix("big") || qname.hasPrefix("mid") ? .txt : .a
                        let packet = queryPacket(qname, type, opt: optRecord(payload: UInt16(payload), dnssecOK: payload % 2 == 0, options: option))
                        let (general, inPlace) = Self.responses(snapshot, packet, source: "192.0.2.1", transport: .udp, seed: UInt64(payload))
                        #expect(general == inPlace, "\(qname) payload \(payload) max \(maxPayload)")
                    }
                }
            }
        }
    }

    @Test func sameBytesOrDropForMalformedAndMutatedPackets() {
        let snapshot = Self.snapshot(unhealthy: ["hc-primary"])
        var generator = SeededGenerator(state: 42)
        let seeds = Self.corpus().enumerated().filter { $0.offset % 7 == 0 }.map(\.element.packet)
        var compared = 0
        for packet in seeds {
            for _ in 0..<6 {
                var mutated = packet
                switch generator.next() % 4 {
                case 0: mutated[Int(generator.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: generator.next())
                case 1: mutated = Array(mutated.prefix(Int(generator.next() % UInt64(mutated.count + 1))))
                case 2: mutated += (0..<Int(generator.next() % 5)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                default:
                    for _ in 0..<3 { mutated[Int(generator.next() % UInt64(mutated.count))] ^= 1 << UInt8(generator.next() % 8) }
                }
                let (general, inPlace) = Self.responses(snapshot, mutated, source: "81.2.69.5", transport: .udp, seed: UInt64(compared))
                #expect(general == inPlace, "mutated packet \(mutated)")
                compared += 1
            }
        }
        // Hand-made oddities: a compressed question name, two questions, an answer record, two OPTs, a bad ECS.
        let www = queryPacket("www.example.com.", .a)
        let odd: [[UInt8]] = [
            Array(www[..<12]) + [0xC0, 0x0C, 0, 1, 0, 1],
            { var p = www; p[5] = 2; return p + [3, 0x77, 0x77, 0x77, 0xC0, 16, 0, 1, 0, 1] }(),
            { var p = www; p[7] = 1; return p + [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4] }(),
            { var p = www; p[11] = 2; return p + optRecord() + optRecord() }(),
            queryPacket("www.example.com.", .a, opt: optRecord(options: ednsOption(code: 8, [0, 1, 24, 0, 81, 2, 69, 1]))),
            queryPacket("www.example.com.", .a, opt: optRecord(options: ecsOption("81.2.69.0/24") + ecsOption("81.2.69.0/24"))),
            queryPacket("www.example.com.", .a, opt: optRecord(version: 1)),
            queryPacket("www.example.com.", .a, flags: 0x2900),
            queryPacket("www.example.com.", .a, rrclass: .chaos),
            queryPacket("www.example.com.", .a, rrclass: .any),
        ]
        for packet in odd {
            let (general, inPlace) = Self.responses(snapshot, packet, source: "81.2.69.5", transport: .udp, seed: 1)
            #expect(general == inPlace, "packet \(packet)")
        }
    }

    /// The common queries take the in-place path, not the general one it falls back to.
    @Test(arguments: ["www.example.com.", "lat.example.com.", "w.example.com.", "f.example.com.", "mv.example.com.",
                      "nothing.example.com.", "mail.example.com.", "x.wild.example.com."])
    func commonQueriesTakeTheInPlacePath(qname: String) throws {
        for unhealthy in [Set<String>(), ["hc-primary", "hc-eu-west-2"]] {
            let snapshot = Self.snapshot(unhealthy: unhealthy)
            for type in [RRType.a, .aaaa, .txt] {
                for opt in [nil, optRecord(), optRecord(payload: 4096, dnssecOK: true, options: ecsOption("81.2.69.0/24"))] {
                    let packet = queryPacket(qname, type, opt: opt)
                    var generator = SystemRandomNumberGenerator()
                    var output = [UInt8](repeating: 0, count: 65535)
                    let length = try packet.withUnsafeBytes { raw in
                        let query = try #require(Query(parsing: raw))
                        return output.withUnsafeMutableBytes {
                            snapshot.respondInPlace(to: query, source: ip("192.0.2.9"), transport: .udp, into: $0, using: &generator, cache: nil)
                        }
                    }
                    #expect(length != nil, "\(qname) \(type) \(String(describing: opt))")
                }
            }
        }
    }
}
