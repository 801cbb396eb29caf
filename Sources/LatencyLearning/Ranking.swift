import LatencyModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// When a network's best region may change: only to a region faster than the
/// current best by at least `relative` of the current best's RTT and by at
/// least `absoluteMs`, so that estimates wobbling around equality never flip
/// the answer — and, when the candidate's estimate comes with a standard
/// error, by at least `standardErrors` of it, so that an estimate resting on a
/// few samples does not flip the answer on its noise. (The relative part is
/// waived for a current best that itself became slower by the margin; below.)
///
/// With `e` the standard error of the candidate's ln(RTT) estimate, the
/// candidate replaces the current best when
///
///     current − candidate ≥ max(relative·current, absoluteMs)   and
///     ln(current / candidate) ≥ standardErrors · e
///
/// Only the candidate's error counts: a region takes over on the strength of
/// its own evidence, while the current best's uncertainty does not shield it
/// — when its estimate has just jumped to a worse level (the estimator's
/// restart, on 1.5–2 samples), that jump is the news to follow. (Counting both
/// errors, √(e₁² + e₂²), held such networks on the worse region:
/// docs/latency-simulation.md.)
///
/// The relative margin protects a current best that is still what it was:
/// when its RTT has risen by the fixed margin itself since it was last
/// ranked (`currentWasMs`: its estimate restarted at a worse level, or what
/// it borrows did), the comparison that chose it is void, and a candidate
/// faster by `absoluteMs` and by its evidence term replaces it. (Otherwise a
/// region that became 60 ms slower kept the networks whose next best lies
/// within 10% of its new level in estimates resting on two samples. The
/// absolute part stays, so a current best whose estimate swings by more
/// than the margin does not hand over to a region within a few ms of it and
/// back at every rebuild.) The ranker keeps such a release while the region
/// is held against a faster one, until it is back within the margin of its
/// RTT before the rise or replaced: it then records that RTT, not the risen
/// one, as what the region was last ranked at, so a candidate whose
/// evidence comes a rebuild or two after the rise still takes over.
/// (Released for one rebuild only, such a network was held by the whole
/// margin again from the next rebuild on.) A region still the fastest after
/// its rise records the risen RTT — the rise is its new level, and a region
/// that later comes within the margin of it does not take over on the
/// release of a rise long past — and a slow creep never releases it: each
/// rebuild records the RTT it ranked.
///
/// Invariants: a candidate faster by less than `absoluteMs` never replaces
/// the current best; with `e` = 0 (an estimate without sample support:
/// borrowed, prior, configured) this is the fixed margin alone (its absolute
/// part alone when the current best worsened); the evidence term only ever
/// adds to the fixed margin, so every replacement it allows the fixed margin
/// allows too; and it is bounded by the largest error an estimate reports
/// (`RobustEstimate.standardError`, 0.125), so a candidate faster by
/// 1 − e^(−0.25) = 22% (k = 2) and by the fixed margin always replaces: no
/// state freezes a ranking. As a region's samples accumulate the term shrinks
/// as 1/√samples, to the fixed margin.
public struct Hysteresis: Hashable, Sendable {
    public var relative: Double
    public var absoluteMs: Double
    /// k: how many standard errors of its ln(RTT) estimate the candidate must
    /// win by; 0 ignores the errors (the fixed margin alone, the rule before).
    public var standardErrors: Double

    public init(relative: Double = 0.10, absoluteMs: Double = 2, standardErrors: Double = 2) {
        self.relative = relative; self.absoluteMs = absoluteMs; self.standardErrors = standardErrors
    }

    /// The fixed margin a candidate must beat `currentMs` by.
    func margin(_ currentMs: Double) -> Double { max(relative * currentMs, absoluteMs) }

    /// Whether a current best at `currentMs` has become slower by its fixed
    /// margin since it was ranked at `wasMs`.
    func worsened(_ currentMs: Double, since wasMs: Double) -> Bool { currentMs - wasMs >= margin(currentMs) }

