import GeoPrior
import LatencyLearning
import LatencyModel
#if canImport(Glibc)
import Glibc
#endif

/// How estimates are predicted for networks without their own.
public struct PredictionSettings: Sendable {
    /// Buckets are rolled up into networks of these lengths to lend their
    /// estimates to unmeasured neighbours (an ISP's /16 tends to share paths).
    public var borrowIPv4Length: Int
    public var borrowIPv6Length: Int
    /// The roll-up length of `address`'s family.
    func borrowLength(for address: IPAddress) -> Int { address.bitWidth == 32 ? borrowIPv4Length : borrowIPv6Length }
    /// A (country, region) pair's prior is corrected by its own measurements,
    /// and the country's evidence confirms candidates for the region, once
    /// this many networks of the country measured it.
    public var minimumCalibrationNetworks: Int
    public var hysteresis: Hysteresis
    /// A measured estimate's pending candidate level (its newest samples,
    /// disagreeing with it) is used once the bucket's roll-up, or else its
    /// country, or its country's change confirms it (`CandidateConfirmation`;
    /// docs/latency-learning.md, "Confirming a change from the roll-up").
    public var confirmCandidates: Bool
    /// A measured estimate older than its country's change is ranked moved
    /// by that change (`CountryShift`; docs/latency-learning.md, "Estimates
    /// older than their country's change").
    public var shiftStaleEstimates: Bool

    public init(borrowIPv4Length: Int = 16, borrowIPv6Length: Int = 32, minimumCalibrationNetworks: Int = 3,
                hysteresis: Hysteresis = Hysteresis(), confirmCandidates: Bool = true, shiftStaleEstimates: Bool = true) {
        self.borrowIPv4Length = borrowIPv4Length; self.borrowIPv6Length = borrowIPv6Length
        self.confirmCandidates = confirmCandidates; self.shiftStaleEstimates = shiftStaleEstimates
        self.minimumCalibrationNetworks = minimumCalibrationNetworks; self.hysteresis = hysteresis
    }
}

/// `region`'s index among a build's regions in use, given `position` (per
/// catalog region, its index, −1 when not in use); nil when not in use or
/// beyond the catalog.
func inUseIndex(_ region: RegionID, _ position: [Int]) -> Int? {
    Int(region) < position.count && position[Int(region)] >= 0 ? position[Int(region)] : nil
}

/// Builds latency maps from measurements: each network's own estimates,
/// then borrowed ones, then the calibrated prior, then the default order;
/// rankings keep their first region under hysteresis from one build to the next.
public struct LatencyMapBuilder: Sendable {
    public let catalog: RegionCatalog
    public let defaultRanking: [RegionID]
    public let geo: GeoModel?
    public let settings: PredictionSettings
    private var choices = RegionChoices()
    /// The previous build's confirmations, by bucket (`CandidateConfirmation`).
    private var previousConfirmations: [IPPrefix: [ConfirmedEstimate]] = [:]
    /// The previous build's shifts, by bucket (`CountryShift`).
    private var previousShifts: [IPPrefix: [ShiftedEstimate]] = [:]
    /// Past builds' country medians (`CandidateConfirmation`, `CountryShift`).
    private var countryHistory = CountryLevelHistory()
    /// About this many buckets at most calibrate the prior per build (`calibrates`).
    static let calibrationSample = 100_000

    /// Whether `bucket` calibrates the prior when one bucket in `stride`
    /// does: chosen by a hash of its address, not by its place among the
    /// buckets, so the same networks calibrate from build to build whatever
    /// was added or compacted away (`CountryLevelHistory` compares their
    /// medians over time; a new stride starts a new history).
    static func calibrates(_ bucket: IPPrefix, stride: Int) -> Bool {
        guard stride > 1 else { return true }
        let bits: UInt64 = switch bucket.address {
        case .v4(let address): UInt64(address)
        case .v6(let address): UInt64(truncatingIfNeeded: address >> 64) ^ UInt64(truncatingIfNeeded: address)
        }
        return ((bits &* 0x9E37_79B9_7F4A_7C15) >> 32) % UInt64(stride) == 0
    }

    public init(catalog: RegionCatalog, defaultRanking: [RegionID], geo: GeoModel?, settings: PredictionSettings = PredictionSettings()) {
        self.catalog = catalog; self.defaultRanking = defaultRanking; self.geo = geo; self.settings = settings
    }

    /// `network`'s first region at the last build and the RTT it was ranked
    /// at (`RegionChoices.lastRanked`), if that build ranked it.
    public func lastRanked(_ network: IPPrefix) -> (region: RegionID, rttMs: Double)? { choices.lastRanked(network) }

    public struct Result: Sendable {
        public var map: LatencyMap
        public var knowledge: LatencyKnowledge
        /// Networks ranked from their own, configured or rolled-up estimates (the rest is the underlay).
        public var rankedNetworks: Int
        public var underlayRanges: Int
    }

