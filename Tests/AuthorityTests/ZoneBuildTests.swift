import Testing
import Authority
import DNSWire
import LatencyModel

let minimalZone = """
    $TTL 300
    @    IN SOA ns1 hostmaster 1 7200 3600 1209600 60
         IN NS  ns1
    ns1  IN A   192.0.2.53
    """

@Suite struct ZoneBuildTests {
    /// The single message of a zone that must fail, checked to start with `source: `.
    func singleError(_ text: String, latency: [RoutedDeclaration] = [], extra: [DeclaredRecord] = []) -> String {
        let errors = buildErrors("example.com.", text, latency: latency, extra: extra)
        #expect(errors.count == 1, "\(errors)")
        return errors.first ?? ""
    }

    @Test func buildsNodesEmptyNonTerminalsAndCuts() throws {
        let zone = try buildZone("example.com.", minimalZone + """

            a.b.c  IN TXT "x"
            deleg  IN NS  ns.deleg
            ns.deleg IN A 192.0.2.9
            """).get()
        #expect(zone.origin == name("example.com."))
        #expect(zone.soa.minimum == 60)
        #expect(zone.soaTTL == 300)
        #expect(zone.nodes[name("b.c.example.com.")]?.isEmptyNonTerminal == true)
        #expect(zone.nodes[name("c.example.com.")]?.isEmptyNonTerminal == true)
        #expect(zone.nodes[name("a.b.c.example.com.")]?.isEmptyNonTerminal == false)
        #expect(zone.nodes[name("deleg.example.com.")] != nil)
        #expect(zone.cuts == [name("deleg.example.com.")])
        #expect(zone.cut(atOrAbove: name("x.ns.deleg.example.com.")) == name("deleg.example.com."))
        #expect(zone.cut(atOrAbove: name("example.com.")) == nil)
        #expect(zone.cut(atOrAbove: name("c.example.com.")) == nil)
        #expect(zone.nodes[name("example.com.")]?.entries.map(\.type) == [.ns, .soa])
    }

    @Test func mergesRecordsOfOneRRsetAndDropsDuplicates() throws {
        let zone = try buildZone("example.com.", minimalZone + """

            www 300 IN A 192.0.2.1
            www 300 IN A 192.0.2.1
            www 300 IN A 192.0.2.2
            """).get()
        guard case .plain(let rrset)? = zone.nodes[name("www.example.com.")]?[.a] else {
            Issue.record("www A is not a plain RRset"); return
        }
        #expect(rrset.rdata.count == 2)
    }

    @Test func latencyAndPlainRecordsMayNotShareNameAndType() {
        let message = singleError(minimalZone + "\nwww IN A 192.0.2.1",
                                  latency: [latencySet("www", in: "example.com.", .a, id: "a", region: "us-east-1", ["192.0.2.2"], source: "nearcast.yaml:14")])
        #expect(message.hasPrefix("nearcast.yaml:14: "))
        #expect(message.contains("www.example.com. A"))
        #expect(message.contains("example.com.zone:5"))
        // Another type at the same name is fine.
        let ok = buildZone("example.com.", minimalZone + "\nwww IN TXT \"t\"",
                           latency: [latencySet("www", in: "example.com.", .a, id: "a", region: "us-east-1", ["192.0.2.2"])])
        #expect((try? ok.get()) != nil)
    }

    @Test func setIdentifiersAreUniquePerNameAndType() {
        let message = singleError(minimalZone, latency: [
            latencySet("www", in: "example.com.", .a, id: "one", region: "us-east-1", ["192.0.2.1"], source: "cfg:10"),
            latencySet("www", in: "example.com.", .a, id: "one", region: "eu-west-1", ["192.0.2.2"], source: "cfg:11"),
        ])
        #expect(message.hasPrefix("cfg:11: "))
        #expect(message.contains("'one'"))
        #expect(message.contains("already used at cfg:10"))
        // The same identifier for another type is fine.
        let ok = buildZone("example.com.", minimalZone, latency: [
            latencySet("www", in: "example.com.", .a, id: "one", region: "us-east-1", ["192.0.2.1"]),
            latencySet("www", in: "example.com.", .aaaa, id: "one", region: "us-east-1", ["2001:db8::1"]),
        ])
        #expect((try? ok.get()) != nil)
    }

