import LatencyModel

/// When a network's best region may change: only to a region faster than the
/// current best by at least `relative` of the current best's RTT and by at
/// least `absoluteMs`, so that estimates wobbling around equality never flip
/// the answer.
public struct Hysteresis: Hashable, Sendable {
    public var relative: Double
    public var absoluteMs: Double

    public init(relative: Double = 0.10, absoluteMs: Double = 2) {
        self.relative = relative; self.absoluteMs = absoluteMs
    }

    public func replaces(_ candidateMs: Double, current currentMs: Double) -> Bool {
        currentMs - candidateMs >= max(relative * currentMs, absoluteMs)
    }
}

/// The first region of each network's ranking at the last rebuild: the
/// memory hysteresis needs from one rebuild to the next.
public struct RegionChoices: Sendable {
    private var index = KeyIndex()
    private var chosen: [RegionID] = []

    public init() {}

    public var count: Int { chosen.count }

    public subscript(network: IPPrefix) -> RegionID? { self[PrefixKey(network)] }

    subscript(key: PrefixKey) -> RegionID? { index.find(key).map { chosen[$0] } }

    mutating func record(_ region: RegionID, for key: PrefixKey) {
        let (position, inserted) = index.insert(key)
        if inserted { chosen.append(region) } else { chosen[position] = region }
    }
}

/// Ranks the networks of one map rebuild: regions by RTT (ties by id), except
/// that a network's previous first region stays first unless the fastest
/// replaces it under `hysteresis`. Collects this rebuild's choices for the
/// next; networks not ranked this time are forgotten.
public struct Ranker: Sendable {
    public let hysteresis: Hysteresis
    private let previous: RegionChoices
    public private(set) var choices = RegionChoices()
    /// Regions with their RTTs as sortable integers: RTT bits above the id.
    private var keys: [UInt64] = []

    public init(hysteresis: Hysteresis = Hysteresis(), previous: RegionChoices = RegionChoices()) {
        self.hysteresis = hysteresis; self.previous = previous
    }

    /// The ranking of `network` from non-negative RTTs, one per region.
    public mutating func rank(_ network: IPPrefix, rtts: [(region: RegionID, rttMs: Double)]) -> [RegionID] {
        rank(PrefixKey(network), rtts.lazy.map { ($0.region, Float32($0.rttMs)) })
    }

    mutating func rank(_ network: PrefixKey, _ rtts: some Sequence<(RegionID, Float32)>) -> [RegionID] {
        keys.removeAll(keepingCapacity: true)
        for (region, rtt) in rtts { keys.append(UInt64(max(rtt, 0).bitPattern) << 16 | UInt64(region)) }
        guard !keys.isEmpty else { return [] }
        keys.sort()
        var first = 0
        if let kept = previous[network], let position = keys.firstIndex(where: { Self.region($0) == kept }),
           !hysteresis.replaces(Self.rttMs(keys[0]), current: Self.rttMs(keys[position])) {
            first = position
        }
        choices.record(Self.region(keys[first]), for: network)
        return [RegionID](unsafeUninitializedCapacity: keys.count) { ranking, count in
            ranking[0] = Self.region(keys[first])
            count = 1
            for (position, key) in keys.enumerated() where position != first {
                ranking[count] = Self.region(key)
                count += 1
            }
        }
    }

    private static func region(_ key: UInt64) -> RegionID { RegionID(truncatingIfNeeded: key) }
    private static func rttMs(_ key: UInt64) -> Double { Double(Float32(bitPattern: UInt32(key >> 16))) }
}

extension Aggregates {
    /// Every bucket with its ranking from the current estimates, for
    /// `LatencyMap(rankedPrefixes:defaultRanking:)`; the ranker keeps the choices.
    public func rankedPrefixes(with ranker: inout Ranker) -> [(prefix: IPPrefix, ranking: [RegionID])] {
        var ranked: [(prefix: IPPrefix, ranking: [RegionID])] = []
        ranked.reserveCapacity(bucketCount)
        for bucket in 0..<bucketCount {
            let key = key(ofBucket: bucket)
            ranked.append((key.prefix, ranker.rank(key, row(bucket).lazy.map { ($0, Float32($1.rttMs)) })))
        }
        return ranked
    }
}
