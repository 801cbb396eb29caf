import LatencyLearning
import LatencyModel
#if canImport(Glibc)
import Glibc
#endif

/// Why a network is answered with a region that is not its fastest
/// estimate: the hysteresis keeps the region it was last ranked first
/// (`Hysteresis`, docs/latency-learning.md, "Rankings with hysteresis").
public struct HysteresisHold: Sendable {
    /// The region served first, its estimate now, and the RTT it was last
    /// ranked at (before its rise, while released).
    public var kept: RegionID
    public var keptMs: Double
    public var rankedAtMs: Double
    /// The fastest region by estimate, and its estimate now.
    public var faster: RegionID
    public var fasterMs: Double
    /// What `faster` must beat `kept` by.
    public var requirement: Hysteresis.Requirement
    /// Whether `faster` meets it: it takes over at the next build if the estimates stay as they are now.
    public var takesOver: Bool
}

extension LatencyMapBuilder {
    /// The hold of `servedFirst` — the region the served map ranks first for
    /// `prediction`'s network — over the fastest estimate in `prediction`,
    /// as the ranker weighs it: nil when the served region is as fast as any
    /// (the ranker keeps it on a tie), either has no estimate, or the last
    /// build did not rank the network itself with `servedFirst` first (a
    /// network ranked through its roll-up, or by the prior).
    public func hold(_ prediction: NetworkPrediction, servedFirst: RegionID) -> HysteresisHold? {
        guard let fastest = prediction.regions.first, let fasterMs = fastest.rttMs,
              let keptMs = prediction.regions.first(where: { $0.region == servedFirst })?.rttMs, fasterMs < keptMs,
              let ranked = lastRanked(prediction.network), ranked.region == servedFirst else { return nil }
        let hysteresis = settings.hysteresis
        return HysteresisHold(kept: servedFirst, keptMs: keptMs, rankedAtMs: ranked.rttMs, faster: fastest.region, fasterMs: fasterMs,
                              requirement: hysteresis.requirement(current: keptMs, standardError: fastest.standardError,
                                                                  currentWasMs: ranked.rttMs),
                              takesOver: hysteresis.replaces(fasterMs, current: keptMs, standardError: fastest.standardError,
                                                             currentWasMs: ranked.rttMs))
    }
}
