import Testing
@testable import LatencyModel
import SeededRandom

@Suite struct LatencyMapTests {
    @Test func ranksRegionsByRTT() {
        let map = latencyMap(["10.0.0.0/8": [1: 40, 2: 7.5, 3: 5, 4: 120]], defaultRanking: [0])
        let hit = map.lookup(ip("10.9.9.9"))
        #expect(map.rankings[hit.ranking] == [3, 2, 1, 4])
        #expect(map.rankings[0] == [0])
        #expect(hit.ranking != 0)
    }

    @Test func breaksTiesWithTieBreak() {
        let entries = [LatencyEntry(prefix: prefix("10.0.0.0/8"), region: 1, rttMs: 5),
                       LatencyEntry(prefix: prefix("10.0.0.0/8"), region: 2, rttMs: 5)]
        let byID = LatencyMap(entries: entries, defaultRanking: [])
        #expect(byID.rankings[byID.lookup(ip("10.0.0.1")).ranking] == [1, 2])
        let reversed = LatencyMap(entries: entries, defaultRanking: [], tieBreak: (>))
        #expect(reversed.rankings[reversed.lookup(ip("10.0.0.1")).ranking] == [2, 1])
    }

    @Test func sharesOneRankingIndexAmongPrefixesWithTheSameOrder() {
        let map = latencyMap(["10.0.0.0/8": [1: 1, 2: 2], "12.0.0.0/8": [1: 10, 2: 20], "14.0.0.0/8": [2: 1, 1: 2]])
        #expect(map.lookup(ip("10.0.0.1")).ranking == map.lookup(ip("12.0.0.1")).ranking)
        #expect(map.lookup(ip("10.0.0.1")).ranking != map.lookup(ip("14.0.0.1")).ranking)
        #expect(map.rankings.count == 3)
    }

    @Test func mergesAdjacentPrefixesWithTheSameRanking() {
        let map = latencyMap(["10.1.0.0/24": [1: 5, 2: 9], "10.1.1.0/24": [1: 6, 2: 50]])
        #expect(map.lookup(ip("10.1.0.7")).block == prefix("10.1.0.0/23"))
        #expect(map.lookup(ip("10.1.1.200")).block == prefix("10.1.0.0/23"))
        #expect(map.lookup(ip("10.1.1.200")).ranking == map.lookup(ip("10.1.0.7")).ranking)
    }

    @Test func unalignedNeighboursKeepSeparateBlocks() {
        // 10.1.1.0–10.1.2.255 shares one ranking but is no single CIDR block.
        let map = latencyMap(["10.1.1.0/24": [1: 5], "10.1.2.0/24": [1: 5]])
        #expect(map.lookup(ip("10.1.1.1")).block == prefix("10.1.1.0/24"))
        #expect(map.lookup(ip("10.1.2.1")).block == prefix("10.1.2.0/24"))
    }

    @Test func differentRankingsKeepTheirOwnBlocks() {
        let map = latencyMap(["10.1.0.0/24": [1: 5, 2: 9], "10.1.1.0/24": [1: 9, 2: 5]])
        let a = map.lookup(ip("10.1.0.7")), b = map.lookup(ip("10.1.1.7"))
        #expect(a.block == prefix("10.1.0.0/24"))
        #expect(b.block == prefix("10.1.1.0/24"))
        #expect(map.rankings[a.ranking] == [1, 2])
        #expect(map.rankings[b.ranking] == [2, 1])
    }

    @Test func aNestedPrefixWithTheSameRankingDisappearsIntoItsCover() {
        let map = latencyMap(["10.0.0.0/8": [1: 5, 2: 9], "10.1.0.0/16": [1: 1, 2: 2]])
        #expect(map.lookup(ip("10.1.2.3")).block == prefix("10.0.0.0/8"))
    }

    @Test(arguments: [
        ("10.1.2.9", "10.1.2.0/24", true),
        ("10.1.2.0", "10.1.2.0/24", true),
        ("10.1.2.255", "10.1.2.0/24", true),
        ("10.0.0.1", "10.0.0.0/16", false),
        ("10.1.1.255", "10.1.0.0/23", false),
        ("10.1.0.0", "10.1.0.0/23", false),
        ("10.1.3.0", "10.1.3.0/24", false),
        ("10.1.5.0", "10.1.4.0/22", false),
        ("10.1.200.1", "10.1.128.0/17", false),
        ("10.2.3.4", "10.2.0.0/15", false),
        ("10.16.0.0", "10.16.0.0/12", false),
        ("10.200.0.0", "10.128.0.0/9", false),
        ("10.255.255.255", "10.128.0.0/9", false),
    ])
    func aNestedPrefixOverridesItsCoverWhichSplitsIntoWidestBlocks(_ address: String, _ block: String, _ inner: Bool) {
        let map = latencyMap(["10.0.0.0/8": [1: 5, 2: 9], "10.1.2.0/24": [2: 1, 1: 30]])
        let hit = map.lookup(ip(address))
        #expect(hit.block == prefix(block))
        #expect(map.rankings[hit.ranking] == (inner ? [2, 1] : [1, 2]))
    }

