import Testing
@testable import LatencyLearning
import LatencyModel

@Suite struct AggregatesTests {
    func measurement(_ client: String, _ region: RegionID, _ rttMs: Double, at timeMs: Int64 = t0Ms) -> Measurement {
        Measurement(timeMs: timeMs, client: prefix(client), region: region, rttMs: rttMs, source: .probe)
    }

    @Test func groupsMeasurementsByBucketAndRegion() throws {
        var aggregates = Aggregates()
        aggregates.add([
            measurement("192.0.2.1", 5, 30), measurement("192.0.2.200", 5, 30), measurement("192.0.2.7", 2, 90),
            measurement("198.51.100.0/24", 5, 12), measurement("2001:db8:7:1::1", 1, 44), measurement("2001:db8:7:ff::/64", 1, 44),
            measurement("10.0.0.0/8", 3, 150),
        ])
        #expect(aggregates.bucketCount == 4)
        #expect(aggregates.stateCount == 5)
        let bucket = try #require(aggregates.estimates(for: ip("192.0.2.99"), now: t0Ms))
        #expect(bucket.bucket == prefix("192.0.2.0/24"))
        #expect(bucket.regions.map(\.region) == [5, 2])
        #expect(abs(bucket.regions[0].rttMs - 30) < 1e-3 && bucket.regions[0].samples == 2)
        #expect(bucket.regions[1].lastSampleMs == t0Ms)
        #expect(aggregates.estimates(for: ip("2001:db8:7::5"), now: t0Ms)?.regions.first?.samples == 2)
        #expect(aggregates.estimates(for: prefix("10.0.0.0/8"), now: t0Ms)?.bucket == prefix("10.0.0.0/8"))
        #expect(aggregates.estimates(for: ip("10.1.2.3"), now: t0Ms) == nil)  // its /24 has no data; the /8 is another bucket
        #expect(Set(aggregates.estimates(now: t0Ms).map(\.bucket))
                == [prefix("192.0.2.0/24"), prefix("198.51.100.0/24"), prefix("2001:db8:7::/48"), prefix("10.0.0.0/8")])
    }

    @Test func reportsSampleCountsAndAgeAsOfNow() throws {
        var aggregates = Aggregates(halfLifeMs: 2 * hourMs)
        aggregates.add((0..<6).map { _ in measurement("192.0.2.1", 1, 20) })
        let later = try #require(aggregates.estimates(for: ip("192.0.2.1"), now: t0Ms + 4 * hourMs)?.regions.first)
        #expect(abs(later.samples - 1.5) < 1e-5)
        #expect(later.lastSampleMs == t0Ms)
    }

    /// A sample far from the estimate shows as its pending level, with its weight, until the estimate follows it.
    @Test func showsAPendingLevelUntilTheEstimateFollowsIt() throws {
        var aggregates = Aggregates()
        aggregates.add([measurement("192.0.2.1", 5, 30), measurement("192.0.2.1", 5, 31, at: t0Ms + 60_000)])
        #expect(aggregates.estimates(for: ip("192.0.2.1"), now: t0Ms)?.regions.first?.pendingMs == nil)
        aggregates.add([measurement("192.0.2.1", 5, 80, at: t0Ms + 120_000)])
        let pending = try #require(aggregates.estimates(for: ip("192.0.2.1"), now: t0Ms)?.regions.first)
        #expect(abs(pending.rttMs - 30.5) < 1)
        #expect(abs((pending.pendingMs ?? 0) - 80) < 0.1)
        #expect(abs(pending.pendingSamples - 1) < 0.01)
        aggregates.add([measurement("192.0.2.1", 5, 80, at: t0Ms + 180_000)])
        let followed = try #require(aggregates.estimates(for: ip("192.0.2.1"), now: t0Ms)?.regions.first)
        #expect(abs(followed.rttMs - 80) < 0.1)
        #expect(followed.pendingMs == nil && followed.pendingSamples == 0)
    }

    @Test func skipsRTTsThatAreNotNumbers() {
        var aggregates = Aggregates()
        aggregates.add([measurement("192.0.2.1", 1, .nan), measurement("192.0.2.1", 1, -1), measurement("192.0.2.1", 1, .infinity)])
        #expect(aggregates.bucketCount == 0)
        aggregates.add(measurement("192.0.2.1", 1, 0))
        #expect(aggregates.estimates(for: ip("192.0.2.1"), now: t0Ms)?.regions.first.map { abs($0.rttMs - 0.01) < 1e-6 } == true)
    }

    /// Rows move as they grow while other buckets interleave; every state must stay with its pair.
    @Test func keepsEveryPairApartWhileRowsGrow() {
        var aggregates = Aggregates()
        var batch: [Measurement] = []
        for region in 0..<40 {
            for network in 0..<300 {
                batch.append(measurement("10.\(network / 256).\(network % 256).1", RegionID(region), Double(1 + network + 1000 * region)))
            }
        }
        aggregates.add(batch)
        #expect(aggregates.bucketCount == 300 && aggregates.stateCount == 12_000)
        for network in [0, 1, 255, 256, 299] {
            let regions = aggregates.estimates(for: ip("10.\(network / 256).\(network % 256).9"), now: t0Ms)!.regions
            #expect(regions.map(\.region) == (0..<40).map { RegionID($0) })
            #expect(regions.allSatisfy { abs($0.rttMs / Double(1 + network + 1000 * Int($0.region)) - 1) < 1e-5 })
        }
    }

    @Test func compactionDropsOldStatesAndEmptyBucketsAndKeepsTheRest() throws {
        var aggregates = Aggregates()
        aggregates.add([
            measurement("192.0.2.1", 1, 20, at: t0Ms), measurement("192.0.2.1", 2, 25, at: t0Ms - 50 * hourMs),
            measurement("198.51.100.1", 1, 70, at: t0Ms - 60 * hourMs),
            measurement("2001:db8::1", 4, 9, at: t0Ms - hourMs), measurement("2001:db8::1", 4, 9.5, at: t0Ms),
        ] + (5..<12).map { measurement("203.0.113.1", RegionID($0), Double($0), at: t0Ms) })
        let before = try #require(aggregates.estimates(for: ip("2001:db8::1"), now: t0Ms))
        aggregates.compact(olderThan: t0Ms - 48 * hourMs)
        #expect(aggregates.bucketCount == 3)
        #expect(aggregates.stateCount == 9)
        #expect(aggregates.estimates(for: ip("192.0.2.1"), now: t0Ms)?.regions.map(\.region) == [1])
        #expect(aggregates.estimates(for: ip("198.51.100.1"), now: t0Ms) == nil)
        #expect(aggregates.estimates(for: ip("2001:db8::1"), now: t0Ms) == before)
        #expect(aggregates.estimates(for: ip("203.0.113.1"), now: t0Ms)?.regions.map(\.region) == (5..<12).map { RegionID($0) })
        // The compacted table keeps learning: a compacted row grows again.
        aggregates.add((12..<20).map { measurement("203.0.113.1", RegionID($0), Double($0)) } + [measurement("198.51.100.1", 1, 70)])
        #expect(aggregates.estimates(for: ip("203.0.113.1"), now: t0Ms)?.regions.count == 15)
        #expect(aggregates.bucketCount == 4)
    }
}
