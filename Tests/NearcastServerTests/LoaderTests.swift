import Testing
import Authority
import DNSWire
import LatencyModel
import NearcastServer

let goodZone = """
    $TTL 300
    @     IN SOA ns1 hostmaster 1 7200 3600 1209600 60
          IN NS  ns1
    ns1   IN A   192.0.2.53
    $INCLUDE hosts.inc
    """

/// A working configuration in `conf/`, with files in subdirectories.
let goodFiles: [String: String] = [
    "conf/nearcast.yaml": """
        listen: ["127.0.0.1:5353"]
        threads: 3
        tcp_idle_timeout_ms: 1500
        max_udp_payload: 1400
        default_regions: [eu-west-1]
        latency_map: maps/latency.csv
        regions:
          - { name: dc-paris, latitude: 48.86, longitude: 2.35 }
        zones:
          - origin: example.com
            file: zones/example.com.zone
            latency_records:
              - name: www
                type: A
                ttl: 30
                sets:
                  - { id: use1, region: us-east-1, values: [192.0.2.1] }
                  - { id: paris, region: dc-paris, values: [192.0.2.2, 192.0.2.22] }
              - name: api.example.com.
                type: CNAME
                ttl: 30
                sets:
                  - { id: use1, region: us-east-1, values: [www] }
                  - { id: euw1, region: eu-west-1, values: [static.example.com.] }
          - origin: example.org.
            file: /abs/example.org.zone
        """,
    "conf/zones/example.com.zone": goodZone,
    "conf/zones/hosts.inc": "static IN A 192.0.2.100\n",
    "/abs/example.org.zone": "@ 60 IN SOA ns1 hm 1 1 1 1 1\n@ 60 IN NS ns1.example.com.\n",
    "conf/maps/latency.csv": """
        prefix,region,rtt_ms
        81.2.69.0/24,dc-paris,3
        81.2.69.0/24,us-east-1,70
        # ties: broken by catalog order (docs/configuration.md)
        10.0.0.0/8,us-east-1,20
        10.0.0.0/8,eu-west-1,20
        """,
]

@Suite struct LoaderTests {
    @Test func loadsAWorkingConfiguration() throws {
        let loaded = try memoryLoader(goodFiles).load(configPath: "conf/nearcast.yaml", version: 9).get()
        #expect(loaded.settings.listen == ["127.0.0.1:5353"])
        #expect(loaded.settings.threads == 3)
        #expect(loaded.settings.tcpIdleTimeoutMs == 1500)
        let s = loaded.snapshot
        #expect(s.version == 9)
        #expect(s.responder.maxUDPPayload == 1400)
        #expect(Set(s.zones.keys) == [name("example.com."), name("example.org.")])
        #expect(s.catalog.regions.count == 40)
        #expect(s.catalog.id(of: "dc-paris") == 39)
        #expect(s.latencyMap.rankings[0] == [s.catalog.id(of: "eu-west-1")!])
        #expect(s.fallbackRanking.first == s.catalog.id(of: "eu-west-1"))
        #expect(s.answerValues("static.example.com.", .a, client: "81.2.69.1") == ["192.0.2.100"])  // from the include
        #expect(s.answerValues("www.example.com.", .a, client: "81.2.69.1") == ["192.0.2.2", "192.0.2.22"])
        #expect(s.answerValues("www.example.com.", .a, client: "9.9.9.9") == ["192.0.2.1"])  // eu-west-1 has none; catalog order
        let api = s.resolve(Question(name: name("api.example.com."), type: .a), client: ClientLocation(address: ip("9.9.9.9")))
        #expect(api.answer.map(\.type) == [.cname, .a])
        #expect(api.answer.first?.data == .cname(name("static.example.com.")))
        #expect(s.answerValues("example.org.", .ns, client: "9.9.9.9").count == 1)
    }

    @Test func latencyTiesAreBrokenByCatalogOrder() throws {
        // docs/configuration.md: "ranked by RTT (ties broken by catalog order: Route 53's regions, then yours)".
        let s = try memoryLoader(goodFiles).load(configPath: "conf/nearcast.yaml", version: 1).get().snapshot
        let hit = s.latencyMap.lookup(ip("10.1.2.3"))
        #expect(s.latencyMap.rankings[hit.ranking].map(s.catalog.name(of:)) == ["us-east-1", "eu-west-1"])
    }