    @Test(arguments: [
        ("11.0.0.0", "11.0.0.0/8"),
        ("11.255.255.255", "11.0.0.0/8"),
        ("12.0.0.0", "12.0.0.0/6"),
        ("9.1.1.1", "8.0.0.0/7"),
        ("0.0.0.0", "0.0.0.0/5"),
        ("7.255.255.255", "0.0.0.0/5"),
        ("16.0.0.0", "16.0.0.0/4"),
        ("32.0.0.0", "32.0.0.0/3"),
        ("64.0.0.0", "64.0.0.0/2"),
        ("255.255.255.255", "128.0.0.0/1"),
    ])
    func uncoveredAddressesGetTheDefaultRankingAndTheWidestBlock(_ address: String, _ block: String) {
        let map = latencyMap(["10.0.0.0/8": [1: 5]], defaultRanking: [7, 8])
        let hit = map.lookup(ip(address))
        #expect(hit.ranking == 0)
        #expect(map.rankings[0] == [7, 8])
        #expect(hit.block == prefix(block))
    }

    @Test func smallMapsAreNotWorthPrefetching() {
        let map = LatencyMap(entries: [LatencyEntry(prefix: prefix("192.0.2.0/24"), region: 1, rttMs: 5)], defaultRanking: [9])
        #expect(!map.isLarge)
        map.prefetchDirectory(for: ip("192.0.2.1"))  // no directory: nothing to do, nothing breaks
        map.prefetchRange(for: ip("::1"))
        #expect(map.lookup(ip("192.0.2.1")).block == prefix("192.0.2.0/24"))
    }

    @Test func anEmptyMapIsOneBlockPerFamily() {
        let map = latencyMap([:])
        #expect(map.lookup(ip("1.2.3.4")) == MapHit(ranking: 0, block: prefix("0.0.0.0/0")))
        #expect(map.lookup(ip("2001:db8::1")) == MapHit(ranking: 0, block: prefix("::/0")))
        #expect(map.rangeCount == 2)
    }

