import Testing
import LatencyModel
@testable import LatencyPrediction

/// The country medians a builder keeps from build to build.
@Suite struct CountryLevelHistoryTests {
    let hour: Int64 = 3_600_000

    func snapshot(_ value: Float32) -> [String: [Float32]] { ["DE": [value]] }

    @Test func asOfGivesTheNewestSnapshotTakenAtOrBeforeThen() {
        var history = CountryLevelHistory()
        for h: Int64 in 0...4 { history.record(at: h * hour, halfLifeMs: 6 * hour) { snapshot(Float32(h)) } }
        #expect(history.medians(asOf: -1) == nil)
        #expect(history.medians(asOf: 2 * hour) == snapshot(2))
        #expect(history.medians(asOf: 3 * hour - 1) == snapshot(2))
        #expect(history.medians(asOf: 10 * hour) == snapshot(4))
    }

    /// The changes to now since each snapshot that has the country, oldest first.
    @Test func changesAreSinceEachSnapshotThatHasTheCountry() {
        var history = CountryLevelHistory()
        history.record(at: 0, halfLifeMs: 6 * hour) { ["FR": [9]] }
        for h: Int64 in 1...3 { history.record(at: h * hour, halfLifeMs: 6 * hour) { snapshot(Float32(h)) } }
        let changes = history.changes(of: "DE", to: [4])
        #expect(changes.map(\.ms) == [hour, 2 * hour, 3 * hour] && changes.map(\.change) == [[3], [2], [1]])
        #expect(history.changes(of: "FR", to: [4]).map(\.change) == [[-5]])
        #expect(history.changes(of: "IT", to: [4]).isEmpty)
        #expect(history.changes(of: "DE", to: [.nan]).allSatisfy { $0.change[0].isNaN })
    }

    @Test func buildsWithinATwelfthOfAHalfLifeRecordOnce() {
        var history = CountryLevelHistory()
        var asked = 0
        for minute: Int64 in 0..<60 {
            history.record(at: minute * 60_000, halfLifeMs: 6 * hour) { asked += 1; return snapshot(Float32(minute)) }
        }
        #expect(asked == 2, "at minutes 0 and 30")
        #expect(history.medians(asOf: 29 * 60_000) == snapshot(0))
        #expect(history.medians(asOf: 59 * 60_000) == snapshot(30))
    }

    @Test func snapshotsOlderThanThreeHalfLivesGoButTheNewestOfThem() {
        var history = CountryLevelHistory()
        for h: Int64 in 0...20 { history.record(at: h * hour, halfLifeMs: hour) { snapshot(Float32(h)) } }
        #expect(history.medians(asOf: 17 * hour) == snapshot(17), "the newest at or before 20 − 3 half-lives stays")
        #expect(history.medians(asOf: 16 * hour) == nil)
    }
}

/// Which buckets calibrate the prior when there are too many to take all.
@Suite struct CalibrationSampleTests {
    @Test func everyBucketCalibratesUnderTheSampleSize() {
        #expect((0..<1000).allSatisfy { LatencyMapBuilder.calibrates(IPPrefix(.v4(UInt32($0) << 8), length: 24), stride: 1) })
    }

    /// One in `stride`, by address: about a tenth of 20,000 consecutive /24s
    /// for a stride of 10, the same ones whichever buckets come before them.
    @Test func oneInStrideIsChosenByAddress() {
        let buckets = (0..<20_000).map { IPPrefix(.v4(0x0A00_0000 + UInt32($0) << 8), length: 24) }
        let chosen = buckets.filter { LatencyMapBuilder.calibrates($0, stride: 10) }
        #expect((1_800...2_200).contains(chosen.count), "\(chosen.count)")
        let v6 = (0..<20_000).map { IPPrefix(.v6(UInt128(0x2001_0db8_0000 + $0) << 80), length: 48) }
        #expect((1_800...2_200).contains(v6.filter { LatencyMapBuilder.calibrates($0, stride: 10) }.count))
    }
}