    /// The map for latency records over `regionsInUse`, from `aggregates`
    /// and the configured map's `configured` entries, as of `now`.
    public mutating func build(aggregates: Aggregates, configured entries: [LatencyEntry], regionsInUse: Set<RegionID>,
                               now: Int64) -> Result {
        let fallback = defaultRanking + catalog.allIDs.filter { !defaultRanking.contains($0) }
        let regions = fallback.filter { regionsInUse.contains($0) }
        var position = Array(repeating: -1, count: catalog.regions.count)
        for (i, region) in regions.enumerated() { position[Int(region)] = i }
        let empty = [Float32](repeating: .nan, count: regions.count)
        var scratch = empty, errors = [Float32](repeating: 0, count: regions.count)
        /// `row`'s RTTs aligned with `regions` (NaN where it has none), written over `values`, and their
        /// standard errors (0 where none) over `errors`.
        func align(_ row: BucketRow, into values: inout [Float32], errors: inout [Float32]) {
            for i in values.indices { values[i] = .nan; errors[i] = 0 }
            for j in 0..<row.count {
                if let i = inUseIndex(row.region(j), position) { values[i] = Float32(row.rttMs(j)); errors[i] = row.standardError(j) }
            }
        }

        var configured: [IPPrefix: [Float32]] = [:]
        for entry in entries { if let i = inUseIndex(entry.region, position) { configured[entry.prefix, default: empty][i] = Float32(entry.rttMs) } }

        // One pass over the buckets: networks measured as a whole, roll-ups, calibration.
        let policy = aggregates.bucketPolicy
        var coarse: [IPPrefix: [Float32]] = [:]
        // Roll-up network n's (sum of ln RTT, count) per region in use: `rollupSums[n * regions.count + i]`.
        var rollups = KeyIndex()
        var rollupSums: [(sum: Float32, count: Int32)] = []
        var priors = geo.map { PriorCache(geo: $0, regions: regions, minimumNetworks: settings.minimumCalibrationNetworks) }
        let stride = max(1, aggregates.bucketCount / Self.calibrationSample)
        if countryHistory.calibrationStride != stride {
            // Other networks calibrate: past medians and baselines measured on them no longer compare.
            countryHistory = CountryLevelHistory(calibrationStride: stride)
            previousShifts = [:]
        }
        aggregates.forEachBucket { row in
            if row.bucket.length < policy.length(for: row.bucket.address) {
                align(row, into: &scratch, errors: &errors)
                coarse[row.bucket] = scratch
                return
            }
            let borrowLength = settings.borrowLength(for: row.bucket.address)
            if borrowLength < row.bucket.length {
                let (number, inserted) = rollups.insert(IPPrefix(row.bucket.address, length: borrowLength))
                if inserted { rollupSums.append(contentsOf: repeatElement((sum: Float32(0), count: Int32(0)), count: regions.count)) }
                let base = number * regions.count
                for j in 0..<row.count {
                    guard let i = inUseIndex(row.region(j), position) else { continue }
                    rollupSums[base + i].sum += row.logRTT(j)
                    rollupSums[base + i].count += 1
                }
            }
            if Self.calibrates(row.bucket, stride: stride), priors != nil, let location = geo?.locate(row.bucket.address) {
                align(row, into: &scratch, errors: &errors)
                priors!.calibrate(at: location, measured: scratch)
            }
        }
        for (prefix, rtts) in configured where prefix.length < policy.length(for: prefix.address) {
            coarse[prefix] = zip(coarse[prefix] ?? empty, rtts).map { $0.isNaN ? $1 : $0 }
        }
        var rolledUp: [IPPrefix: [Float32]] = [:]
        for number in 0..<rollups.count where coarse[rollups.prefix(at: number)] == nil {
            let base = number * regions.count
            rolledUp[rollups.prefix(at: number)] = rollupSums[base..<base + regions.count].map { $0.count == 0 ? .nan : exp($0.sum / Float32($0.count)) }
        }
        coarse.merge(rolledUp) { own, _ in own }
        let knowledge = LatencyKnowledge(regions: regions, catalogSize: catalog.regions.count, bucketPolicy: policy,
                                         coarse: coarse, configured: configured, priors: priors?.forPrediction)

        // Rank every network that has estimates of its own. Only its own
        // measured estimates carry standard errors into the hysteresis;
        // configured, borrowed and prior ones count as exact (0): their
        // uncertainty does not shrink with this network's samples, so a margin
        // built from it would hold a ranking for as long as they stay.
        var ranker = Ranker(hysteresis: settings.hysteresis, previous: choices)
        var rankings = RankingTable.Builder(defaultRanking: defaultRanking)
        var ranked: [(prefix: IPPrefix, ranking: Int)] = []
        ranked.reserveCapacity(aggregates.bucketCount + configured.count + rolledUp.count)
        var order: [RegionID] = []
        func rank(_ network: IPPrefix, _ values: inout [Float32], standardErrors: [Float32]? = nil) {
            knowledge.fillMissing(&values, network: network)
            ranker.rank(network, regions: regions, rtts: values, standardErrors: standardErrors, into: &order)
            ranked.append((network, rankings.intern(order)))
        }
        // A `let`, so the per-bucket calls below do not copy the builder.
        let confirmation = settings.confirmCandidates
            ? CandidateConfirmation(settings: settings, position: position, inUseCount: regions.count, rollups: rollups, rollupSums: rollupSums,
                                    previous: previousConfirmations, history: countryHistory, halfLifeMs: aggregates.halfLifeMs)
            : nil
        let countryShift = settings.shiftStaleEstimates && priors != nil
            ? CountryShift(position: position, geo: priors!.geo, history: countryHistory, previous: previousShifts,
                           medians: priors!.catalogMedianRatios(catalogSize: catalog.regions.count))
            : nil
        var done = Set<IPPrefix>()
        var confirmations: [IPPrefix: [ConfirmedEstimate]] = [:]
        var shifts: [IPPrefix: [ShiftedEstimate]] = [:]
        aggregates.forEachBucket { row in
            align(row, into: &scratch, errors: &errors)
            if row.bucket.length == policy.length(for: row.bucket.address) {
                let found = confirmation?.confirm(row, priors: &priors) ?? []
                for estimate in found {
                    let i = position[Int(estimate.region)]
                    scratch[i] = Float32(estimate.rttMs)
                    errors[i] = estimate.standardError
                }
                if !found.isEmpty { confirmations[row.bucket] = found }
                let moved = countryShift?.shift(row, except: found) ?? []
                for estimate in moved { scratch[position[Int(estimate.region)]] = Float32(estimate.rttMs) }
                if !moved.isEmpty { shifts[row.bucket] = moved }
            }
            if !configured.isEmpty, let rtts = configured[row.bucket] {
                for i in scratch.indices where scratch[i].isNaN { scratch[i] = rtts[i] }
                done.insert(row.bucket)
            }
            rank(row.bucket, &scratch, standardErrors: errors)
        }
        for (prefix, rtts) in configured where !done.contains(prefix) { var values = rtts; rank(prefix, &values) }
        // In the roll-ups' order, the same from build to build (the ranker finds a network's last choice fastest so).
        for number in 0..<rollups.count {
            let prefix = rollups.prefix(at: number)
            if configured[prefix] == nil, var values = rolledUp[prefix] { rank(prefix, &values) }
        }
        choices = ranker.choices
        if settings.confirmCandidates || settings.shiftStaleEstimates, priors != nil {
            countryHistory.record(at: now, halfLifeMs: aggregates.halfLifeMs) { priors!.catalogMedianRatios(catalogSize: catalog.regions.count) }
        }
        previousConfirmations = confirmations
        previousShifts = shifts
        var served = knowledge
        served.confirmed = confirmations
        served.shifted = shifts

        var underlay = LatencyMap.Underlay()
        if var cache = priors, let geo { underlay = Self.underlay(&cache, ranges: geo.locatedRanges(), regions: regions) }
        let map = LatencyMap(internedPrefixes: ranked, rankings: rankings, underlay: underlay)
        return Result(map: map, knowledge: served, rankedNetworks: ranked.count, underlayRanges: underlay.v4.count + underlay.v6.count)
    }

