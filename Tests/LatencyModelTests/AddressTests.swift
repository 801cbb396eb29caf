import Testing
@testable import LatencyModel

@Suite struct IPAddressTests {
    @Test func parsesAndPrintsIPv4() throws {
        let a = try #require(IPAddress("192.0.2.1"))
        #expect(a == .v4(0xC000_0201))
        #expect(a.description == "192.0.2.1")
        #expect(a.bytes == [192, 0, 2, 1])
        #expect(a.bitWidth == 32)
        #expect(IPAddress("0.0.0.0") == .v4(0))
        #expect(IPAddress("255.255.255.255") == .v4(.max))
        #expect(IPAddress(bytes: [10, 0, 0, 1]) == ip("10.0.0.1"))
    }

    @Test(arguments: [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:DB8::A", "2001:db8::a"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),   // RFC 5952 §4.2.3: the first of equal runs
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),         // §4.2.3: the longest run
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), // §4.2.2: no :: for one group
        ("0:0:0:0:0:0:0:0", "::"),
        ("::1", "::1"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ])
    func printsIPv6InRFC5952Form(_ input: String, _ canonical: String) throws {
        let a = try #require(IPAddress(input))
        #expect(a.description == canonical)
        #expect(IPAddress(canonical) == a)
        #expect(a.bitWidth == 128)
    }

    @Test func ipv6Value() {
        #expect(IPAddress("::1") == .v6(1))
        #expect(IPAddress("8000::") == .v6(UInt128(1) << 127))
        #expect(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == .v6(.max))
        #expect(IPAddress(bytes: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 12)) == ip("2001:db8::"))
        #expect(ip("2001:db8::1").bytes == [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "a.b.c.d", " 1.2.3.4", "1::2::3",
                      "gggg::", "2001:db8::1/64", "12345::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0"])
    func rejectsBadAddresses(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func rejectsWrongByteCounts() {
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 15)) == nil)
    }
}

@Suite struct IPPrefixTests {
    @Test func parsesPrefixes() throws {
        let p = try #require(IPPrefix("10.0.0.0/8"))
        #expect(p.address == ip("10.0.0.0") && p.length == 8)
        #expect(p.description == "10.0.0.0/8")
        #expect(IPPrefix("2001:db8::/32")?.length == 32)
        #expect(IPPrefix("2001:DB8:0::/32")?.description == "2001:db8::/32")
        #expect(IPPrefix("0.0.0.0/0")?.length == 0)
        #expect(IPPrefix("::/0")?.length == 0)
        #expect(IPPrefix("192.0.2.7") == IPPrefix(ip("192.0.2.7"), length: 32))
        #expect(IPPrefix("2001:db8::7")?.length == 128)
        #expect(IPPrefix("255.255.255.255/32") != nil)
    }

    @Test(arguments: ["10.0.0.1/8", "10.0.0.0/33", "2001:db8::/129", "2001:db8::1/64", "10.0.0.0/", "10.0.0.0/-1",
                      "10.0.0.0/8/8", "10.0.0.0/x", "/8", "0.0.0.1/0", "1.2.3/24"])
    func rejectsBadPrefixes(_ text: String) {
        #expect(IPPrefix(text) == nil)
    }

    @Test func masksHostBitsWhenBuiltFromAnAddress() {
        #expect(IPPrefix(ip("10.1.2.3"), length: 8).address == ip("10.0.0.0"))
        #expect(IPPrefix(ip("10.1.2.3"), length: 0).address == ip("0.0.0.0"))
        #expect(IPPrefix(ip("10.1.2.3"), length: 32).address == ip("10.1.2.3"))
        #expect(IPPrefix(ip("2001:db8:aaaa::1"), length: 32).address == ip("2001:db8::"))
    }

    @Test func containment() {
        let p = prefix("10.0.0.0/8")
        #expect(p.contains(ip("10.0.0.0")))
        #expect(p.contains(ip("10.255.255.255")))
        #expect(!p.contains(ip("11.0.0.0")))
        #expect(!p.contains(ip("9.255.255.255")))
        #expect(!p.contains(ip("::a00:0")))  // same bits, other family
        #expect(prefix("0.0.0.0/0").contains(ip("255.255.255.255")))
        #expect(!prefix("0.0.0.0/0").contains(ip("::")))
        #expect(prefix("::/0").contains(ip("ffff::")))
        #expect(prefix("2001:db8::/32").contains(ip("2001:db8:ffff::1")))
        #expect(!prefix("2001:db8::/32").contains(ip("2001:db9::")))
        #expect(prefix("192.0.2.1/32").contains(ip("192.0.2.1")))
        #expect(!prefix("192.0.2.1/32").contains(ip("192.0.2.2")))
    }
}

@Suite struct RegionCatalogTests {
    @Test func holdsRoute53sThirtyNineRegions() throws {
        let catalog = try RegionCatalog()
        #expect(catalog.regions.count == 39)
        #expect(Set(catalog.regions.map(\.name)).count == 39)
        #expect(catalog.id(of: "us-east-1") == 0)
        #expect(catalog.name(of: 0) == "us-east-1")
        for name in ["eu-west-2", "ap-northeast-1", "sa-east-1", "eusc-de-east-1", "us-gov-west-1", "mx-central-1"] {
            let id = try #require(catalog.id(of: name))
            #expect(catalog.name(of: id) == name)
        }
        #expect(catalog.id(of: "US-EAST-1") == nil)
        #expect(catalog.id(of: "mars-1") == nil)
        #expect(catalog.allIDs == (0..<39).map { RegionID($0) })
    }

    @Test func appendsExtraRegions() throws {
        let catalog = try RegionCatalog(extra: [Region(name: "dc-paris", latitude: 48.86, longitude: 2.35),
                                                Region(name: "dc-oslo", latitude: 59.9, longitude: 10.7)])
        #expect(catalog.regions.count == 41)
        #expect(catalog.id(of: "dc-paris") == 39)
        #expect(catalog.id(of: "dc-oslo") == 40)
        #expect(catalog.regions[39].latitude == 48.86)
    }

    @Test func rejectsDuplicates() {
        #expect(throws: RegionCatalog.CatalogError.duplicate("eu-west-1")) {
            try RegionCatalog(extra: [Region(name: "eu-west-1", latitude: 0, longitude: 0)])
        }
        #expect(throws: RegionCatalog.CatalogError.duplicate("dc-x")) {
            try RegionCatalog(extra: [Region(name: "dc-x", latitude: 0, longitude: 0), Region(name: "dc-x", latitude: 1, longitude: 1)])
        }
    }
}