    /// What a candidate must beat a current best by (`requirement`).
    public struct Requirement: Hashable, Sendable {
        /// The fixed margin in ms: its absolute part alone when `released`.
        public var marginMs: Double
        /// The least ln(current / candidate): `standardErrors` of the candidate's standard error, 0 without one.
        public var logRatio: Double
        /// Whether the current best became slower by the fixed margin since it was ranked.
        public var released: Bool
    }

    /// What a candidate whose ln(RTT) estimate has standard error
    /// `standardError` (0: no sample support) must beat a current best at
    /// `currentMs` by, given the current best's recorded RTT `currentWasMs`
    /// (`RegionChoices`), if known.
    public func requirement(current currentMs: Double, standardError: Double = 0, currentWasMs: Double? = nil) -> Requirement {
        let released = currentWasMs.map { worsened(currentMs, since: $0) } ?? false
        return Requirement(marginMs: released ? absoluteMs : margin(currentMs),
                           logRatio: standardError > 0 ? standardErrors * standardError : 0, released: released)
    }

    /// Whether `candidateMs` replaces `currentMs`: it is faster by the
    /// `requirement`'s margin and ratio (arguments as there).
    public func replaces(_ candidateMs: Double, current currentMs: Double, standardError: Double = 0,
                         currentWasMs: Double? = nil) -> Bool {
        guard candidateMs < currentMs else { return false }
        let needed = requirement(current: currentMs, standardError: standardError, currentWasMs: currentWasMs)
        return currentMs - candidateMs >= needed.marginMs && log(currentMs / candidateMs) >= needed.logRatio
    }
}

/// The first region of each network's ranking at the last rebuild and its
/// RTT then (while released, its RTT before the rise; `Hysteresis`): the
/// memory hysteresis needs from one rebuild to the next.
///
/// Networks keep their numbers from one rebuild to the next (`index`), so
/// a rebuild that ranks them in the order they were first numbered — as the
/// map builder does — finds each one's number by comparing with the next
/// number's network instead of hashing. A network not ranked at the last
/// rebuild keeps its number, marked `forgotten`, until the numbering is
/// compacted (when fewer than half the numbers are live).
///
/// Invariants: `chosen` and `rtts` have one element per number of `index`
/// (until `handOver` takes the numbering away); `count` is the number of
/// elements of `chosen` that are not `forgotten` (an id no region has).
public struct RegionChoices: Sendable {
    private var index = KeyIndex()
    private var chosen: [RegionID] = []
    private var rtts: [Float32] = []
    /// The networks ranked at the last rebuild.
    public private(set) var count = 0
    private static let forgotten = RegionID.max

    public init() {}

    /// `network`'s first region at the last rebuild and the RTT it was
    /// ranked at (before its rise, while released), if it was ranked.
    public func lastRanked(_ network: IPPrefix) -> (region: RegionID, rttMs: Double)? {
        index.find(PrefixKey(network)).flatMap { self[$0] }.map { ($0.region, Double($0.rttMs)) }
    }

    /// The first region of network `number` at the last rebuild and its RTT
    /// then (before the rise, while released), if it was ranked.
    subscript(number: Int) -> (region: RegionID, rttMs: Float32)? {
        number < chosen.count && chosen[number] != Self.forgotten ? (chosen[number], rtts[number]) : nil
    }

    /// Choices for a new rebuild, which take over the numbering (these keep
    /// their choices by number, no longer by network): every network
    /// forgotten until `record`ed.
    mutating func handOver() -> RegionChoices {
        var next = RegionChoices()
        swap(&next.index, &index)
        next.chosen = Array(repeating: Self.forgotten, count: next.index.count)
        next.rtts = Array(repeating: 0, count: next.index.count)
        return next
    }