    /// Rankings by the calibrated prior for every located range; adjacent
    /// ranges that rank alike are merged.
    private static func underlay(_ priors: inout PriorCache, ranges: LocatedRanges, regions: [RegionID]) -> LatencyMap.Underlay {
        var underlay = LatencyMap.Underlay()
        var index: [[RegionID]: Int] = [:]
        var byLocation: [GeoLocation: Int] = [:]
        func ranking(_ location: GeoLocation) -> Int {
            if let known = byLocation[location] { return known }
            let order = LatencyKnowledge.fastestFirst(priors.cachedRTTs(from: location)).map { regions[$0] }
            let number = index[order] ?? {
                underlay.rankings.append(order)
                index[order] = underlay.rankings.count - 1
                return underlay.rankings.count - 1
            }()
            byLocation[location] = number
            return number
        }
        underlay.v4 = merged(ranges.v4, ranking)
        underlay.v6 = merged(ranges.v6, ranking)
        return underlay
    }

    /// The ranges with their locations' rankings, adjacent ones that rank alike merged.
    private static func merged<Address: FixedWidthInteger>(
        _ ranges: [(first: Address, last: Address, location: GeoLocation)], _ ranking: (GeoLocation) -> Int
    ) -> [(first: Address, last: Address, ranking: Int)] {
        var result: [(first: Address, last: Address, ranking: Int)] = []
        for range in ranges {
            let number = ranking(range.location)
            if let last = result.last, last.ranking == number, last.last &+ 1 == range.first {
                result[result.count - 1].last = range.last
            } else {
                result.append((range.first, range.last, number))
            }
        }
        return result
    }
}
