#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A time-decayed robust estimate of one (network, region) RTT, in 16 bytes.
///
/// It works on x = ln(RTT): RTT noise is multiplicative (a longer path jitters
/// more), so residuals are ratios and one clipping rule fits 2 ms and 300 ms
/// paths alike; the estimate exp(m) is a typical RTT, not a tail-inflated mean.
/// A sample of age Δ weighs a = 2^(−Δ/H) for the half-life H: the state's
/// weights are multiplied by 2^(−Δt/H) when a newer sample arrives, and a
/// sample older than the newest one enters with its own decayed weight.
///
/// With r = x − m and the clip c = k·max(s, sMin):
///
///     |r| ≤ c, the sample agrees:  w += a;  m += a·r / w;  s += a·(|r| − s) / w
///     |r| > c, it disagrees:       m += a·sign(r)·c / (w + a);  w −= 1.5·a
///                                  and if w < 0: m = x;  s = |r| / 2;  w = a
///
/// An agreeing sample updates a decayed mean (m) and mean absolute deviation
/// (s). A disagreeing one is a Huber M-estimator step — it counts as if it lay
/// at m ± c — so a 10× outlier moves m by at most c/(w + 1): about 1% among
/// 30 samples with 10% noise. Clipping alone would also hold back a real change
/// of level, whose samples are all clipped; so disagreeing samples also use up
/// the support w, and once the new level carries 40% of the decayed weight
/// (0.74 half-lives after the change, with steady sampling) the support is gone
/// and the estimate restarts there, as a decayed median would. Outliers making
/// up less than 40% of the samples never restart it. The restart's scale puts
/// the old level inside the clip (at 2 of the 3 scales), so samples alternating
/// between two levels (two paths) end in their mean instead of flapping. A change within the noise (|r| ≲ c) is
/// followed like a decayed mean: about half way, in log-RTT, per half-life.
struct RobustEstimate: Sendable, Equatable {
    /// m: the estimate of ln(RTT in ms).
    private(set) var location: Float32
    /// s: decayed mean absolute deviation of the agreeing samples' ln(RTT).
    private(set) var scale: Float32
    /// w: decayed count of agreeing samples less 1.5× the disagreeing ones,
    /// as of `lastSecond`: the effective number of samples behind m.
    private(set) var support: Float32
    /// Seconds since 1970 of the newest sample.
    private(set) var lastSecond: UInt32

    /// k: residuals beyond k scales are clipped.
    static let clip: Float32 = 3
    /// sMin: ±6% is always noise, so RTTs rounded to whole ms stay robust.
    static let minimumScale: Float32 = 0.02
    /// The scale before there are residuals: ±25%, RUM's typical spread.
    static let initialScale: Float32 = 0.25
    /// How much support a disagreeing sample takes away, per unit of weight.
    static let dissent: Float32 = 1.5

    /// A state holding the single sample `logRTT` taken at `second`.
    /// A state as stored (a checkpoint's).
    init(location: Float32, scale: Float32, support: Float32, lastSecond: UInt32) {
        self.location = location; self.scale = scale; self.support = support; self.lastSecond = lastSecond
    }

    init(logRTT: Float32, second: UInt32) {
        location = logRTT; scale = Self.initialScale; support = 1; lastSecond = second
    }

    /// Adds a sample; `decayPerSecond` is 1 / (half-life in seconds).
    mutating func add(logRTT x: Float32, second: UInt32, decayPerSecond: Float32) {
        var a: Float32 = 1
        if second >= lastSecond {
            support *= exp2(-Float32(second - lastSecond) * decayPerSecond)
            lastSecond = second
        } else {
            a = exp2(-Float32(lastSecond - second) * decayPerSecond)
        }
        let r = x - location
        let c = Self.clip * max(scale, Self.minimumScale)
        if abs(r) <= c {
            support += a
            location += a * r / support
            scale += a * (abs(r) - scale) / support
        } else {
            location += a * (r < 0 ? -c : c) / (support + a)
            support -= Self.dissent * a
            if support < 0 { location = x; scale = abs(r) / 2; support = a }
        }
    }

    /// The estimated RTT in ms.
    var rttMs: Double { Double(exp(location)) }

    /// The support decayed to `second` (not grown when `second` is earlier).
    func samples(at second: UInt32, decayPerSecond: Float32) -> Double {
        Double(support * exp2(-Float32(second > lastSecond ? second - lastSecond : 0) * decayPerSecond))
    }
}