    @Test func oneSetPerRegionPerNameAndType() {
        let message = singleError(minimalZone, latency: [
            latencySet("www", in: "example.com.", .a, id: "one", region: "us-east-1", ["192.0.2.1"], source: "cfg:10"),
            latencySet("www", in: "example.com.", .a, id: "two", region: "us-east-1", ["192.0.2.2"], source: "cfg:11"),
        ])
        #expect(message.hasPrefix("cfg:11: "))
        #expect(message.contains("region us-east-1"))
        #expect(message.contains("at cfg:10"))
    }

    @Test func cnameBesideOtherData() {
        let message = singleError(minimalZone + "\nwww IN CNAME elsewhere.net.\nwww IN TXT \"t\"")
        #expect(message.hasPrefix("example.com.zone:5: "))
        #expect(message.contains("www.example.com. has a CNAME beside other data (TXT)"))
        let latency = singleError(minimalZone + "\nwww IN CNAME elsewhere.net.",
                                  latency: [latencySet("www", in: "example.com.", .a, id: "a", region: "us-east-1", ["192.0.2.1"])])
        #expect(latency.contains("CNAME beside other data (A)"))
    }

    @Test func moreThanOneCNAME() {
        let message = singleError(minimalZone + "\nwww IN CNAME a.net.\nwww IN CNAME b.net.")
        #expect(message.hasPrefix("example.com.zone:5: "))
        #expect(message.contains("more than one CNAME"))
    }

    @Test func cnameAtTheApex() {
        let errors = buildErrors("example.com.", minimalZone + "\n@ IN CNAME elsewhere.net.")
        #expect(errors.contains { $0.hasPrefix("example.com.zone:5: ") && $0.contains("CNAME at the zone origin") })
    }

    @Test func missingSOA() {
        let message = singleError("$TTL 300\n@ IN NS ns1\nns1 IN A 192.0.2.1")
        #expect(message == "example.com.zone:0: the zone example.com. has no SOA record at its origin")
    }

    @Test func missingNS() {
        let message = singleError("$TTL 300\n@ IN SOA ns1 hostmaster 1 2 3 4 5\nns1 IN A 192.0.2.1")
        #expect(message == "example.com.zone:0: the zone example.com. has no NS records at its origin")
    }

    @Test func twoSOAsAndAnSOABelowTheApex() {
        let two = singleError(minimalZone + "\n@ IN SOA ns2 hostmaster 2 7200 3600 1209600 60")
        #expect(two.hasPrefix("example.com.zone:2: "))
        #expect(two.contains("more than one SOA"))
        let below = singleError(minimalZone + "\nsub IN SOA ns1 hostmaster 1 7200 3600 1209600 60")
        #expect(below.hasPrefix("example.com.zone:5: "))
        #expect(below.contains("SOA record at sub.example.com."))
    }

    @Test func outOfZoneRecords() {
        let stray = DeclaredRecord(record: Record(name: name("www.example.org."), ttl: 60, data: .a(IPv4Bytes([192, 0, 2, 1]))),
                                   source: "other.zone:7")
        let message = singleError(minimalZone, extra: [stray])
        #expect(message == "other.zone:7: www.example.org. is outside the zone example.com.")
        let latency = singleError(minimalZone, latency: [latencySet("www.example.org.", in: "example.com.", .a, id: "a",
                                                                    region: "us-east-1", ["192.0.2.1"], source: "cfg:3")])
        #expect(latency == "cfg:3: www.example.org. is outside the zone example.com.")
    }

    @Test func reportsEveryProblemAtOnce() {
        let errors = buildErrors("example.com.", "$TTL 300\nwww IN CNAME a.net.\nwww IN A 192.0.2.1", latency: [
            latencySet("x", in: "example.com.", .a, id: "s", region: "us-east-1", ["192.0.2.1"], source: "cfg:1"),
            latencySet("x", in: "example.com.", .a, id: "s", region: "eu-west-1", ["192.0.2.2"], source: "cfg:2"),
        ])
        #expect(errors.count == 4, "\(errors)")  // duplicate id, no SOA, no NS, CNAME beside data
        #expect(errors.contains { $0.hasPrefix("cfg:2: ") })
        #expect(errors.contains { $0.contains("no SOA") })
        #expect(errors.contains { $0.contains("no NS") })
        #expect(errors.contains { $0.hasPrefix("example.com.zone:2: ") && $0.contains("CNAME beside") })
    }
}
