import Testing
import Authority
import DNSWire
import LatencyModel

let latencyZone = """
    $TTL 300
    @       IN SOA ns1 hostmaster 1 7200 3600 1209600 60
            IN NS  ns1
    ns1     IN A   127.0.0.1
    static  IN A   192.0.2.100
    app     IN CNAME www
    """

/// www A in us-east-1 (.1), eu-west-2 (.2) and ap-northeast-1 (.3); www AAAA in eu-west-2 only.
let wwwSets = [
    latencySet("www", in: "lat.test.", .a, id: "virginia", region: "us-east-1", ["192.0.2.1"]),
    latencySet("www", in: "lat.test.", .a, id: "london", region: "eu-west-2", ["192.0.2.2"]),
    latencySet("www", in: "lat.test.", .a, id: "tokyo", region: "ap-northeast-1", ["192.0.2.3"]),
    latencySet("www", in: "lat.test.", .aaaa, id: "london", region: "eu-west-2", ["2001:db8::2"]),
]

let measurements: [String: [String: Double]] = [
    "81.2.69.0/24": ["eu-west-2": 8, "us-east-1": 76, "ap-northeast-1": 228],
    "1.0.16.0/24": ["eu-central-1": 1, "ap-east-1": 3, "ap-northeast-1": 5, "us-east-1": 158],  // nearest two have no member
    "5.5.5.0/24": ["eu-central-1": 1, "sa-east-1": 2],                                          // no ranked region has a member
    "2001:db8:44::/48": ["eu-west-2": 9, "us-east-1": 80],
]

@Suite struct LatencyAnswerTests {
    func snapshot(defaultRegions: [String] = ["ap-northeast-1"]) -> Snapshot {
        makeSnapshot([("lat.test.", latencyZone)], latency: wwwSets, measurements: measurements, defaultRegions: defaultRegions)
    }

    func answer(_ client: String, _ type: RRType = .a, defaultRegions: [String] = ["ap-northeast-1"]) -> (values: [String], scope: Int) {
        let r = snapshot(defaultRegions: defaultRegions).resolve("www.lat.test.", type, from: client)
        return (values(r.answer), r.scope)
    }

    @Test func choosesTheFirstRankedRegionWithAMember() {
        let r = snapshot().resolve("www.lat.test.", .a, from: "81.2.69.77")
        #expect(r.rcode == .noError && r.authoritative)
        #expect(r.answer == [rr("www.lat.test.", 60, .a, "192.0.2.2", origin: "lat.test.")])
        #expect(r.scope == 24)
        #expect(r.steps.count == 1)
        #expect(r.steps.first?.chosen.first?.setIdentifier == "london")
        #expect(r.steps.first?.hit?.block == IPPrefix("81.2.69.0/24"))
    }

    @Test func skipsRankedRegionsWithoutMembers() {
        #expect(answer("1.0.16.1").values == ["192.0.2.3"])
        #expect(answer("1.0.16.1").scope == 24)
    }

    @Test func fallsBackToTheDefaultOrderWhenNoRankedRegionHasAMember() {
        #expect(answer("5.5.5.5").values == ["192.0.2.3"])
        #expect(answer("5.5.5.5", defaultRegions: ["sa-east-1", "eu-west-2"]).values == ["192.0.2.2"])
        // Without a default order the catalog order applies: us-east-1 is first.
        #expect(answer("5.5.5.5", defaultRegions: []).values == ["192.0.2.1"])
    }

    @Test func uncoveredClientsUseTheFallbackOrder() {
        #expect(answer("9.9.9.9").values == ["192.0.2.3"])
        #expect(answer("9.9.9.9", defaultRegions: ["sa-east-1", "eu-west-2", "us-east-1"]).values == ["192.0.2.2"])
        #expect(answer("9.9.9.9", defaultRegions: ["sa-east-1"]).values == ["192.0.2.1"])
        // The scope is the widest uncovered block around the client: 8.0.0.0/5
        // (the map covers 5.5.5.0/24 below it and 81.2.69.0/24 above).
        #expect(answer("9.9.9.9").scope == 5)
    }

    @Test func ipv6ClientsAndAGroupWithOneMember() {
        #expect(answer("2001:db8:44::5").values == ["192.0.2.2"])
        #expect(answer("2001:db8:44::5").scope == 48)
        // Only eu-west-2 has an AAAA member, whoever asks.
        #expect(answer("1.0.16.1", .aaaa).values == ["2001:db8::2"])
        #expect(answer("9.9.9.9", .aaaa, defaultRegions: []).values == ["2001:db8::2"])
    }

    @Test func staticAnswersHaveScopeZero() {
        let s = snapshot()
        #expect(s.resolve("static.lat.test.", .a, from: "81.2.69.77").scope == 0)
        #expect(s.resolve("static.lat.test.", .a, from: "81.2.69.77").steps.isEmpty)
        #expect(s.resolve("nope.lat.test.", .a, from: "81.2.69.77").scope == 0)
        #expect(s.resolve("www.lat.test.", .txt, from: "81.2.69.77").scope == 0)
    }

