/// What past builds' countries said: per country and region, the median
/// ln(measured / prior) of its measured networks (`PriorCache.medianRatios`),
/// as of each build, so a build can tell how far a country's networks moved
/// since some time back (`CandidateConfirmation`: since a half-life before
/// a network's newest sample).
///
/// Invariants, for builds in time order with one half-life: snapshots are
/// oldest first, at least halfLifeMs / `spacing` apart; of those older than
/// the newest build's time − `retention` half-lives only the newest is kept.
/// All come from one calibration sample (`LatencyMapBuilder.calibrates`
/// with `calibrationStride`). Indexed by catalog region, NaN where the
/// country was not calibrated for it; about 250 countries × 4 bytes per
/// catalog region per snapshot, about 40 snapshots.
struct CountryLevelHistory: Sendable {
    let calibrationStride: Int
    private var snapshots: [(ms: Int64, medians: [String: [Float32]])] = []

    init(calibrationStride: Int = 1) { self.calibrationStride = calibrationStride }

    /// Snapshots are kept back this many half-lives before the newest build.
    static let retention: Int64 = 3
    /// At most one snapshot per this share of a half-life (builds may come every minute).
    static let spacing: Int64 = 12

    /// Records a build's medians as of `ms`, unless the newest snapshot is
    /// more recent than a `spacing`th of the half-life; drops what `retention` no longer needs.
    mutating func record(at ms: Int64, halfLifeMs: Int64, _ medians: () -> [String: [Float32]]) {
        if let newest = snapshots.last, ms - newest.ms < halfLifeMs / Self.spacing { return }
        snapshots.append((ms, medians()))
        let horizon = ms - Self.retention * halfLifeMs
        if let keep = snapshots.lastIndex(where: { $0.ms <= horizon }) { snapshots.removeFirst(keep) }
    }

    /// The medians of the newest snapshot taken at or before `ms`, nil if none.
    func medians(asOf ms: Int64) -> [String: [Float32]]? {
        snapshots.last(where: { $0.ms <= ms })?.medians
    }

    /// How far `country`'s medians moved to `now` since each snapshot that
    /// has the country, oldest first: now − then per catalog region (NaN
    /// where either is).
    func changes(of country: String, to now: [Float32]) -> [(ms: Int64, change: [Float32])] {
        snapshots.compactMap { snapshot in
            snapshot.medians[country].map { then in (snapshot.ms, zip(now, then).map { $0 - $1 }) }
        }
    }
}
