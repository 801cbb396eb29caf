import LatencyModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One region's learned RTT from a network, as of a given time.
public struct RegionEstimate: Hashable, Sendable {
    public var region: RegionID
    public var rttMs: Double
    /// The effective number of samples behind the estimate, decayed to the
    /// time asked for (see `RobustEstimate.support`).
    public var samples: Double
    public var lastSampleMs: Int64
    /// The candidate level — newest disagreeing samples that agree with each
    /// other — which the estimate has not restarted at yet (`RobustEstimate`), and its weight
    /// decayed like `samples`; nil and 0 when there is none that could still
    /// count (`RobustEstimate.hasCandidate`: half a sample as of the newest).
    public var pendingMs: Double? = nil
    public var pendingSamples: Double = 0
    /// The standard error of the estimate's ln(RTT), as the ranker uses it (`RobustEstimate.standardError`).
    public var standardError: Double = 0
}

/// A network bucket and its regions' estimates, best first.
public struct BucketEstimates: Hashable, Sendable {
    public var bucket: IPPrefix
    public var regions: [RegionEstimate]
}

/// The learned RTTs of every (network bucket, region) pair seen.
///
/// Buckets are numbered by a `KeyIndex`; bucket b's regions and states are
/// `regions[r.start..<r.start + r.count]` and the same range of `states`, for
/// r = `rows[b]`, which owns `r.room` slots from `r.start`. A full row moves to
/// the end with twice the room; the slots it leaves are garbage until
/// `compact`, which packs every row to its count. So a pair costs its 20-byte
/// state and a 2-byte region id (plus row slack until compacted), a bucket 37
/// to 45 bytes (key 17, row 12, hash slots 8 to 16 at load ≤ 1/2).
public struct Aggregates: Sendable {
    public let bucketPolicy: BucketPolicy
    public let halfLifeMs: Int64
    private let decayPerSecond: Float32
    var index = KeyIndex()
    var rows: [Row] = []
    var regions: [RegionID] = []
    var states: [RobustEstimate] = []

    struct Row {
        var start: UInt32, count: UInt32, room: UInt32
    }

    /// `halfLifeMs` must be positive; six hours by default.
    public init(bucketPolicy: BucketPolicy = BucketPolicy(), halfLifeMs: Int64 = 6 * 3_600_000) {
        precondition(halfLifeMs > 0, "the half-life must be positive")
        self.bucketPolicy = bucketPolicy
        self.halfLifeMs = halfLifeMs
        decayPerSecond = Float32(1000 / Double(halfLifeMs))
    }

    public var bucketCount: Int { index.count }
    /// The number of (bucket, region) pairs with a state.
    public var stateCount: Int { rows.reduce(0) { $0 + Int($1.count) } }

    /// Adds samples in any order. Ones with an RTT that is negative or not a
    /// number are skipped (validating them is the ingestion's job); RTTs
    /// below 0.01 ms count as 0.01 ms.
    public mutating func add(_ measurements: [Measurement]) {
        for measurement in measurements { add(measurement) }
    }

    public mutating func add(_ measurement: Measurement) {
        guard measurement.rttMs >= 0, measurement.rttMs.isFinite else { return }
        let x = Float32(log(max(measurement.rttMs, 0.01)))
        let second = Self.second(measurement.timeMs)
        let (bucket, inserted) = index.insert(PrefixKey(bucketPolicy.bucket(of: measurement.client)))
        if inserted { rows.append(Row(start: appendSlots(2), count: 0, room: 2)) }
        var row = rows[bucket]
        let start = Int(row.start), count = Int(row.count)
        for slot in start..<start + count where regions[slot] == measurement.region {
            states[slot].add(logRTT: x, second: second, decayPerSecond: decayPerSecond)
            return
        }
        if row.count == row.room {
            row.room *= 2
            row.start = appendSlots(Int(row.room))
            for offset in 0..<count {
                regions[Int(row.start) + offset] = regions[start + offset]
                states[Int(row.start) + offset] = states[start + offset]
            }
        }
        regions[Int(row.start) + count] = measurement.region
        states[Int(row.start) + count] = RobustEstimate(logRTT: x, second: second)
        row.count += 1
        rows[bucket] = row
    }

