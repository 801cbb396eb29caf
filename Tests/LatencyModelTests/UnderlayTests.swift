import Testing
@testable import LatencyModel

/// The underlay: rankings for space no prefix covers, e.g. a country's ranges.
@Suite struct UnderlayTests {
    // 10.0.0.0–10.0.3.255 → ranking [3, 1] (country A); 10.0.4.0–10.0.4.127 → [2, 1] (country B).
    let underlay = LatencyMap.Underlay(rankings: [[3, 1], [2, 1]],
                                       v4: [(0x0A00_0000, 0x0A00_03FF, 0), (0x0A00_0400, 0x0A00_047F, 1)])

    func ranking(_ map: LatencyMap, _ address: String) -> [RegionID] { Array(map.rankings[map.lookup(ip(address)).ranking]) }

    @Test func fillsOnlyUncoveredSpace() {
        let map = LatencyMap(rankedPrefixes: [(prefix("10.0.1.0/24"), [1, 2])], underlay: underlay, defaultRanking: [0])
        #expect(ranking(map, "10.0.0.7") == [3, 1])
        #expect(ranking(map, "10.0.1.7") == [1, 2])  // a measured prefix beats the underlay
        #expect(ranking(map, "10.0.2.7") == [3, 1])
        #expect(ranking(map, "10.0.4.100") == [2, 1])
        #expect(ranking(map, "10.0.4.200") == [0])    // past the underlay: the default
        #expect(ranking(map, "9.255.255.255") == [0])
        #expect(ranking(map, "2001:db8::1") == [0])
    }

    @Test func blocksFollowRangeBoundariesAndMerge() {
        let map = LatencyMap(rankedPrefixes: [], underlay: underlay, defaultRanking: [0])
        #expect(map.lookup(ip("10.0.2.1")).block == prefix("10.0.0.0/22"))   // the whole range is one block
        #expect(map.lookup(ip("10.0.4.1")).block == prefix("10.0.4.0/25"))
        #expect(map.lookup(ip("10.0.4.128")).block == prefix("10.0.4.128/25"))
    }

    @Test func aPrefixAcrossARangeBoundaryStaysWhole() {
        // 10.0.4.0/24 straddles B's end (10.0.4.127): the prefix wins over both sides.
        let map = LatencyMap(rankedPrefixes: [(prefix("10.0.4.0/24"), [1, 3])], underlay: underlay, defaultRanking: [0])
        #expect(ranking(map, "10.0.4.5") == [1, 3])
        #expect(ranking(map, "10.0.4.250") == [1, 3])
        #expect(map.lookup(ip("10.0.4.250")).block == prefix("10.0.4.0/24"))
        #expect(ranking(map, "10.0.3.255") == [3, 1])
    }

    @Test func rangesCoveringTheEndOfTheAddressSpace() {
        let all = LatencyMap.Underlay(rankings: [[5]], v4: [(0, .max, 0)], v6: [(0, .max, 0)])
        let map = LatencyMap(rankedPrefixes: [(prefix("255.255.255.0/24"), [1])], underlay: all, defaultRanking: [0])
        #expect(ranking(map, "255.255.255.255") == [1])
        #expect(ranking(map, "255.255.254.255") == [5])
        #expect(ranking(map, "0.0.0.0") == [5])
        #expect(ranking(map, "ffff::1") == [5])
        #expect(map.rankings.count == 3)
    }
}