    @Test func prefixesAtTheEdgesOfTheAddressSpace() {
        let map = latencyMap(["0.0.0.0/24": [1: 1], "255.255.255.0/24": [2: 1],
                              "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128": [3: 1], "::/128": [4: 1]])
        #expect(map.lookup(ip("0.0.0.0")).block == prefix("0.0.0.0/24"))
        #expect(map.rankings[map.lookup(ip("0.0.0.0")).ranking] == [1])
        #expect(map.lookup(ip("0.0.1.0")).block == prefix("0.0.1.0/24"))
        #expect(map.lookup(ip("0.0.1.0")).ranking == 0)
        #expect(map.lookup(ip("255.255.255.255")).block == prefix("255.255.255.0/24"))
        #expect(map.rankings[map.lookup(ip("255.255.255.255")).ranking] == [2])
        #expect(map.lookup(ip("255.255.254.255")).block == prefix("255.255.254.0/24"))
        #expect(map.lookup(ip("128.0.0.0")).block == prefix("128.0.0.0/2"))
        let top = map.lookup(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(top.block == prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"))
        #expect(map.rankings[top.ranking] == [3])
        #expect(map.lookup(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")).block == prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128"))
        #expect(map.lookup(ip("::")).block == prefix("::/128"))
        #expect(map.lookup(ip("::1")).block == prefix("::1/128"))
        #expect(map.lookup(ip("::2")).block == prefix("::2/127"))
        #expect(map.lookup(ip("8000::")).block == prefix("8000::/2"))
    }

    @Test func wholeSpacePrefixes() {
        let map = latencyMap(["0.0.0.0/0": [1: 1], "::/0": [2: 1], "10.0.0.0/8": [2: 1]])
        #expect(map.lookup(ip("1.1.1.1")).block == prefix("0.0.0.0/5"))
        #expect(map.rankings[map.lookup(ip("1.1.1.1")).ranking] == [1])
        #expect(map.lookup(ip("200.1.1.1")).block == prefix("128.0.0.0/1"))
        #expect(map.lookup(ip("2001:db8::")).block == prefix("::/0"))
        #expect(map.rankings[map.lookup(ip("2001:db8::")).ranking] == [2])
    }

    @Test func ipv6Slash48s() {
        let map = latencyMap(["2001:db8:2::/48": [1: 5, 2: 8], "2001:db8:3::/48": [1: 6, 2: 9], "2001:db8:44::/48": [2: 1, 1: 9]])
        #expect(map.lookup(ip("2001:db8:2::1")).block == prefix("2001:db8:2::/47"))
        #expect(map.lookup(ip("2001:db8:3:ffff::")).block == prefix("2001:db8:2::/47"))
        let london = map.lookup(ip("2001:db8:44:1::1"))
        #expect(london.block == prefix("2001:db8:44::/48"))
        #expect(map.rankings[london.ranking] == [2, 1])
        let outside = map.lookup(ip("2001:db8:45::"))
        #expect(outside.ranking == 0)
        #expect(outside.block == prefix("2001:db8:45::/48"))
        #expect(map.lookup(ip("2001:db8:46::")).block == prefix("2001:db8:46::/47"))
        #expect(map.lookup(ip("2001:db8:1::")).block == prefix("2001:db8::/47"))
        #expect(map.lookup(ip("2001:db8::")).ranking == 0)
        #expect(map.lookup(ip("10.0.0.1")).block == prefix("0.0.0.0/0"))
    }

    @Test func measurementsUseTheLongestMatch() throws {
        let map = latencyMap(["10.0.0.0/8": [1: 5, 2: 9], "10.1.2.0/24": [2: 1, 1: 30]])
        let inner = try #require(map.measurements(for: ip("10.1.2.3")))
        #expect(inner.prefix == prefix("10.1.2.0/24"))
        #expect(inner.rtts == [RegionRTT(region: 2, rttMs: 1), RegionRTT(region: 1, rttMs: 30)])
        let outer = try #require(map.measurements(for: ip("10.1.3.3")))
        #expect(outer.prefix == prefix("10.0.0.0/8"))
        #expect(outer.rtts.map(\.region) == [1, 2])
        #expect(map.measurements(for: ip("11.0.0.0")) == nil)
        #expect(map.measurements(for: ip("::a01:203")) == nil)
    }

    @Test func laterMeasurementsOfOnePrefixAndRegionReplaceEarlierOnes() {
        let entries = [LatencyEntry(prefix: prefix("10.0.0.0/8"), region: 1, rttMs: 5),
                       LatencyEntry(prefix: prefix("10.0.0.0/8"), region: 2, rttMs: 9),
                       LatencyEntry(prefix: prefix("10.0.0.0/8"), region: 1, rttMs: 50)]
        let map = LatencyMap(entries: entries, defaultRanking: [])
        #expect(map.rankings[map.lookup(ip("10.0.0.1")).ranking] == [2, 1])
    }

    /// Walks the blocks of a family from its first address: each block must
    /// start where the last ended, be the answer for every address in it,
    /// carry the longest-match ranking, and not be mergeable with its
    /// neighbour. Returns the number of ranges (runs of blocks of one ranking).
    func checkPartition(_ map: LatencyMap, measurements: [IPPrefix: [RegionID: Double]], defaultRanking: [RegionID],
                        first: IPAddress, samplesPerBlock: Int, using rng: inout SeededGenerator) -> Int {
        func expected(_ address: IPAddress) -> [RegionID] {
            let best = measurements.keys.filter { $0.contains(address) }.max { $0.length < $1.length }
            guard let best else { return defaultRanking }
            return measurements[best]!.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }.map(\.key)
        }
        var cursor: IPAddress? = first
        var previous: MapHit? = nil
        var count = 0, ranges = 0
        while let address = cursor {
            let hit = map.lookup(address)
            count += 1
            if previous?.ranking != hit.ranking { ranges += 1 }
            #expect(hit.block.address == address, "block \(hit.block) does not start at \(address)")
            #expect(map.lookup(hit.block.last) == hit)
            if let before = address.predecessor { #expect(map.lookup(before).block != hit.block) }
            let order = Array(map.rankings[hit.ranking])
            #expect(order == expected(address), "ranking of \(address)")
            #expect(order == expected(hit.block.last), "ranking of \(hit.block.last)")
            for _ in 0..<samplesPerBlock {
                let sample: IPAddress
                switch (hit.block.address, hit.block.last) {
                case (.v4(let a), .v4(let b)):
                    sample = .v4(UInt32.random(in: a...b, using: &rng))
                case (.v6(let a), .v6(let b)):
                    let r = UInt128(rng.next()) << 64 | UInt128(rng.next())
                    sample = .v6(b - a == .max ? r : a + r % (b - a + 1))
                default:
                    sample = address
                }
                #expect(map.lookup(sample) == hit, "block of \(sample)")
            }
            if let previous, previous.ranking == hit.ranking, previous.block.length == hit.block.length, hit.block.length > 0 {
                let parent = IPPrefix(previous.block.address, length: hit.block.length - 1)
                #expect(parent.address != previous.block.address, "\(previous.block) and \(hit.block) should be one block")
            }
            previous = hit
            cursor = hit.block.last.successor
            if count > 100_000 { Issue.record("too many blocks"); break }
        }
        return ranges
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func blocksPartitionTheIPv4SpaceForRandomMaps(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        var measurements: [IPPrefix: [RegionID: Double]] = [:]
        for _ in 0..<40 {
            // Mostly inside 10.0.0.0/8 so that prefixes nest and touch.
            let base: UInt32 = Bool.random(using: &rng) ? 0x0A00_0000 | UInt32.random(in: 0...0xFFFFFF, using: &rng) : UInt32.random(in: 0...UInt32.max, using: &rng)
            let length = Int.random(in: 8...30, using: &rng)
            let p = IPPrefix(.v4(base), length: length)
            // Few distinct rankings so that neighbours often share one.
            let regions = [[1, 2], [2, 1], [1, 3]][Int.random(in: 0...2, using: &rng)]
            measurements[p] = [RegionID(regions[0]): 1, RegionID(regions[1]): 2]
        }
        let defaultRanking: [RegionID] = [9]
        let entries = measurements.flatMap { p, rtts in rtts.map { LatencyEntry(prefix: p, region: $0.key, rttMs: $0.value) } }
        let map = LatencyMap(entries: entries, defaultRanking: defaultRanking)
        let v4Ranges = checkPartition(map, measurements: measurements, defaultRanking: defaultRanking,
                                      first: ip("0.0.0.0"), samplesPerBlock: 2, using: &rng)
        #expect(v4Ranges + 1 == map.rangeCount)
    }

    /// Maps large enough for the top-bits directory: every prefix's first and
    /// last address and both neighbours, and random addresses, against a
    /// dictionary of the prefixes (disjoint /24s or /48s, some adjacent, some
    /// at slice edges, one ranking of three each).
    @Test(arguments: [false, true])
    func largeMapsAnswerLikeTheirPrefixes(ipv6: Bool) {
        var rng = SeededGenerator(state: ipv6 ? 7 : 8)
        let length = ipv6 ? 48 : 24
        func network(_ n: UInt64) -> IPPrefix {
            ipv6 ? IPPrefix(.v6(UInt128(0x2000 | n >> 32 & 0x1fff) << 112 | UInt128(n & 0xffff_ffff) << 80), length: 48)
                 : IPPrefix(.v4(UInt32(truncatingIfNeeded: n) << 8), length: 24)
        }
        var rankingOf: [IPPrefix: [RegionID]] = [:]
        var number = UInt64(0)
        while rankingOf.count < 20_000 {
            // runs of adjacent networks, and networks at the start and end of a /16
            number = [number + 1, UInt64.random(in: 0...(1 << 40), using: &rng), number | 0xff, (number | 0xff) + 1][Int.random(in: 0...3, using: &rng)]
            rankingOf[network(number)] = [[1, 2], [2, 1], [3, 1]][Int.random(in: 0...2, using: &rng)]
        }
        let entries = rankingOf.flatMap { p, order in order.enumerated().map { LatencyEntry(prefix: p, region: $0.element, rttMs: Double($0.offset)) } }
        let map = LatencyMap(entries: entries, defaultRanking: [9])
        #expect(map.rangeCount > 2 * RangeTable<UInt32>.directoryThreshold)
        func expected(_ address: IPAddress) -> [RegionID] { rankingOf[IPPrefix(address, length: length)] ?? [9] }
        func check(_ address: IPAddress) {
            // Prefetching reads the directory for any address and changes no answer.
            map.prefetchDirectory(for: address)
            map.prefetchRange(for: address)
            let hit = map.lookup(address)
            #expect(hit.block.contains(address), "\(hit.block) does not hold \(address)")
            #expect(Array(map.rankings[hit.ranking]) == expected(address), "ranking of \(address)")
        }
        for p in rankingOf.keys {
            for address in [p.address, p.last, p.address.predecessor, p.last.successor].compactMap({ $0 }) { check(address) }
        }
        for _ in 0..<20_000 {
            let n = rng.next()
            check(ipv6 ? .v6(UInt128(0x2000 | n >> 32 & 0x1fff) << 112 | UInt128(n) << 48) : .v4(UInt32(truncatingIfNeeded: n)))
        }
        check(ipv6 ? .v6(.max) : .v4(.max))
        check(ipv6 ? .v6(0) : .v4(0))
    }

    @Test func blocksPartitionTheIPv6Space() {
        var rng = SeededGenerator(state: 42)
        var measurements: [IPPrefix: [RegionID: Double]] = [:]
        for text in ["2001:db8::/32", "2001:db8:1::/48", "2001:db8:2::/48", "2001:db8:2:8000::/49", "::/1",
                     "ffff::/16", "ffff:ffff:ffff:ffff::/64", "2400::/12"] {
            measurements[prefix(text)] = [RegionID(measurements.count % 3 + 1): 1, 5: 2]
        }
        let entries = measurements.flatMap { p, rtts in rtts.map { LatencyEntry(prefix: p, region: $0.key, rttMs: $0.value) } }
        let map = LatencyMap(entries: entries, defaultRanking: [9])
        let ranges = checkPartition(map, measurements: measurements, defaultRanking: [9], first: ip("::"), samplesPerBlock: 3, using: &rng)
        #expect(ranges + 1 == map.rangeCount)
    }
}

@Suite struct LatencyCSVTests {
    let catalog = try! RegionCatalog()

    @Test func parsesEntriesSkippingHeaderCommentsAndBlankLines() throws {
        let text = """
            prefix,region,rtt_ms
            # London
            81.2.69.0/24,eu-west-2,8

            81.2.69.0/24 , us-east-1 , 76.5   # trailing comment
            2001:db8:44::/48,eu-west-2,9\r
            """
        let (entries, errors) = LatencyMap.parseCSV(text, file: "map.csv", catalog: catalog)
        let london = try #require(catalog.id(of: "eu-west-2"))
        #expect(errors == [])
        #expect(entries == [
            LatencyEntry(prefix: prefix("81.2.69.0/24"), region: london, rttMs: 8),
            LatencyEntry(prefix: prefix("81.2.69.0/24"), region: 0, rttMs: 76.5),
            LatencyEntry(prefix: prefix("2001:db8:44::/48"), region: london, rttMs: 9),
        ])
    }

    @Test func reportsEachBadLineWithItsNumber() {
        let text = """
            prefix,region,rtt_ms
            10.0.0.1/8,us-east-1,5
            10.0.0.0/8,mars-1,5
            10.0.0.0/8,us-east-1,fast
            10.0.0.0/8,us-east-1
            10.0.0.0/8,us-east-1,-1
            # fine
            10.0.0.0/8,us-east-1,5,extra
            10.0.0.0/33,us-east-1,5
            10.0.0.0/8,us-east-1,nan
            10.0.0.0/8,us-east-1,7
            """
        let (entries, errors) = LatencyMap.parseCSV(text, file: "map.csv", catalog: catalog)
        #expect(entries.count == 1)
        #expect(errors.count == 8)
        let lines = errors.map { $0.split(separator: ":").prefix(2).joined(separator: ":") }
        #expect(lines == ["map.csv:2", "map.csv:3", "map.csv:4", "map.csv:5", "map.csv:6", "map.csv:8", "map.csv:9", "map.csv:10"])
        #expect(errors[0].contains("bad prefix '10.0.0.1/8'"))
        #expect(errors[1].contains("unknown region 'mars-1'"))
        #expect(errors[2].contains("bad rtt_ms 'fast'"))
        #expect(errors[3].contains("got 2 fields"))
        #expect(errors[4].contains("bad rtt_ms '-1'"))
        #expect(errors[5].contains("got 4 fields"))
        #expect(errors[6].contains("bad prefix"))
        #expect(errors[7].contains("bad rtt_ms 'nan'"))
    }

    @Test func aHeaderIsOnlySkippedOnTheFirstLine() {
        let (entries, errors) = LatencyMap.parseCSV("10.0.0.0/8,us-east-1,1\nprefix,region,rtt_ms\n", file: "m.csv", catalog: catalog)
        #expect(entries.count == 1)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("m.csv:2: ") == true)
    }
}