    @Test func reportsErrorsFromEveryFileWithFileAndLine() {
        var files = goodFiles
        files["conf/nearcast.yaml"] = """
            default_regions: [us-east-1, mars-1]
            latency_map: maps/latency.csv
            zones:
              - origin: example.com.
                file: zones/example.com.zone
                latency_records:
                  - name: www
                    type: A
                    ttl: 30
                    sets:
                      - { id: a, region: venus-2, values: [192.0.2.1] }
                      - { id: b, region: us-east-1, values: [192.0.2.300] }
              - origin: EXAMPLE.com.
                file: zones/example.com.zone
              - origin: example.net.
                file: zones/missing.zone
            """
        files["conf/zones/example.com.zone"] = goodZone + "\nbad IN A 999.1.1.1\n"
        files["conf/zones/hosts.inc"] = "static IN A 192.0.2.100\nstatic IN BOGUS x\n"
        files["conf/maps/latency.csv"] = "prefix,region,rtt_ms\n81.2.69.0/24,eu-west-2,8\n81.2.69.1/24,eu-west-2,8\n10.0.0.0/8,atlantis-1,5\n"
        let errors = loadErrors(files)
        let expected = [
            "conf/nearcast.yaml:1": "unknown region 'mars-1'",
            "maps/latency.csv:3": "bad prefix",
            "maps/latency.csv:4": "unknown region 'atlantis-1'",
            "zones/example.com.zone:6": "999.1.1.1",
            "zones/hosts.inc:2": "BOGUS",  // includes are named relative to the config directory
            "conf/nearcast.yaml:11": "unknown region 'venus-2'",
            "conf/nearcast.yaml:12": "192.0.2.300",
            "conf/nearcast.yaml:13": "declared twice",
            "conf/nearcast.yaml:16": "zones/missing.zone",
        ]
        for (location, text) in expected {
            #expect(errors.contains { $0.hasPrefix(location + ": ") && $0.contains(text) }, "no '\(text)' at \(location) in \(errors)")
        }
        #expect(errors.count == expected.count, "\(errors)")
    }

    @Test func zoneBuildErrorsCarryTheirSources() {
        var files = goodFiles
        files["conf/zones/example.com.zone"] = goodZone + "\nwww IN A 192.0.2.7\n"
        let errors = loadErrors(files)
        #expect(errors.count == 2, "\(errors)")  // www A clashes with both latency sets
        #expect(errors.allSatisfy { $0.hasPrefix("conf/nearcast.yaml:") && $0.contains("zones/example.com.zone:6") })
        var noSOA = goodFiles
        noSOA["/abs/example.org.zone"] = "@ 60 IN NS ns1.example.com.\n"
        #expect(loadErrors(noSOA) == ["/abs/example.org.zone:0: the zone example.org. has no SOA record at its origin"])
    }

    @Test func badLatencyRecordTypeAndName() {
        var files = goodFiles
        files["conf/nearcast.yaml"] = """
            zones:
              - origin: example.com.
                file: zones/example.com.zone
                latency_records:
                  - { name: www, type: NS, ttl: 5, sets: [{ id: a, region: us-east-1, values: [ns1] }] }
                  - { name: "a..b", type: A, ttl: 5, sets: [{ id: a, region: us-east-1, values: [192.0.2.1] }] }
                  - { name: www, type: ANY, ttl: 5, sets: [{ id: a, region: us-east-1, values: [192.0.2.1] }] }
            """
        let errors = loadErrors(files)
        #expect(locations(errors) == ["conf/nearcast.yaml:5", "conf/nearcast.yaml:6", "conf/nearcast.yaml:7"], "\(errors)")
    }

    @Test func duplicateExtraRegion() {
        var files = goodFiles
        files["conf/nearcast.yaml"] = "regions:\n  - { name: us-east-1, latitude: 0, longitude: 0 }\nzones: []\n"
        let errors = loadErrors(files)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("us-east-1") == true)
        #expect(errors.first?.hasPrefix("conf/nearcast.yaml:") == true)
    }

    @Test func missingConfigAndMissingMap() {
        let missing = loadErrors([:])
        #expect(missing.count == 1)
        #expect(missing.first?.hasPrefix("conf/nearcast.yaml:0: cannot read the config file") == true)
        var files = goodFiles
        files["conf/maps/latency.csv"] = nil
        let errors = loadErrors(files)
        #expect(locations(errors) == ["conf/nearcast.yaml:6"])
        #expect(errors.first?.contains("cannot read the latency map 'maps/latency.csv'") == true)
    }
}

