import Testing
@testable import GeoPrior
import LatencyModel

@Suite struct LocatedRangesTests {
    /// Every network the walk finds has the location a lookup of its first
    /// and last address gives; ranges are sorted and disjoint; addresses
    /// between them have no location.
    @Test(arguments: ["GeoIP2-City-Test.mmdb", "GeoLite2-Country-Test.mmdb", "GeoLite2-City-Test.mmdb"])
    func walkAgreesWithLookups(file: String) throws {
        let database = try MaxMindDB(path: mmdbPath(file))
        let ranges = try database.locatedRanges()
        #expect(ranges.v4.count > 10)
        for (first, last, location) in ranges.v4 {
            #expect(try database.location(.v4(first)) == location)
            #expect(try database.location(.v4(last)) == location)
        }
        for (first, last, location) in ranges.v6 {
            #expect(try database.location(.v6(first)) == location)
            #expect(try database.location(.v6(last)) == location)
        }
        for (a, b) in zip(ranges.v4, ranges.v4.dropFirst()) {
            #expect(a.last < b.first)
            if a.last + 1 < b.first { #expect(try database.location(.v4(a.last + 1)) == nil) }
        }
        for (a, b) in zip(ranges.v6, ranges.v6.dropFirst()) { #expect(a.last < b.first) }
    }

    @Test func torRangesCarryTheirCountries() throws {
        let tor = try TorGeoIP()
        let ranges = tor.locatedRanges
        #expect(ranges.v4.count == tor.counts.ipv4 && ranges.v6.count == tor.counts.ipv6)
        for (first, last, location) in ranges.v4.prefix(2000) {
            #expect(tor.country(of: .v4(first)) == location.country)
            #expect(tor.country(of: .v4(last)) == location.country)
        }
        #expect(!ranges.v4.contains { $0.location.country == "UK" })  // IPFire's UK is ISO's GB
    }

    @Test func theShippedRTTTableMatchesTheSharedData() throws {
        let shipped = CountryRTTTable.ripeAtlas2025
        let original = try CountryRTTTable(path: ripeTablePath)
        #expect(shipped.pairs.count == original.pairs.count)
        for pair in original.pairs { #expect(abs(shipped.rttMs(pair.a, pair.b)! - pair.rttMs) < 0.006) }
    }
}