    /// Appends `count` empty slots; returns the first.
    private mutating func appendSlots(_ count: Int) -> UInt32 {
        let start = regions.count
        regions.append(contentsOf: repeatElement(0, count: count))
        states.append(contentsOf: repeatElement(RobustEstimate(logRTT: 0, second: 0), count: count))
        return UInt32(start)
    }

    /// Seconds since 1970 for the states' `UInt32` clock (which ends in 2106).
    static func second(_ ms: Int64) -> UInt32 {
        UInt32(clamping: ms < 0 ? 0 : ms / 1000)
    }

    /// The estimates of the bucket holding `client`, or nil when it has none.
    public func estimates(for client: IPPrefix, now: Int64) -> BucketEstimates? {
        index.find(PrefixKey(bucketPolicy.bucket(of: client))).map { estimates(ofBucket: $0, now: now) }
    }

    public func estimates(for client: IPAddress, now: Int64) -> BucketEstimates? {
        estimates(for: IPPrefix(client, length: client.bitWidth), now: now)
    }

    /// Every bucket's estimates (an array per bucket: for explanations and
    /// analysis; building a map uses `rankedPrefixes`).
    public func estimates(now: Int64) -> [BucketEstimates] {
        (0..<bucketCount).map { estimates(ofBucket: $0, now: now) }
    }

    private func estimates(ofBucket bucket: Int, now: Int64) -> BucketEstimates {
        let second = Self.second(now)
        let list = row(bucket).map { region, state in
            let samples = state.samples(at: second, decayPerSecond: decayPerSecond), pending = state.candidate
            // The candidate's weight decayed like the support: both as of `now`.
            let decay = samples / Double(max(state.support, .leastNormalMagnitude))
            return RegionEstimate(region: region, rttMs: state.rttMs, samples: samples, lastSampleMs: Int64(state.lastSecond) * 1000,
                                  pendingMs: state.hasCandidate ? Double(exp(pending.logRTT)) : nil,
                                  pendingSamples: state.hasCandidate ? Double(pending.weight) * decay : 0,
                                  standardError: Double(state.standardError))
        }
        return BucketEstimates(bucket: key(ofBucket: bucket).prefix,
                               regions: list.sorted { ($0.rttMs, $0.region) < ($1.rttMs, $1.region) })
    }

    func key(ofBucket bucket: Int) -> PrefixKey { index.key(at: bucket) }

    /// Bucket `bucket`'s regions with their states.
    func row(_ bucket: Int) -> Zip2Sequence<ArraySlice<RegionID>, ArraySlice<RobustEstimate>> {
        let slots = Int(rows[bucket].start)..<Int(rows[bucket].start + rows[bucket].count)
        return zip(regions[slots], states[slots])
    }

    /// Drops the states whose newest sample is older than `cutoffMs`, and the
    /// buckets left without any; repacks the rows, so memory is bounded by
    /// what has been measured since the cutoff. (After n half-lives without
    /// samples a state's weight is 2^−n of what it was.)
    public mutating func compact(olderThan cutoffMs: Int64) {
        let cutoff = Self.second(cutoffMs)
        var kept = Aggregates(bucketPolicy: bucketPolicy, halfLifeMs: halfLifeMs)
        for bucket in 0..<bucketCount {
            let live = row(bucket).filter { $0.1.lastSecond >= cutoff }
            guard !live.isEmpty else { continue }
            _ = kept.index.insert(key(ofBucket: bucket))
            kept.rows.append(Row(start: UInt32(kept.regions.count), count: UInt32(live.count), room: UInt32(live.count)))
            kept.regions.append(contentsOf: live.map(\.0))
            kept.states.append(contentsOf: live.map(\.1))
        }
        self = kept
    }
}
