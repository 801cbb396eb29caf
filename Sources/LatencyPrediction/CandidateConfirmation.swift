import LatencyLearning
import LatencyModel
#if canImport(Glibc)
import Glibc
#endif

/// One build's confirmations of measured buckets' pending candidate levels
/// (docs/latency-learning.md, "Confirming a change from the roll-up").
struct CandidateConfirmation {
    let settings: PredictionSettings
    /// Per catalog region, its index in the build's regions in use (−1: not in use).
    let position: [Int]
    /// How many regions are in use.
    let inUseCount: Int
    /// The roll-up networks, numbered: roll-up n's (sum of ln RTT, count) per
    /// region in use are `rollupSums[n * inUseCount ..< (n + 1) * inUseCount]`.
    let rollups: KeyIndex
    let rollupSums: [(sum: Float32, count: Int32)]
    /// The previous build's confirmations, by bucket.
    let previous: [IPPrefix: [ConfirmedEstimate]]
    /// The countries' medians as of past builds.
    let history: CountryLevelHistory
    let halfLifeMs: Int64

    /// Confirming a change: the candidate levels of measured bucket `row`'s
    /// estimates that its roll-up, or else its country, or its country's
    /// change confirms
    /// (`RobustEstimate.confirmed`: that evidence counts as one sample, so
    /// one disagreeing sample of the network's own plus agreeing neighbours
    /// make the two a restart asks for).
    ///
    /// The evidence for region i is what others predict for the bucket, put
    /// at the bucket's own level: P_i = R_i + δ, with δ the bucket's mean
    /// offset ln(own_j) − R_j over its other regions j, and its spread the
    /// mean |ln(own_j) − R_j − δ| over those j. R_i is the mean ln RTT to
    /// region i of the bucket's siblings — the other measured buckets of its
    /// roll-up network (its /16 or /32). When the roll-up has no other
    /// measured bucket, R_i is the prior at the bucket's location times the
    /// median ratio measured / prior of its country's networks
    /// (`PriorCache.countryRTTs`), for the regions that at least
    /// `minimumCalibrationNetworks` of them measured (the bucket's own
    /// estimate is among them, which only holds the evidence back towards
    /// the old level). Evidence whose spread exceeds
    /// `RobustEstimate.maximumEvidenceSpread` confirms nothing. At least
    /// two regions j are needed, so a bucket measured for one or two
    /// regions, or alone in its roll-up without a calibrated country, is
    /// never confirmed by a level.
    ///
    /// Where the level asked (the roll-up's, or for a bucket alone there
    /// the country's) does not confirm, the country's change may: how far its
    /// networks' median ln(measured / prior) for region i moved since the
    /// newest build at or before a half-life before the bucket's newest
    /// sample (`history`), added to the bucket's own estimate — which
    /// cancels the bucket's fixed offset from its country (a route or access
    /// of its own) that the level's spread stands for. It counts as
    /// evidence of spread 0. Before a half-life of builds (after a start)
    /// there is no change to tell.
    ///
    /// A confirmation holds over later builds while the network's own
    /// samples have not settled it: while the estimate is exactly the one it
    /// was confirmed against and a candidate of at least half a sample's
    /// weight remains (an outlier that replaced the candidate, on either
    /// side, does not undo it — it speaks for neither level; an agreeing
    /// sample, which moves the estimate, or a restart, does). Without this, a
    /// one-sample confirmation followed by an outlier flipped an answer and back.
    /// A fresh confirmation of the current candidate comes first: a held one
    /// at a level the network has since left (a sample of a newer level
    /// replaced the candidate) kept the network there, traced in the
    /// simulation (a pre-event sample at 60 ms on a 50 ms path, confirmed
    /// while its country moved, held the network for the half-life after
    /// its first sample of the new 113 ms level).
    ///
    /// Invariants: only estimates with a candidate of their own are
    /// confirmed, at the candidate's level (the network's own samples, never
    /// the evidence); the aggregates are not changed.
    func confirm(_ row: BucketRow, priors: inout PriorCache?) -> [ConfirmedEstimate] {
        guard (0..<row.count).contains(where: { row.hasCandidate($0) }) else { return [] }
        let borrowLength = settings.borrowLength(for: row.bucket.address)
        let cover = IPPrefix(row.bucket.address, length: borrowLength)
        let earlier = previous[row.bucket] ?? []
        // Per row slot: its index in `regions`, and its own ln RTT.
        var index = [Int](repeating: -1, count: row.count), own = [Float32](repeating: .nan, count: row.count)
        for j in 0..<row.count {
            guard let i = inUseIndex(row.region(j), position) else { continue }
            index[j] = i
            own[j] = log(Float32(row.rttMs(j)))
        }
        // Per row slot: the others' ln RTT R (NaN: none), from the siblings, else the country.
        var others = [Float32](repeating: .nan, count: row.count)
        var confirmer = Confirmer.rollup(cover)
        if borrowLength < row.bucket.length, let number = rollups.find(cover) {
            let base = number * inUseCount
            for j in 0..<row.count where index[j] >= 0 {
                let slot = rollupSums[base + index[j]]
                if slot.count >= 2 { others[j] = (slot.sum - own[j]) / Float32(slot.count - 1) }
            }
        }
        let location = priors?.geo.locate(row.bucket.address), country = location?.country
        if others.allSatisfy(\.isNaN), let location, let country {
            confirmer = .country(country)
            let predicted = priors!.countryRTTs(from: location)
            for j in 0..<row.count where index[j] >= 0 && predicted[index[j]] > 0 { others[j] = log(predicted[index[j]]) }
        }
        /// The others' level for slot j put at the bucket's own (R_j + δ), and its spread; nil without two other regions.
        func levelEvidence(_ j: Int) -> (logRTT: Float32, spread: Float32)? {
            guard !others[j].isNaN else { return nil }
            var sum: Float32 = 0, n = 0
            for k in 0..<row.count where k != j && !others[k].isNaN { sum += own[k] - others[k]; n += 1 }
            guard n >= 2 else { return nil }
            let offset = sum / Float32(n)
            var spread: Float32 = 0
            for k in 0..<row.count where k != j && !others[k].isNaN { spread += abs(own[k] - others[k] - offset) }
            return (others[j] + offset, spread / Float32(n))
        }
        /// How far the country's median moved for slot j since a half-life before its newest sample; nil if unknown.
        func countryShift(_ j: Int) -> Float32? {
            guard let country,
                  let before = history.medians(asOf: Int64(row.newestSecond(j)) * 1000 - halfLifeMs)?[country] else { return nil }
            let shift = priors!.medianRatios(of: country)[index[j]] - before[Int(row.region(j))]
            return shift.isFinite ? shift : nil
        }
        var found: [ConfirmedEstimate] = []
        for j in 0..<row.count where index[j] >= 0 && row.hasCandidate(j) {
            var confirmed = levelEvidence(j).flatMap { row.confirmed(j, by: $0.logRTT, spread: $0.spread) }.map { ($0, confirmer) }
            if confirmed == nil, let shift = countryShift(j), let level = row.confirmed(j, by: own[j] + shift, spread: 0) {
                confirmed = (level, .countryChange(country!))
            }
            if let (level, by) = confirmed {
                found.append(ConfirmedEstimate(region: row.region(j), rttMs: level.rttMs, estimateMs: row.rttMs(j),
                                               standardError: level.standardError, samples: level.samples, by: by))
            } else if let held = earlier.first(where: { $0.region == row.region(j) }), held.estimateMs == row.rttMs(j) {
                found.append(held)
            }
        }
        return found
    }
}
