import Testing
import Authority
import DNSWire
import LatencyModel
import ZoneFile

let exampleZone = """
    $TTL 3600
    @        IN SOA   ns1 hostmaster 1 7200 3600 1209600 300
             IN NS    ns1
             IN NS    ns2.example.net.
             IN MX    10 mail
    ns1      IN A     192.0.2.53
    mail     IN A     192.0.2.25
             IN AAAA  2001:db8::25
    www      IN A     192.0.2.80
             IN A     192.0.2.81
    _sip._tcp IN SRV  0 5 5060 mail
    a.b.c    IN TXT   "deep"
    *.wild   IN A     192.0.2.99
    *.wild   IN TXT   "wild"
    x.wild   IN TXT   "exists"
    a.ent.wild IN TXT "below an empty non-terminal"
    *.cw     IN CNAME www
    alias    IN CNAME www
    chain1   IN CNAME chain2
    chain2   IN CNAME www
    out      IN CNAME www.example.org.
    loop1    IN CNAME loop2
    loop2    IN CNAME loop1
    selfloop IN CNAME selfloop
    dangling IN CNAME nothere
    todeleg  IN CNAME host.deleg
    deleg    IN NS    ns.deleg
             IN NS    ns.other.net.
             IN DS    12345 8 2 4A5B6C7D8E9F
    ns.deleg IN A     192.0.2.200
             IN AAAA  2001:db8::200
    nods     IN NS    ns.other.net.
    sub      IN NS    ns1.sub
    ns1.sub  IN A     192.0.2.201
    """

let subZone = """
    $TTL 600
    @        IN SOA   ns1 hostmaster 7 7200 3600 1209600 900
             IN NS    ns1
    ns1      IN A     192.0.2.201
    www      IN A     198.51.100.1
    """

@Suite struct ResolveTests {
    let snapshot = makeSnapshot([("example.com.", exampleZone), ("sub.example.com.", subZone)])
    let soa = rr("example.com.", 300, .soa, "ns1 hostmaster 1 7200 3600 1209600 300")

    @Test func exactAnswerIsAuthoritative() {
        let r = snapshot.resolve("www.example.com.", .a)
        #expect(r.rcode == .noError)
        #expect(r.authoritative)
        #expect(r.answer == [rr("www.example.com.", 3600, .a, "192.0.2.80"), rr("www.example.com.", 3600, .a, "192.0.2.81")])
        #expect(r.authority.isEmpty)
        #expect(r.additional.isEmpty)
        #expect(r.scope == 0)
        #expect(r.steps.isEmpty)
    }

    @Test func answerOwnerKeepsTheQuestionsCase() throws {
        let r = snapshot.resolve("WwW.ExAmple.com.", .a)
        let owner = try #require(r.answer.first?.name)
        #expect(owner.wire == name("WwW.ExAmple.com.").wire)
    }

    @Test func nodataHasSOAWithNegativeTTL() {
        let r = snapshot.resolve("www.example.com.", .aaaa)
        #expect(r.rcode == .noError)
        #expect(r.authoritative)
        #expect(r.answer.isEmpty)
        #expect(r.authority == [soa])
        #expect(r.authority.first?.ttl == 300)  // min(3600, MINIMUM 300), RFC 2308 §3
    }

    @Test func negativeTTLIsTheSOATTLWhenThatIsSmaller() {
        let zone = """
            @ 60 IN SOA ns1 hostmaster 1 7200 3600 1209600 300
              60 IN NS ns1
            ns1 60 IN A 192.0.2.1
            """
        let s = makeSnapshot([("short.test.", zone)])
        #expect(s.resolve("ns1.short.test.", .txt).authority.first?.ttl == 60)
        #expect(s.resolve("nope.short.test.", .a).authority.first?.ttl == 60)
    }

    @Test func nxdomainHasSOA() {
        let r = snapshot.resolve("nope.example.com.", .a)
        #expect(r.rcode == .nxDomain)
        #expect(r.authoritative)
        #expect(r.answer.isEmpty)
        #expect(r.authority == [soa])
    }