    /// Whether fewer than half the numbers are of networks ranked at the last rebuild.
    var isSparse: Bool { count * 2 < index.count }

    /// The same choices, numbered afresh without the forgotten networks (in the same order).
    func compacted() -> RegionChoices {
        var compacted = RegionChoices()
        compacted.index = KeyIndex(capacity: count)
        for number in chosen.indices where chosen[number] != Self.forgotten {
            _ = compacted.index.insert(index.key(at: number))
            compacted.chosen.append(chosen[number]); compacted.rtts.append(rtts[number])
        }
        compacted.count = count
        return compacted
    }

    /// The number of `key`, trying `hint` first; numbered when new.
    mutating func number(of key: PrefixKey, trying hint: Int) -> Int {
        if index.isAt(hint, key) { return hint }
        let (number, inserted) = index.insert(key)
        if inserted { chosen.append(Self.forgotten); rtts.append(0) }
        return number
    }

    mutating func record(_ region: RegionID, rttMs: Float32, for number: Int) {
        if chosen[number] == Self.forgotten { count += 1 }
        chosen[number] = region; rtts[number] = rttMs
    }
}

/// Ranks the networks of one map rebuild: regions by RTT (ties by id), except
/// that a network's previous first region stays first unless the fastest
/// replaces it under `hysteresis` (with its estimate's standard error, where
/// given, and the previous first region's recorded RTT).
/// Collects this rebuild's choices, with their RTTs, for the next; networks
/// not ranked this time are forgotten.
public struct Ranker: Sendable {
    public let hysteresis: Hysteresis
    private let previous: RegionChoices
    public private(set) var choices = RegionChoices()
    /// Regions with their RTTs as sortable integers: RTT bits, then the id,
    /// then the standard error in the low 16 bits (`errorCode`).
    private var keys: [UInt64] = []
    /// The number the next network is looked for at first (`RegionChoices`).
    private var nextNumber = 0

    /// With `previous`, the choices of the rebuild before (whose numbering the new choices continue).
    public init(hysteresis: Hysteresis = Hysteresis(), previous: RegionChoices = RegionChoices()) {
        self.hysteresis = hysteresis
        var previous = previous.isSparse ? previous.compacted() : previous
        choices = previous.handOver()
        self.previous = previous
    }

    /// The ranking of `network` from non-negative RTTs, one per region, without
    /// standard errors (estimates without sample support).
    public mutating func rank(_ network: IPPrefix, rtts: [(region: RegionID, rttMs: Double)]) -> [RegionID] {
        rank(PrefixKey(network), rtts.lazy.map { ($0.region, Float32($0.rttMs), 0) })
    }

    /// The ranking of `network` from non-negative RTTs with the standard errors
    /// of their ln(RTT) (0: none known), one per region.
    public mutating func rank(_ network: IPPrefix,
                              estimates: [(region: RegionID, rttMs: Double, standardError: Double)]) -> [RegionID] {
        rank(PrefixKey(network), estimates.lazy.map { ($0.region, Float32($0.rttMs), Float32($0.standardError)) })
    }

    mutating func rank(_ network: PrefixKey, _ estimates: some Sequence<(RegionID, Float32, Float32)>) -> [RegionID] {
        var ranking: [RegionID] = []
        rank(network, estimates, into: &ranking)
        return ranking
    }

    /// Writes over `ranking` the ranking of `network` over `regions` by
    /// `rtts` (aligned with `regions`; NaN: unknown), then the regions
    /// without an RTT in their order. `standardErrors`, if given, is aligned
    /// too: each RTT's standard error of ln(RTT), 0 for an estimate without
    /// sample support.
    public mutating func rank(_ network: IPPrefix, regions: [RegionID], rtts: [Float32], standardErrors: [Float32]? = nil,
                              into ranking: inout [RegionID]) {
        keys.removeAll(keepingCapacity: true)
        for i in rtts.indices where !rtts[i].isNaN { keys.append(Self.key(regions[i], rtts[i], standardErrors?[i] ?? 0)) }
        rankKeys(PrefixKey(network), into: &ranking)
        for i in rtts.indices where rtts[i].isNaN { ranking.append(regions[i]) }
    }

