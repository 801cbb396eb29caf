import LatencyLearning
import LatencyModel
#if canImport(Glibc)
import Glibc
#endif

/// One build's shifts of measured estimates older than their country's
/// change (docs/latency-learning.md, "Estimates older than their country's
/// change").
///
/// A network that has measured nothing that moved its estimate since its
/// country's measured networks moved — their median ln(measured / prior)
/// for a region (`PriorCache.medianRatios`) changed by more than the
/// network's own estimate would take for noise (its clip) — is ranked on
/// its estimate moved by that change: e^(median now − baseline) × the
/// estimate, with the baseline the country's median as of the estimate's
/// newest sample (the newest snapshot at or before it, else the oldest:
/// the sample is older than the history). The change cancels the network's
/// fixed offset from its country (a route or access of its own), as the
/// country's change does when it confirms a candidate
/// (`CandidateConfirmation`). An unmeasured network follows its country
/// through the calibrated prior, and one that borrows follows its roll-up;
/// without this a measured network that happens to send nothing for a
/// while is the one that does not.
///
/// A shift holds over later builds, measured from the same baseline, while
/// the estimate is exactly the one it moved: a sample that does not move
/// the estimate (an outlier, or the first of a new level, pending) does not
/// undo it. (Measured from that sample's time instead, the shift vanished
/// at such a sample and came back with the network's next restart: in the
/// simulation 15 networks more switched more often than their fastest
/// region changed at all.) A sample that moves the estimate — one that
/// agrees with it, or a restart — settles it: the next build measures from
/// that sample. A network whose candidate its roll-up or country confirms
/// ranks on that instead (its own samples' level).
///
/// Invariants: only the network's own measured estimates are shifted, by
/// its country's measured medians, never by the geographic model alone;
/// the aggregates are not changed; a bucket is located only when it holds
/// a shift or one of its estimates' clips is narrower than the largest
/// change any country made for that region since any snapshot (`reach`);
/// while no country moved beyond the narrowest clip, no row is read at all.
struct CountryShift {
    /// Per catalog region, its index in the build's regions in use (−1: not in use).
    let position: [Int]
    /// Locates a bucket when it may have a shift.
    let geo: GeoModel
    /// The previous build's shifts, by bucket.
    let previous: [IPPrefix: [ShiftedEstimate]]
    /// Per calibrated country: its medians now, and how far they moved to
    /// now since each snapshot that has the country, oldest first (catalog
    /// region indices).
    let countries: [String: (now: [Float32], since: [(ms: Int64, change: [Float32])])]
    /// Per catalog region, the largest |change| over the countries and snapshots.
    let reach: [Float32]
    /// Whether some region's `reach` is beyond the narrowest clip: else only held shifts are looked at.
    let reachesAny: Bool

    /// `medians`: every calibrated country's medians now, indexed by catalog region.
    init(position: [Int], geo: GeoModel, history: CountryLevelHistory, previous: [IPPrefix: [ShiftedEstimate]],
         medians: [String: [Float32]]) {
        self.position = position; self.geo = geo; self.previous = previous
        var countries: [String: (now: [Float32], since: [(ms: Int64, change: [Float32])])] = [:]
        var reach = [Float32](repeating: 0, count: position.count)
        for (country, now) in medians {
            let since = history.changes(of: country, to: now)
            for snapshot in since {
                for (region, change) in snapshot.change.enumerated() where abs(change) > reach[region] { reach[region] = abs(change) }
            }
            countries[country] = (now, since)
        }
        self.countries = countries; self.reach = reach
        reachesAny = reach.contains { $0 > BucketRow.narrowestClip }
    }

    /// The shifts of `row`'s estimates, except the regions in `confirmed`.
    func shift(_ row: BucketRow, except confirmed: [ConfirmedEstimate]) -> [ShiftedEstimate] {
        let earlier = previous.isEmpty ? nil : previous[row.bucket]
        guard earlier != nil || reachesAny && (0..<row.count).contains(where: { inUseIndex(row.region($0), position) != nil && row.isBeyondClip($0, reach[Int(row.region($0))]) }),
              let country = geo.locate(row.bucket.address)?.country, let known = countries[country] else { return [] }
        var found: [ShiftedEstimate] = []
        for j in 0..<row.count where inUseIndex(row.region(j), position) != nil && !confirmed.contains(where: { $0.region == row.region(j) }) {
            let region = Int(row.region(j)), estimateMs = Float32(row.rttMs(j))
            let shift: Float32
            if let held = earlier?.first(where: { $0.region == row.region(j) && $0.estimateMs == estimateMs }) {
                shift = known.now[region] - held.baseline
            } else {
                let ms = Int64(row.newestSecond(j)) * 1000
                guard let snapshot = known.since.last(where: { $0.ms <= ms && $0.change[region].isFinite })
                        ?? known.since.first(where: { $0.change[region].isFinite }) else { continue }
                shift = snapshot.change[region]
            }
            guard shift.isFinite, row.isBeyondClip(j, shift) else { continue }
            found.append(ShiftedEstimate(region: row.region(j), estimateMs: estimateMs, baseline: known.now[region] - shift, shift: shift))
        }
        return found
    }
}