@Suite struct DemoTests {
    func demo() throws -> Snapshot {
        try Demo.loader.load(configPath: Demo.configPath, version: 1).get().snapshot
    }

    @Test func loads() throws {
        let loaded = try Demo.loader.load(configPath: Demo.configPath, version: 1).get()
        #expect(loaded.settings.listen == ["127.0.0.1:5300"])
        #expect(Set(loaded.snapshot.zones.keys) == [name("demo.nearcast.test.")])
    }

    @Test func londonAndTokyoGetTheirRegions() throws {
        let s = try demo()
        #expect(s.answerValues("www.demo.nearcast.test.", .a, client: "81.2.69.10") == ["192.0.2.2"])
        #expect(s.answerValues("www.demo.nearcast.test.", .a, client: "1.0.16.200") == ["192.0.2.3"])
        #expect(s.answerValues("www.demo.nearcast.test.", .a, client: "200.160.3.4") == ["192.0.2.4"])
        #expect(s.answerValues("www.demo.nearcast.test.", .a, client: "9.9.9.9") == ["192.0.2.1"])
        #expect(s.answerValues("www.demo.nearcast.test.", .aaaa, client: "2001:db8:44::1") == ["2001:db8::2"])
        #expect(s.answerValues("app.demo.nearcast.test.", .a, client: "1.0.16.1").last == "192.0.2.3")
        #expect(s.answerValues("static.demo.nearcast.test.", .a, client: "1.0.16.1") == ["192.0.2.100"])
    }

    @Test func explainsLondon() throws {
        let s = try demo()
        let e = s.explain(Question(name: name("www.demo.nearcast.test."), type: .a), client: ClientLocation(address: ip("81.2.69.0")))
        #expect(e.resolution.answer.map(\.data) == [.a(IPv4Bytes([192, 0, 2, 2]))])
        #expect(e.resolution.scope == 24)
        #expect(e.block == IPPrefix("81.2.69.0/24"))
        #expect(e.measured?.prefix == IPPrefix("81.2.69.0/24"))
        #expect(e.ranking.prefix(4).map { s.catalog.name(of: $0.region) } == ["eu-west-2", "us-east-1", "sa-east-1", "ap-northeast-1"])
        #expect(e.ranking.prefix(4).map(\.rttMs) == [8, 76, 192, 228])
        #expect(e.resolution.steps.first?.chosen.first?.setIdentifier == "london")
        let tokyo = s.explain(Question(name: name("www.demo.nearcast.test."), type: .a), client: ClientLocation(address: ip("1.0.16.0")))
        #expect(tokyo.resolution.steps.first?.chosen.first?.setIdentifier == "tokyo")
        #expect(tokyo.block == IPPrefix("1.0.16.0/24"))
    }

    @Test func answersOverTheWire() throws {
        let s = try demo()
        // www.demo.nearcast.test A with ECS 81.2.69.0/24.
        var query = Message(header: Header(id: 77, flags: 0x0100),
                            questions: [Question(name: name("www.demo.nearcast.test."), type: .a)],
                            edns: EDNS(udpPayloadSize: 1232, clientSubnet: try ClientSubnet(family: 1, sourcePrefix: 24, scopePrefix: 0, address: [81, 2, 69])))
        let bytes = query.encode().withUnsafeBytes { s.respond(to: $0, source: ip("127.0.0.1"), transport: .udp) }
        let response = try Message.parse(try #require(bytes))
        #expect(response.header.id == 77)
        #expect(response.answers.map(\.data) == [.a(IPv4Bytes([192, 0, 2, 2]))])
        #expect(response.edns?.clientSubnet?.scopePrefix == 24)
        query.edns?.clientSubnet = try ClientSubnet(family: 1, sourcePrefix: 24, scopePrefix: 0, address: [1, 0, 16])
        let tokyo = query.encode().withUnsafeBytes { s.respond(to: $0, source: ip("127.0.0.1"), transport: .udp) }
        #expect(try Message.parse(try #require(tokyo)).answers.map(\.data) == [.a(IPv4Bytes([192, 0, 2, 3]))])
    }
}
