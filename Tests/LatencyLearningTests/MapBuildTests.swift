import Testing
@testable import LatencyLearning
import LatencyModel
import SeededRandom

@Suite struct MapBuildTests {
    /// Random nested and disjoint prefixes with RTTs, compiled both ways, agree at random addresses.
    @Test func rankedPrefixesCompileToTheSameMapAsEntries() {
        var generator = SeededGenerator(state: 21)
        var entries: [LatencyEntry] = []
        var seen = Set<IPPrefix>()
        while seen.count < 400 {
            let v4 = Bool.random(using: &generator)
            let address: IPAddress = v4 ? .v4(UInt32(0x0A00_0000) | UInt32.random(in: 0..<(1 << 16), using: &generator) << 8)
                                        : .v6(UInt128(0x2001_0db8) << 96 | UInt128(UInt32.random(in: 0..<(1 << 16), using: &generator)) << 80)
            let length = v4 ? Int.random(in: 8...24, using: &generator) : Int.random(in: 32...48, using: &generator)
            let network = IPPrefix(address, length: length)
            guard seen.insert(network).inserted else { continue }
            for region in 0..<RegionID.random(in: 1...4, using: &generator) {
                entries.append(LatencyEntry(prefix: network, region: region, rttMs: Double(Int.random(in: 1...6, using: &generator))))
            }
        }
        let byEntries = LatencyMap(entries: entries, defaultRanking: [9, 8])
        let ranked = Dictionary(grouping: entries, by: \.prefix).map { network, group in
            (prefix: network, ranking: group.sorted { ($0.rttMs, $0.region) < ($1.rttMs, $1.region) }.map(\.region))
        }
        let byRankings = LatencyMap(rankedPrefixes: ranked, defaultRanking: [9, 8])
        #expect(byRankings.rangeCount == byEntries.rangeCount)
        #expect(byRankings.rankings.count == byEntries.rankings.count)
        #expect(byRankings.rankings[0] == [9, 8])
        for _ in 0..<20_000 {
            let address: IPAddress = Bool.random(using: &generator)
                ? .v4(UInt32(0x0A00_0000) | UInt32.random(in: 0..<(1 << 24), using: &generator))
                : .v6(UInt128(0x2001_0db8) << 96 | UInt128(UInt64.random(in: 0...UInt64.max, using: &generator)) << 40)
            let a = byEntries.lookup(address), b = byRankings.lookup(address)
            #expect(a.block == b.block && byEntries.rankings[a.ranking] == byRankings.rankings[b.ranking])
        }
    }

    @Test func equalRankingsShareAnIndexAndNoRTTsAreKept() {
        let map = LatencyMap(rankedPrefixes: [(prefix("10.0.0.0/24"), [1, 2]), (prefix("10.0.5.0/24"), [1, 2]),
                                              (prefix("10.0.9.0/24"), [2, 1]), (prefix("2001:db8::/48"), [0])],
                             defaultRanking: [0])
        #expect(map.rankings.map(Array.init) == [[0], [1, 2], [2, 1]])
        #expect(map.lookup(ip("10.0.0.1")).ranking == map.lookup(ip("10.0.5.1")).ranking)
        #expect(map.lookup(ip("2001:db8::1")).ranking == 0)
        #expect(map.lookup(ip("2001:db8::1")).block == prefix("::/0"))  // the default order everywhere
        #expect(map.measurements(for: ip("10.0.0.1")) == nil)
    }

    @Test func learnedMapsAnswerEachBucketWithItsRankingAndScope() {
        var aggregates = Aggregates()
        func add(_ client: String, _ rtts: [RegionID: Double]) {
            aggregates.add(rtts.map { Measurement(timeMs: t0Ms, client: ip(client), region: $0.key, rttMs: $0.value, source: .probe) })
        }
        add("192.0.2.10", [1: 40, 2: 12, 3: 90])
        add("192.0.3.10", [1: 40, 2: 12, 3: 90])
        add("198.51.100.1", [3: 5, 1: 7])
        add("2001:db8:5::1", [2: 30, 1: 3])
        var ranker = Ranker()
        let map = LatencyMap(rankedPrefixes: aggregates.rankedPrefixes(with: &ranker), defaultRanking: [0, 1, 2, 3])
        let hit = map.lookup(ip("192.0.3.77"))
        #expect(map.rankings[hit.ranking] == [2, 1, 3])
        #expect(hit.block == prefix("192.0.2.0/23"))  // two buckets with the same ranking merge
        #expect(map.rankings[map.lookup(ip("198.51.100.200")).ranking] == [3, 1])
        #expect(map.lookup(ip("198.51.100.200")).block == prefix("198.51.100.0/24"))
        #expect(map.rankings[map.lookup(ip("2001:db8:5:ffff::1")).ranking] == [1, 2])
        #expect(map.lookup(ip("2001:db8:5:ffff::1")).block == prefix("2001:db8:5::/48"))
        #expect(map.lookup(ip("203.0.113.1")).ranking == 0)
        #expect(ranker.choices.count == 4)
    }
}
