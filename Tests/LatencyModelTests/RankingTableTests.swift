import Testing
@testable import LatencyModel
import SeededRandom

@Suite struct RankingTableTests {
    /// Many orders, each interned several times, of lengths 0 to 20 and
    /// sharing prefixes (so that bytes hashed and compared beyond the common
    /// part matter), through many rehashes: equal orders get one index,
    /// different ones different indices, and the table reads every order back.
    @Test func internGivesOneIndexPerDistinctOrder() {
        var generator = SeededGenerator(state: 7)
        var builder = RankingTable.Builder(defaultRanking: [3, 1, 2])
        var expected: [[RegionID]: Int] = [[3, 1, 2]: 0]
        var orders: [[RegionID]] = [[], [3], [3, 1], [3, 1, 2, 0], [1, 3, 2]]
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...20, using: &generator)
            orders.append((0..<length).map { _ in RegionID.random(in: 0..<6, using: &generator) })
        }
        for pass in 0..<3 {
            for order in orders.shuffled(using: &generator) {
                let index = builder.intern(order)
                if let known = expected[order] {
                    #expect(index == known, "pass \(pass): \(order) moved from \(known) to \(index)")
                } else {
                    #expect(index == expected.count, "a new order gets the next index")
                    expected[order] = index
                }
            }
        }
        #expect(builder.count == expected.count)
        let table = builder.table
        #expect(table.count == expected.count)
        for (order, index) in expected { #expect(Array(table[index]) == order) }
    }

    /// The same lookups either way, with an underlay (interned after the prefixes on one path, before on the other).
    @Test func internedPrefixesCompileToTheSameMapAsRankedOnes() {
        var generator = SeededGenerator(state: 11)
        var ranked: [(prefix: IPPrefix, ranking: [RegionID])] = []
        var seen = Set<IPPrefix>()
        while ranked.count < 500 {
            let prefix = IPPrefix(.v4(UInt32.random(in: 0...UInt32.max, using: &generator)), length: Int.random(in: 8...28, using: &generator))
            guard seen.insert(prefix).inserted else { continue }
            ranked.append((prefix, [RegionID](0..<4).shuffled(using: &generator)))
        }
        // Uncovered space: two underlay ranges, one with an order a prefix also has.
        let underlay = LatencyMap.Underlay(rankings: [[3, 2, 1, 0], ranked[0].ranking],
                                           v4: [(0x0A00_0000, 0x0AFF_FFFF, 0), (0xC000_0000, 0xC0FF_FFFF, 1)])
        var builder = RankingTable.Builder(defaultRanking: [0, 1, 2, 3])
        let interned = ranked.map { ($0.prefix, builder.intern($0.ranking)) }
        let byOrders = LatencyMap(rankedPrefixes: ranked, underlay: underlay, defaultRanking: [0, 1, 2, 3])
        let byIndices = LatencyMap(internedPrefixes: interned, rankings: builder, underlay: underlay)
        for _ in 0..<20_000 {
            let address = IPAddress.v4(UInt32.random(in: 0...UInt32.max, using: &generator))
            let (a, b) = (byOrders.lookup(address), byIndices.lookup(address))
            #expect(a.block == b.block && Array(byOrders.rankings[a.ranking]) == Array(byIndices.rankings[b.ranking]), "\(address)")
        }
    }
}