    @Test func emptyNonTerminalIsNodataNotNXDomain() {
        for qname in ["b.c.example.com.", "c.example.com.", "ent.wild.example.com."] {
            let r = snapshot.resolve(qname, .a)
            #expect(r.rcode == .noError, "\(qname)")
            #expect(r.answer.isEmpty, "\(qname)")
            #expect(r.authority == [soa], "\(qname)")
        }
        #expect(snapshot.resolve("x.b.c.example.com.", .a).rcode == .nxDomain)
    }

    @Test func wildcardSynthesizesRecordsAtTheQueryName() throws {
        let r = snapshot.resolve("Foo.wild.example.com.", .a)
        #expect(r.rcode == .noError)
        #expect(r.authoritative)
        #expect(r.answer == [rr("foo.wild.example.com.", 3600, .a, "192.0.2.99")])
        #expect(try #require(r.answer.first).name.wire == name("Foo.wild.example.com.").wire)
        let deep = snapshot.resolve("a.b.foo.wild.example.com.", .txt)
        #expect(deep.answer.map(\.name) == [name("a.b.foo.wild.example.com.")])
        #expect(deep.answer.first?.data == .txt([Array("wild".utf8)]))
    }

    @Test func wildcardNodataForAMissingType() {
        let r = snapshot.resolve("foo.wild.example.com.", .mx)
        #expect(r.rcode == .noError)
        #expect(r.answer.isEmpty)
        #expect(r.authority == [soa])
    }

    @Test func wildcardDoesNotApplyToExistingNamesOrEmptyNonTerminals() {
        let existing = snapshot.resolve("x.wild.example.com.", .a)
        #expect(existing.rcode == .noError)
        #expect(existing.answer.isEmpty)
        #expect(existing.authority == [soa])
        let ent = snapshot.resolve("ent.wild.example.com.", .a)
        #expect(ent.answer.isEmpty)
        #expect(ent.rcode == .noError)
        // RFC 4592 §2.2.1: the closest encloser of y.x.wild is x.wild, which has no wildcard.
        #expect(snapshot.resolve("y.x.wild.example.com.", .a).rcode == .nxDomain)
        #expect(snapshot.resolve("y.ent.wild.example.com.", .a).rcode == .nxDomain)
    }

    @Test func theWildcardNameItselfIsAnOrdinaryName() {
        let r = snapshot.resolve("*.wild.example.com.", .a)
        #expect(r.answer == [rr("*.wild.example.com.", 3600, .a, "192.0.2.99")])
    }

