import Testing
@testable import DNSWire

@Suite struct DomainNameTests {
    @Test func parsesAndPrintsPlainNames() throws {
        let n = try DomainName(parsing: "www.Example.COM.")
        #expect(n.wire == [3, 0x77, 0x77, 0x77, 7] + Array("Example".utf8) + [3] + Array("COM".utf8) + [0])
        #expect(n.description == "www.Example.COM.")
        #expect(n.labelCount == 3)
        #expect(DomainName.root.description == ".")
        #expect(try DomainName(parsing: ".") == .root)
        #expect(try DomainName(parsing: ".").isRoot)
    }

    @Test func escapedDotStaysInsideTheLabel() throws {
        let n = try DomainName(parsing: "a\\.b.example.")
        #expect(n.labelCount == 2)
        #expect(n.labels.map { Array($0) } == [Array("a.b".utf8), Array("example".utf8)])
        #expect(n.description == "a\\.b.example.")
        #expect(n != (try DomainName(parsing: "a.b.example.")))
    }

    @Test func decimalEscapes() throws {
        let n = try DomainName(parsing: "a\\032b.\\000\\255.")
        #expect(n.labels.map { Array($0) } == [[0x61, 0x20, 0x62], [0x00, 0xFF]])
        #expect(n.description == "a\\032b.\\000\\255.")
        // Special characters print with a backslash, controls as \DDD.
        let special = try DomainName(labels: [[UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ";"), 9, 0x7F]])
        #expect(special.description == "\\\\\\\"\\;\\009\\127.")
        #expect(try DomainName(parsing: special.description) == special)
    }

    @Test(arguments: ["a\\", "a\\25", "a\\256.", "a..b.", ".a.", "", "a\\2x5."])
    func rejectsBadPresentation(_ text: String) {
        #expect(throws: DNSError.self) { try DomainName(parsing: text, origin: .root) }
    }

    @Test func relativeNamesNeedAnOrigin() throws {
        let origin = name("example.com.")
        #expect(try DomainName(parsing: "www", origin: origin) == name("www.example.com."))
        #expect(try DomainName(parsing: "@", origin: origin) == origin)
        #expect(throws: DNSError.self) { try DomainName(parsing: "www") }
        #expect(throws: DNSError.self) { try DomainName(parsing: "@") }
    }

    @Test func equalityAndHashIgnoreCaseButWirePreservesIt() throws {
        let upper = name("WWW.Example.COM."), lower = name("www.example.com.")
        #expect(upper == lower)
        #expect(upper.hashValue == lower.hashValue)
        #expect(Set([upper, lower]).count == 1)
        #expect(upper.wire != lower.wire)
        #expect(upper.lowercased.wire == lower.wire)
        var w = WireWriter()
        w.name(upper)
        #expect(w.bytes == upper.wire)
        // Non-letters are not folded: '[' (0x5B) and '{' (0x7B) differ by 0x20 too.
        #expect(name("a[.") != name("a{."))
        #expect(name("a@b.") != name("a`b."))
    }

    @Test func subdomains() {
        let zone = name("example.com.")
        #expect(name("www.EXAMPLE.com.").isSubdomain(of: zone))
        #expect(zone.isSubdomain(of: zone))
        #expect(zone.isSubdomain(of: .root))
        #expect(!name("example.org.").isSubdomain(of: zone))
        #expect(!name("com.").isSubdomain(of: zone))
        #expect(!name("wwwexample.com.").isSubdomain(of: zone))
        #expect(!name("example.com.au.").isSubdomain(of: zone))
    }

    @Test func parentAndDropping() throws {
        let n = name("a.b.c.")
        #expect(n.parent == name("b.c."))
        #expect(n.parent.parent.parent == .root)
        #expect(DomainName.root.parent == .root)
        #expect(n.dropping(labels: 0) == n)
        #expect(n.dropping(labels: 2) == name("c."))
        #expect(n.dropping(labels: 3) == .root)
        #expect(n.dropping(labels: 9) == .root)
        #expect(try n.prepending(Array("x".utf8)) == name("x.a.b.c."))
        #expect(name("*.example.").isWildcard)
        #expect(!name("a*.example.").isWildcard)
        #expect(!name("a.*.example.").isWildcard)
    }

    @Test func canonicalOrderFollowsRFC4034Section6_1() {
        // The example list from RFC 4034 §6.1, already in canonical order.
        let ordered = ["example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
                       "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example."].map(name)
        #expect(ordered.shuffled().sorted(by: DomainName.canonicalOrder) == ordered)
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            #expect(DomainName.canonicalOrder(a, b))
            #expect(!DomainName.canonicalOrder(b, a))
        }
        #expect(!DomainName.canonicalOrder(name("A.example."), name("a.EXAMPLE.")))
    }

    @Test func labelOf63IsAcceptedAnd64Rejected() throws {
        let ok = String(repeating: "a", count: 63)
        #expect(try DomainName(parsing: ok + ".").labels[0].count == 63)
        #expect(throws: DNSError.self) { try DomainName(parsing: ok + "a.") }
        #expect(throws: DNSError.self) { try DomainName(labels: [[UInt8](repeating: 0x61, count: 64)]) }
        #expect(throws: DNSError.self) { try DomainName(labels: [[UInt8]()]) }
    }

    @Test func nameOf255BytesIsAcceptedAnd256Rejected() throws {
        let l63 = String(repeating: "a", count: 63)
        // 3 × (1+63) + (1+61) + 1 = 255 bytes.
        let max = try DomainName(parsing: "\(l63).\(l63).\(l63).\(String(repeating: "b", count: 61)).")
        #expect(max.wire.count == 255)
        #expect(throws: DNSError.self) {
            try DomainName(parsing: "\(l63).\(l63).\(l63).\(String(repeating: "b", count: 62)).")
        }
        #expect(throws: DNSError.self) { try max.prepending([0x78]) }
        #expect(throws: DNSError.self) { try name("x.").appending(max) }
        #expect(try DomainName(parsing: "\(l63).\(l63)", origin: name("\(l63).\(String(repeating: "b", count: 61)).")) == max)
    }
}