    @Test func cnameToALatencyName() {
        let r = snapshot().resolve("app.lat.test.", .a, from: "1.0.16.1")
        #expect(r.answer == [rr("app.lat.test.", 300, .cname, "www", origin: "lat.test."),
                             rr("www.lat.test.", 60, .a, "192.0.2.3", origin: "lat.test.")])
        #expect(r.scope == 24)
    }

    @Test func anyOnALatencyNameReturnsOneRRset() {
        let r = snapshot().resolve("www.lat.test.", .any, from: "81.2.69.77")
        #expect(r.answer == [rr("www.lat.test.", 60, .a, "192.0.2.2", origin: "lat.test.")])
    }

    @Test func clientLocationPrefersANonZeroECSPrefix() throws {
        let source = ip("192.0.2.9")
        let ecs = try ClientSubnet(family: 1, sourcePrefix: 24, scopePrefix: 0, address: [81, 2, 69])
        #expect(ClientLocation(source: source, ecs: ecs).address == ip("81.2.69.0"))
        let zero = try ClientSubnet(family: 1, sourcePrefix: 0, scopePrefix: 0, address: [])
        #expect(ClientLocation(source: source, ecs: zero).address == source)
        #expect(ClientLocation(source: source, ecs: nil).address == source)
        let v6 = try ClientSubnet(family: 2, sourcePrefix: 48, scopePrefix: 0, address: [0x20, 0x01, 0x0d, 0xb8, 0, 0x44])
        #expect(ClientLocation(source: source, ecs: v6).address == ip("2001:db8:44::"))
    }

    /// A batch prefetches the lookups respond will make: the ECS address,
    /// else the source — only for maps large enough to miss the caches.
    @Test func prefetchableLookupsAreTheClientAddressesOfLargeMaps() {
        let ecsQuery = queryPacket("www.lat.test.", .a, opt: optRecord(options: ecsOption("81.2.69.0/24")))
        let plainQuery = queryPacket("www.lat.test.", .a)
        var response = plainQuery
        response[2] |= 0x80
        let small = snapshot()
        #expect(!small.latencyMap.isLarge)
        #expect(ecsQuery.withUnsafeBytes { small.prefetchableLookup(answering: $0, source: ip("192.0.2.9")) } == nil)
        // 40,000 /24s with gaps between them: about 80,000 ranges.
        var many = measurements
        for n in 0..<40_000 { many["\(11 + (n >> 15)).\((n >> 7) & 0xff).\((n & 0x7f) * 2).0/24"] = ["us-east-1": 5] }
        let large = makeSnapshot([("lat.test.", latencyZone)], latency: wwwSets, measurements: many)
        #expect(large.latencyMap.isLarge)
        func lookup(_ packet: [UInt8]) -> IPAddress? { packet.withUnsafeBytes { large.prefetchableLookup(answering: $0, source: ip("192.0.2.9")) } }
        #expect(lookup(ecsQuery) == ip("81.2.69.0"))
        #expect(lookup(plainQuery) == ip("192.0.2.9"))
        #expect(lookup(response) == nil)
        #expect(lookup(Array(plainQuery.prefix(11))) == nil)
    }

    @Test func explainShowsTheMeasurementsAndTheOrderTried() throws {
        let s = snapshot(defaultRegions: ["sa-east-1"])
        let e = s.explain(Question(name: name("www.lat.test."), type: .a), client: ClientLocation(address: ip("1.0.16.1")))
        #expect(values(e.resolution.answer) == ["192.0.2.3"])
        #expect(e.block == IPPrefix("1.0.16.0/24"))
        let measured = try #require(e.measured)
        #expect(measured.prefix == IPPrefix("1.0.16.0/24"))
        #expect(measured.rtts.map(\.region) == ["eu-central-1", "ap-east-1", "ap-northeast-1", "us-east-1"].map(region))
        #expect(e.ranking.prefix(4).map(\.region) == ["eu-central-1", "ap-east-1", "ap-northeast-1", "us-east-1"].map(region))
        #expect(e.ranking.prefix(4).map(\.rttMs) == [1, 3, 5, 158])
        // Then the fallback order: the defaults, then every other region (Snapshot.fallbackRanking).
        #expect(e.ranking[4].region == region("sa-east-1"))
        #expect(e.ranking[4].rttMs == nil)
        #expect(e.ranking.count == catalog.regions.count)
        #expect(Set(e.ranking.map(\.region)).count == catalog.regions.count)
    }

    @Test func fallbackRankingIsTheDefaultsThenTheRestOfTheCatalog() {
        let s = snapshot(defaultRegions: ["sa-east-1", "eu-west-2"])
        #expect(s.fallbackRanking.prefix(3) == [region("sa-east-1"), region("eu-west-2"), region("us-east-1")])
        #expect(s.fallbackRanking.count == catalog.regions.count)
        #expect(Set(s.fallbackRanking).count == catalog.regions.count)
    }
}