    @Test func wildcardCNAMEIsSynthesizedAndFollowed() {
        let r = snapshot.resolve("anything.cw.example.com.", .a)
        #expect(r.rcode == .noError)
        #expect(r.answer == [rr("anything.cw.example.com.", 3600, .cname, "www"),
                             rr("www.example.com.", 3600, .a, "192.0.2.80"), rr("www.example.com.", 3600, .a, "192.0.2.81")])
    }

    @Test func cnameIsFollowedInZone() {
        let r = snapshot.resolve("chain1.example.com.", .a)
        #expect(r.rcode == .noError)
        #expect(r.authoritative)
        #expect(r.answer == [rr("chain1.example.com.", 3600, .cname, "chain2"), rr("chain2.example.com.", 3600, .cname, "www"),
                             rr("www.example.com.", 3600, .a, "192.0.2.80"), rr("www.example.com.", 3600, .a, "192.0.2.81")])
        #expect(r.authority.isEmpty)
    }

    @Test func cnameChainEndingInNodataCarriesTheSOA() {
        let r = snapshot.resolve("alias.example.com.", .aaaa)
        #expect(r.rcode == .noError)
        #expect(r.answer == [rr("alias.example.com.", 3600, .cname, "www")])
        #expect(r.authority == [soa])
    }

    @Test func queryForTheCNAMEItselfIsNotFollowed() {
        let r = snapshot.resolve("alias.example.com.", .cname)
        #expect(r.answer == [rr("alias.example.com.", 3600, .cname, "www")])
        #expect(r.authority.isEmpty)
    }

    @Test func chainToAnOutOfZoneTargetStops() {
        let r = snapshot.resolve("out.example.com.", .a)
        #expect(r.rcode == .noError)
        #expect(r.authoritative)
        #expect(r.answer == [rr("out.example.com.", 3600, .cname, "www.example.org.")])
        #expect(r.authority.isEmpty)
    }

    @Test func cnameLoopsTerminate() {
        let r = snapshot.resolve("loop1.example.com.", .a)
        #expect(r.answer == [rr("loop1.example.com.", 3600, .cname, "loop2"), rr("loop2.example.com.", 3600, .cname, "loop1")])
        #expect(r.rcode == .noError)
        let selfLoop = snapshot.resolve("selfloop.example.com.", .a)
        #expect(selfLoop.answer == [rr("selfloop.example.com.", 3600, .cname, "selfloop")])
    }

    @Test func longChainsStopAtTheLimit() {
        let links = (0..<30).map { "c\($0) IN CNAME c\($0 + 1)" }.joined(separator: "\n")
        let s = makeSnapshot([("long.test.", "@ 60 IN SOA ns hm 1 1 1 1 1\n@ 60 IN NS ns\n$TTL 60\n" + links + "\nc30 IN A 192.0.2.1")])
        let r = s.resolve("c0.long.test.", .a)
        #expect(!r.answer.isEmpty)
        #expect(r.answer.count <= 17)
        #expect(r.answer.allSatisfy { $0.type == .cname })
    }

    @Test func chainToAMissingNameIsNXDomainWithTheCNAME() {
        let r = snapshot.resolve("dangling.example.com.", .a)
        #expect(r.rcode == .nxDomain)  // RFC 6604 §3: the rcode of the last name
        #expect(r.authoritative)
        #expect(r.answer == [rr("dangling.example.com.", 3600, .cname, "nothere")])
        #expect(r.authority == [soa])
    }

    @Test func referralAtTheCut() {
        for type in [RRType.a, .ns, .mx] {
            let r = snapshot.resolve("deleg.example.com.", type)
            #expect(r.rcode == .noError)
            #expect(!r.authoritative)
            #expect(r.answer.isEmpty)
            #expect(r.authority == [rr("deleg.example.com.", 3600, .ns, "ns.deleg"), rr("deleg.example.com.", 3600, .ns, "ns.other.net.")])
            #expect(r.additional == [rr("ns.deleg.example.com.", 3600, .a, "192.0.2.200"), rr("ns.deleg.example.com.", 3600, .aaaa, "2001:db8::200")])
        }
    }

    @Test func referralBelowTheCut() {
        for qname in ["host.deleg.example.com.", "a.b.deleg.example.com.", "ns.deleg.example.com."] {
            let r = snapshot.resolve(qname, .a)
            #expect(r.rcode == .noError, "\(qname)")
            #expect(!r.authoritative, "\(qname)")
            #expect(r.answer.isEmpty, "\(qname)")
            #expect(r.authority.map(\.name) == [name("deleg.example.com."), name("deleg.example.com.")], "\(qname)")
            #expect(r.additional.count == 2, "\(qname)")
        }
        // DS below the cut belongs to the child too.
        #expect(!snapshot.resolve("host.deleg.example.com.", .ds).authoritative)
    }

    @Test func referralWithoutInZoneGlue() {
        let r = snapshot.resolve("www.nods.example.com.", .a)
        #expect(!r.authoritative)
        #expect(r.authority == [rr("nods.example.com.", 3600, .ns, "ns.other.net.")])
        #expect(r.additional.isEmpty)
    }

    @Test func dsAtTheCutIsAnsweredByTheParent() {
        let r = snapshot.resolve("deleg.example.com.", .ds)
        #expect(r.rcode == .noError)
        #expect(r.authoritative)
        #expect(r.answer == [rr("deleg.example.com.", 3600, .ds, "12345 8 2 4A5B6C7D8E9F")])
        #expect(r.authority.isEmpty)
        let none = snapshot.resolve("nods.example.com.", .ds)
        #expect(none.authoritative)
        #expect(none.answer.isEmpty)
        #expect(none.authority == [soa])
    }

    @Test func cnameIntoADelegationEndsWithTheReferral() {
        // RFC 1034 §4.3.2: after step 3a restarts at the target, step 3b adds
        // the delegation's NS to authority and glue to additional.
        let r = snapshot.resolve("todeleg.example.com.", .a)
        #expect(r.answer == [rr("todeleg.example.com.", 3600, .cname, "host.deleg")])
        #expect(r.rcode == .noError)
        #expect(r.authority == [rr("deleg.example.com.", 3600, .ns, "ns.deleg"), rr("deleg.example.com.", 3600, .ns, "ns.other.net.")])
        #expect(r.additional.map(\.type) == [.a, .aaaa])
    }

    @Test func refusesNamesOutsideItsZones() {
        for qname in ["www.example.org.", "com.", "."] {
            let r = snapshot.resolve(qname, .a)
            #expect(r.rcode == .refused, "\(qname)")
            #expect(!r.authoritative)
            #expect(r.answer.isEmpty && r.authority.isEmpty && r.additional.isEmpty)
        }
        #expect(snapshot.resolve("www.example.com.", .a, rrclass: .chaos).rcode == .refused)
        #expect(snapshot.resolve("www.example.com.", .a, rrclass: .any).rcode == .noError)
    }

    @Test func theMostSpecificZoneAnswers() {
        let www = snapshot.resolve("www.sub.example.com.", .a)
        #expect(www.authoritative)
        #expect(www.answer == [rr("www.sub.example.com.", 600, .a, "198.51.100.1")])
        let apex = snapshot.resolve("sub.example.com.", .soa)
        #expect(apex.authoritative)
        #expect(apex.answer == [rr("sub.example.com.", 600, .soa, "ns1 hostmaster 7 7200 3600 1209600 900", origin: "sub.example.com.")])
        let nx = snapshot.resolve("nope.sub.example.com.", .a)
        #expect(nx.rcode == .nxDomain)
        #expect(nx.authority.map(\.name) == [name("sub.example.com.")])
        #expect(nx.authority.first?.ttl == 600)
        #expect(snapshot.zone(for: name("a.b.sub.example.com."))?.origin == name("sub.example.com."))
        #expect(snapshot.zone(for: name("sub2.example.com."))?.origin == name("example.com."))
        #expect(snapshot.zone(for: name("example.net.")) == nil)
    }

    @Test func anyReturnsOneRRset() {
        for qname in ["example.com.", "mail.example.com.", "www.example.com."] {
            let r = snapshot.resolve(qname, .any)
            #expect(r.rcode == .noError)
            #expect(r.authoritative)
            #expect(!r.answer.isEmpty)
            #expect(Set(r.answer.map(\.type)).count == 1, "\(qname): \(r.answer.map(\.type))")
        }
        #expect(snapshot.resolve("www.example.com.", .any).answer.count == 2)
        #expect(snapshot.resolve("c.example.com.", .any).authority == [soa])
        #expect(snapshot.resolve("nope.example.com.", .any).rcode == .nxDomain)
    }

    @Test func additionalAddressesForMXNSAndSRV() {
        let mx = snapshot.resolve("example.com.", .mx)
        #expect(mx.answer == [rr("example.com.", 3600, .mx, "10 mail")])
        #expect(mx.additional == [rr("mail.example.com.", 3600, .a, "192.0.2.25"), rr("mail.example.com.", 3600, .aaaa, "2001:db8::25")])
        let ns = snapshot.resolve("example.com.", .ns)
        #expect(ns.authoritative)
        #expect(ns.answer.count == 2)
        #expect(ns.additional == [rr("ns1.example.com.", 3600, .a, "192.0.2.53")])
        let srv = snapshot.resolve("_sip._tcp.example.com.", .srv)
        #expect(srv.additional.map(\.name) == [name("mail.example.com."), name("mail.example.com.")])
        // No additional data for other types.
        #expect(snapshot.resolve("alias.example.com.", .cname).additional.isEmpty)
    }
}