    /// `rank(_:_:)` written over `ranking`, so that ranking many networks
    /// reuses one array instead of allocating one per network.
    mutating func rank(_ network: PrefixKey, _ estimates: some Sequence<(RegionID, Float32, Float32)>, into ranking: inout [RegionID]) {
        keys.removeAll(keepingCapacity: true)
        for (region, rtt, error) in estimates { keys.append(Self.key(region, rtt, error)) }
        rankKeys(network, into: &ranking)
    }

    /// Writes over `ranking` the ranking of `network` from `keys`, which
    /// the caller filled with one key per region (`key`).
    private mutating func rankKeys(_ network: PrefixKey, into ranking: inout [RegionID]) {
        ranking.removeAll(keepingCapacity: true)
        guard !keys.isEmpty else { return }
        keys.sort()
        var first = 0, basisMs = Self.rttMs(keys[0])
        let number = choices.number(of: network, trying: nextNumber)
        nextNumber = number + 1
        if let kept = previous[number] {
            if let position = keys.firstIndex(where: { Self.region($0) == kept.region }),
               !hysteresis.replaces(Self.rttMs(keys[0]), current: Self.rttMs(keys[position]), standardError: Self.standardError(keys[0]),
                                    currentWasMs: Double(kept.rttMs)) {
                first = position
                basisMs = Self.rttMs(keys[position])
                // Held against a faster region after a rise: the release stays.
                if position != 0, hysteresis.worsened(basisMs, since: Double(kept.rttMs)) { basisMs = Double(kept.rttMs) }
            }
        }
        choices.record(Self.region(keys[first]), rttMs: Float32(basisMs), for: number)
        ranking.reserveCapacity(keys.count)
        ranking.append(Self.region(keys[first]))
        for (position, key) in keys.enumerated() where position != first { ranking.append(Self.region(key)) }
    }

    /// A region's sortable key: its RTT (non-negative), then its id, then its standard error's code.
    private static func key(_ region: RegionID, _ rttMs: Float32, _ error: Float32) -> UInt64 {
        UInt64(max(rttMs, 0).bitPattern) << 32 | UInt64(region) << 16 | UInt64(errorCode(error))
    }
    private static func region(_ key: UInt64) -> RegionID { RegionID(truncatingIfNeeded: key >> 16) }
    private static func rttMs(_ key: UInt64) -> Double { Double(Float32(bitPattern: UInt32(key >> 32))) }
    /// A standard error in [0, 1) in steps of 2^−16 (larger ones as the largest, NaN as 0; estimates report ≤ 0.125).
    private static func errorCode(_ error: Float32) -> UInt16 {
        error > 0 ? UInt16(min(65535, error * 65536 + 0.5)) : 0  // rounded, without a call into libm
    }
    private static func standardError(_ key: UInt64) -> Double { Double(UInt16(truncatingIfNeeded: key)) / 65536 }
}

extension Aggregates {
    /// Every bucket with its ranking from the current estimates, for
    /// `LatencyMap(rankedPrefixes:defaultRanking:)`; the ranker keeps the choices.
    public func rankedPrefixes(with ranker: inout Ranker) -> [(prefix: IPPrefix, ranking: [RegionID])] {
        var ranked: [(prefix: IPPrefix, ranking: [RegionID])] = []
        ranked.reserveCapacity(bucketCount)
        for bucket in 0..<bucketCount {
            let key = key(ofBucket: bucket)
            ranked.append((key.prefix, ranker.rank(key, row(bucket).lazy.map { ($0, Float32($1.rttMs), $1.standardError) })))
        }
        return ranked
    }
}
