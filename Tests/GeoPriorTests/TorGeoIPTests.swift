import Testing
@testable import GeoPrior
import LatencyModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct TorGeoIPTests {
    let ipv4 = Array("""
        # comment
        16777216,16777471,AU
        16777472,16778239,CN\r
        16778240,16778240,??

        16843008,16843263,UK

        """.utf8)
    let ipv6 = Array("""
        #
        2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,US
        2400:cb00:21::,2400:cb00:21:ffff:ffff:ffff:ffff:ffff,GB
        """.utf8)

    @Test func looksUpRangesAndTheirEdges() throws {
        let table = try TorGeoIP(ipv4: ipv4, ipv6: ipv6)
        #expect(table.counts == (3, 2))
        #expect(table.country(of: ip("0.255.255.255")) == nil)
        #expect(table.country(of: ip("1.0.0.0")) == "AU")
        #expect(table.country(of: ip("1.0.0.255")) == "AU")
        #expect(table.country(of: ip("1.0.1.0")) == "CN")
        #expect(table.country(of: ip("1.0.3.255")) == "CN")
        #expect(table.country(of: ip("1.0.4.0")) == nil)   // ?? is unknown
        #expect(table.country(of: ip("1.0.4.1")) == nil)   // a gap
        #expect(table.country(of: ip("1.1.1.1")) == "GB")  // IPFire's UK
        #expect(table.country(of: ip("255.255.255.255")) == nil)
        #expect(table.country(of: ip("2001:4860::")) == "US")
        #expect(table.country(of: ip("2001:4860:ffff:ffff:ffff:ffff:ffff:ffff")) == "US")
        #expect(table.country(of: ip("2001:4861::")) == nil)
        #expect(table.country(of: ip("2400:cb00:21:1::1")) == "GB")
        #expect(table.country(of: ip("::")) == nil)
    }

    /// A lookup searches only the ranges starting in its address's top-16-bit
    /// slice: ranges that start in an earlier slice and reach into this one,
    /// or span many, are found too, and slices without a range start at all.
    @Test func findsRangesThatStartInAnEarlierSlice() throws {
        let text = """
            16842240,16843007,DE
            16908288,17432575,FR
            4294901760,4294967295,NZ

            """  // 1.0.254.0–1.1.0.255, 1.2.0.0–1.9.255.255, 255.255.0.0–255.255.255.255
        let table = try TorGeoIP(ipv4: Array(text.utf8), ipv6: Array("8000::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,AQ".utf8))
        #expect(table.country(of: ip("1.0.253.255")) == nil && table.country(of: ip("1.0.254.0")) == "DE")
        #expect(table.country(of: ip("1.1.0.0")) == "DE" && table.country(of: ip("1.1.0.255")) == "DE")
        #expect(table.country(of: ip("1.1.1.0")) == nil && table.country(of: ip("1.1.255.255")) == nil)
        #expect(table.country(of: ip("1.5.77.1")) == "FR" && table.country(of: ip("1.9.255.255")) == "FR")
        #expect(table.country(of: ip("1.10.0.0")) == nil && table.country(of: ip("200.1.1.1")) == nil)
        #expect(table.country(of: ip("255.255.255.255")) == "NZ" && table.country(of: ip("255.254.255.255")) == nil)
        #expect(table.country(of: ip("c000::1")) == "AQ" && table.country(of: ip("7fff:ffff::")) == nil)
    }

    @Test(arguments: [
        ("1,2\n", 1, "expected FROM,TO,CC"),
        ("# x\n5,4,US\n", 2, "bad range"),
        ("1,4294967296,US\n", 1, "bad range"),
        ("1,2,U\n", 1, "bad country code"),
        ("1,2,us\n", 1, "bad country code"),
        ("1,5,US\n5,6,CA\n", 2, "range not after the previous one"),
        ("7,8,US\n1,2,CA\n", 2, "range not after the previous one"),
    ])
    func rejectsMalformedLines(text: String, line: Int, reason: String) {
        #expect(throws: TorGeoIPError(file: "geoip", line: line, reason: reason)) {
            try TorGeoIP(ipv4: Array(text.utf8), ipv6: [])
        }
    }

    @Test func rejectsIPv4InTheIPv6File() {
        #expect(throws: TorGeoIPError(file: "geoip6", line: 1, reason: "bad range")) {
            try TorGeoIP(ipv4: [], ipv6: Array("2001::,1.2.3.4,US".utf8))
        }
        #expect(throws: TorGeoIPError(file: "/nonexistent", line: 0, reason: "No such file or directory")) {
            try TorGeoIP(ipv4Path: "/nonexistent")
        }
    }

    /// Debian's tor-geoipdb (scripts/test installs it); the answers are
    /// the files' own lines, found with grep.
    @Test func readsTheInstalledFiles() throws {
        let clock = ContinuousClock()
        var table: TorGeoIP?
        let elapsed = try clock.measure { table = try TorGeoIP() }
        let geoip = try #require(table)
        print("tor-geoipdb: \(geoip.counts.ipv4) IPv4 and \(geoip.counts.ipv6) IPv6 ranges loaded in \(elapsed)")
        #expect(geoip.counts.ipv4 > 200_000 && geoip.counts.ipv6 > 50_000)
        #expect(geoip.country(of: ip("81.2.69.160")) == "GB")    // 1359101952,1359118335,GB
        #expect(geoip.country(of: ip("193.0.0.1")) == "NL")      // 3238002688,3238008831,NL
        #expect(geoip.country(of: ip("1.1.1.1")) == "AU")        // 16843008,16843263,AU
        #expect(geoip.country(of: ip("2001:4860::8888")) == "US") // 2001:4860::,2001:4860:ffff:…,US
        #expect(geoip.country(of: ip("2400:cb00:22::1")) == "JP") // 2400:cb00:22::,2400:cb00:22:ffff:…,JP
        #expect(geoip.country(of: ip("10.0.0.1")) == nil)
        // Every range's edges and an address inside, against a search over all the ranges.
        var ranges: [(first: UInt32, last: UInt32, country: String)] = []
        geoip.ipv4.forEach { ranges.append(($0, $1, $2)) }
        func searched(_ address: UInt32) -> String? {
            var low = 0, high = ranges.count
            while low < high { let mid = (low + high) / 2; if ranges[mid].first <= address { low = mid + 1 } else { high = mid } }
            return low > 0 && address <= ranges[low - 1].last ? ranges[low - 1].country : nil
        }
        for range in ranges {
            for address in [range.first, range.last, range.first / 2 + range.last / 2, range.first &- 1, range.last &+ 1] {
                #expect(geoip.country(of: .v4(address)) == searched(address), "\(IPAddress.v4(address))")
            }
        }
    }
}
