#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A time-decayed robust estimate of one (network, region) RTT, in 20 bytes.
///
/// It works on x = ln(RTT): RTT noise is multiplicative (a longer path jitters
/// more), so residuals are ratios and one clipping rule fits 2 ms and 300 ms
/// paths alike; the estimate exp(m) is a typical RTT, not a tail-inflated mean.
/// A sample of age Δ weighs a = 2^(−Δ/H) for the half-life H: the state's
/// weights are multiplied by 2^(−Δt/H) when a newer sample arrives, and a
/// sample older than the newest one enters with its own decayed weight.
///
/// Besides the estimate (m, scale s, support w) the state keeps a candidate
/// level q with its weight v: the disagreeing samples that agree with each
/// other. With r = x − m and the clip c = k·max(s, sMin):
///
///     |r| ≤ c, the sample agrees:  w += a;  m += a·r / w;  s += a·(|r| − s) / w;  v = max(0, v − a/2)
///     |r| > c, it disagrees:       m, s, w stay;
///         if v > 0, q is on x's side of m and |x − q| ≤ 2k·max(s, sCandidate):  v += a;  q += a·(x − q) / v
///         else if 1/2 ≤ v ≤ 1, q − m > 2c and x − q > ln 3:                      nothing changes
///         else:                                                                  q = x;  v = a
///         and if (v ≥ vMin or n ≥ nMin) and t·v ≥ w, restart there:  s = |q − m| / 2;  m = q;  w = v;  v = 0
///
/// with n the candidate's samples in a row (1 when a sample starts it, +1 when
/// one joins it, 0 when a sample agrees with m), vMin = 1.5 and nMin = 2, or
/// vMin = 2.1 and nMin = 3 for a candidate more than 3× above m, and t = 3
/// for a candidate beyond 2c from m, t = 2 within it (`takeover`).
///
/// So a disagreeing sample does not move the estimate at all: a 10× outlier,
/// or a few, leave it where it was, and w is the decayed number of samples
/// behind m. A level change beyond 2c moves it once the new level carries a
/// quarter of the decayed weight (w counts the agreeing samples, v the new
/// level's; a third within 2c) and at least vMin = 1.5 samples' weight — two
/// samples within a half-life — of its own: 0.42 half-lives (0.58 within 2c) after the
/// change with steady sampling, the second sample after it with sparse
/// sampling. Outliers restart it only when two of them arrive one after the
/// other (an agreeing sample in between takes half a sample's weight from the
/// candidate and ends its row), on the same side, agree with each other and
/// together weigh a third of w (half, within 2c); lone outliers and
/// clipped noise on both sides never do. Two in a row restart it also when
/// sampled far apart (12 h: a weight of 1.25), which by weight alone never
/// happened for regular samples more than 1.58 half-lives apart; more than 3×
/// above it — where RTT's upward tail lies, two of which agree with each
/// other as often as a new level's samples — it takes three (or one plus
/// agreeing evidence from elsewhere: `confirmed`). For the same reason a
/// candidate above m beyond twice the clip — a new level, as for `takeover` —
/// weighing between half a sample (`hasCandidate`) and one (its first
/// sample, decayed) stays as it is when a sample comes more than 3× above
/// it: neither replaced nor its row ended, the sample being that level's
/// tail. (Replacing it, one tail sample between the first two samples of a
/// new level wiped out the first, and the network followed hours later: 4
/// of the 17 simulation networks that missed a change with reports of their
/// own.) A jump of more than 3× beyond such a candidate waits for it to
/// decay below half a sample — at most a half-life, since it weighs at most
/// one; a heavier candidate shields nothing (it would shield for log₂(2v)
/// half-lives: 13 h for a network sampled every half hour, where two
/// samples of a level weigh too little against the estimate to restart it).
/// A candidate within twice the clip, or below m, is noise and shields
/// nothing: keeping those, a sample at 27 ms held off a jump from 30 to
/// 90 ms (3× of the estimate, as often as not more by noise). The restart takes the mean of the
/// candidate's samples, not the last one, and its scale puts the old level
/// inside the clip (at 1.5 of the 3 scales), so samples alternating between two
/// levels (two paths) end in their mean instead of flapping. A change within
/// the noise (|r| ≲ c) is followed like a decayed mean: about 40% of the way,
/// in log-RTT, in the first half-life.
struct RobustEstimate: Sendable, Equatable {
    /// m: the estimate of ln(RTT in ms).
    private(set) var location: Float32
    /// s: decayed mean absolute deviation of the agreeing samples' ln(RTT).
    private(set) var scale: Float32
    /// w: decayed count of the agreeing samples since the last restart (plus the
    /// candidate's weight it restarted with), as of `lastSecond`: the effective
    /// number of samples behind m.
    private(set) var support: Float32
    /// Seconds since 1970 of the newest sample.
    private(set) var lastSecond: UInt32
    /// q and n: in the top 14 bits the candidate level's ln(RTT), in steps of
    /// 1/1024 from −5 (`level(code:)`); in the low 2 bits how many samples
    /// joined it in a row — since it began or since the last agreeing sample —
    /// saturating at 3 (`inARow(code:)`).
    private(set) var candidateCode: UInt16
    /// v: the candidate's decayed weight as of `lastSecond`, 0 if none (`weight(code:)`).
    private(set) var candidateWeightCode: UInt16

    /// k: residuals beyond k scales are clipped.
    static let clip: Float32 = 3
    /// sMin: ±6% is always noise, so RTTs rounded to whole ms stay robust.
    static let minimumScale: Float32 = 0.02
    /// The scale before there are residuals: ±25%, RUM's typical spread.
    static let initialScale: Float32 = 0.25
    /// sCandidate: samples within ±35% (2k · 0.05) of each other can always be one
    /// level, however tight the current one is.
    static let minimumCandidateScale: Float32 = 0.05
    /// vMin: the weight a candidate needs before it may replace the estimate,
    /// unless it has `restartInARow` samples in a row.
    static let restartWeight: Float32 = 1.5
    /// nMin: samples in a row that let a candidate replace the estimate whatever
    /// their decayed weight (two samples a day apart weigh 1.06 at H = 6 h).
    static let restartInARow = 2
    /// A candidate more than `farJump` (ln 3) above the estimate needs
    /// `farRestartWeight` or `farRestartInARow` instead: two samples of RTT's
    /// upward tail in a row (retransmissions, queues) agree with each other
    /// as often as a new level's do; three rarely.
    static let farJump: Float32 = log(3)
    static let farRestartWeight: Float32 = 2.1
    static let farRestartInARow = 3

    /// Whether a candidate at `q` of weight `v` with `n` samples in a row
    /// replaces the estimate: it has enough evidence of its own (v ≥ vMin or
    /// n ≥ nMin; beyond `farJump`, the far pair) and enough of the decayed
    /// weight (`takeover`·v ≥ w).
    private func restarts(candidate q: Float32, weight v: Float32, inARow n: Int) -> Bool {
        let own = q - location > Self.farJump ? v >= Self.farRestartWeight || n >= Self.farRestartInARow
                                              : v >= Self.restartWeight || n >= Self.restartInARow
        return own && takeover(candidate: q) * v >= support
    }

    /// How many times its weight a candidate at `q` needs to reach w: 3 (a
    /// quarter of the decayed weight) beyond twice the clip, 2 (a third)
    /// within it. Samples just beyond the clip are often the noise's own
    /// tail — an estimate resting on a few samples underrates its scale — and
    /// two such in a row restarted estimates 10–15% off with a quarter, which
    /// sent networks to a region within the margin of theirs; samples beyond
    /// twice the clip are a new level (or outliers, which the far pair and
    /// the row keep out), and asking them for a third held a network with the
    /// typical support of 4–6 for a third sample of the new level, hours
    /// later, when its two came close together.
    private func takeover(candidate q: Float32) -> Float32 {
        abs(q - location) > 2 * Self.clip * max(scale, Self.minimumScale) ? 3 : 2
    }

    /// A state as stored (a checkpoint's); no candidate unless given.
    init(location: Float32, scale: Float32, support: Float32, lastSecond: UInt32,
         candidateCode: UInt16 = 0, candidateWeightCode: UInt16 = 0) {
        self.location = location; self.scale = scale; self.support = support; self.lastSecond = lastSecond
        self.candidateCode = candidateCode; self.candidateWeightCode = candidateWeightCode
    }

    /// A state holding the single sample `logRTT` taken at `second`.
    init(logRTT: Float32, second: UInt32) {
        location = logRTT; scale = Self.initialScale; support = 1; lastSecond = second
        candidateCode = 0; candidateWeightCode = 0
    }

    /// Adds a sample; `decayPerSecond` is 1 / (half-life in seconds).
    mutating func add(logRTT x: Float32, second: UInt32, decayPerSecond: Float32) {
        var a: Float32 = 1
        // Only samples in time order count in, or end, the candidate's row.
        let inOrder = second >= lastSecond
        if inOrder {
            let halfLives = Float32(second - lastSecond) * decayPerSecond
            support *= exp2(-halfLives)
            if candidateWeightCode != 0 {
                // v is stored as log2: decaying it is a subtraction.
                let code = Float32(candidateWeightCode) - (halfLives * Self.weightSteps).rounded()
                candidateWeightCode = code >= 1 ? UInt16(code) : 0
            }
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
            if candidateWeightCode != 0 {
                candidateWeightCode = Self.weightCode(Self.weight(code: candidateWeightCode) - a / 2)
                if inOrder { candidateCode &= ~Self.inARowMask }
            }
            return
        }
        var v = Self.weight(code: candidateWeightCode), q = Self.level(code: candidateCode), n = Self.inARow(code: candidateCode)
        if v > 0, (q > location) == (r > 0), abs(x - q) <= 2 * Self.clip * max(scale, Self.minimumCandidateScale) {
            v += a
            q += a * (x - q) / v
            if inOrder { n = min(n + 1, Int(Self.inARowMask)) }
        } else if hasCandidate, v <= 1, q - location > 2 * c, x - q > Self.farJump {
            // A sample beyond 3× of a new level's first sample does not wipe it out.
            return
        } else {
            q = x
            v = a
            n = inOrder ? 1 : 0
        }
        if restarts(candidate: q, weight: v, inARow: n) {
            scale = abs(q - location) / 2
            location = q
            support = v
            candidateCode = 0; candidateWeightCode = 0
        } else {
            candidateCode = Self.candidateCode(level: q, inARow: n); candidateWeightCode = Self.weightCode(v)
        }
    }

    /// The estimated RTT in ms.
    var rttMs: Double { Double(exp(location)) }

    /// Whether a change of `shift` in ln RTT lies beyond the clip: a new
    /// level to this estimate, not its noise.
    func isBeyondClip(_ shift: Float32) -> Bool { abs(shift) > Self.clip * max(scale, Self.minimumScale) }

    /// The standard error of m (in ln RTT) for the ranker's hysteresis:
    /// σ / √w with σ = 1.25·s (a normal spread from its mean absolute
    /// deviation), s kept within [sMin, `rankingScaleLimit`] and w at least 1.
    /// So it shrinks as 1/√w with the evidence and is at most 1.25 × 0.1 =
    /// 0.125 whatever the state. Right after a restart s is the size of the
    /// jump (|q − m| / 2), not noise, so a level that just jumped counts as
    /// uncertain (at the limit, for a jump of 22% or more) until a few agreeing
    /// samples bring s down (each moves it 1/w of the way to their residual) —
    /// which is the point: such a level rests on 1.5–2 samples. A scale from
    /// a checkpoint is used as it is (the state is restored exactly), under
    /// the same limit. The support is the one as of the newest sample, not
    /// decayed to the rebuild's time, so the regions of a network reported
    /// together age alike.
    var standardError: Float32 {
        1.25 * min(max(scale, Self.minimumScale), Self.rankingScaleLimit) / max(support, 1).squareRoot()
    }

    /// The largest scale the standard error uses: ±10% per sample. (The
    /// initial ±25% as the limit held a region measured once at 30 ms against
    /// one at 50 ms, and bounded the margin only at 46%.)
    static let rankingScaleLimit: Float32 = 0.1

    /// The support decayed to `second` (not grown when `second` is earlier).
    func samples(at second: UInt32, decayPerSecond: Float32) -> Double {
        Double(support * exp2(-Float32(second > lastSecond ? second - lastSecond : 0) * decayPerSecond))
    }

    /// The candidate level, if `evidence` — an ln(RTT) predicted for this
    /// network from elsewhere (its covering roll-up, or its country),
    /// counted as one more sample arriving with the newest one — would make
    /// the candidate replace the estimate under the restart rule of a jump
    /// within 3× (below); nil otherwise. The state is
    /// not changed: the network's next sample decides (one that agrees with m
    /// takes half a sample from the candidate, and the confirmation lapses;
    /// one that joins the candidate restarts the estimate there for real).
    ///
    /// The evidence confirms only if its `spread` (how far such predictions
    /// miss this network's other regions, in ln RTT) is at most
    /// `maximumEvidenceSpread`, it disagrees with m by more than the clip
    /// widened by that spread, lies on the candidate's side, agrees with q
    /// within `evidenceTolerance`, and if the candidate plus one meets the
    /// restart rule of a jump within 3× (v + 1 ≥ vMin, which `hasCandidate`
    /// asks, and `takeover`·(v + 1) ≥ w; v and w as of the newest sample,
    /// so a confirmation does not lapse with time alone). So one disagreeing
    /// sample plus agreeing evidence are the two samples a restart asks for,
    /// also for a jump beyond 3×: the far pair's third sample guards against
    /// two of RTT's upward tail agreeing with each other, and a neighbours'
    /// estimate is no tail sample — it moved only if their own samples did.
    /// Evidence alone — no candidate, or one an agreeing sample has since
    /// taken below half a sample and out of its row — confirms nothing.
    ///
    /// Returns the candidate's level q (the network's own samples, not the
    /// evidence), the standard error the restarted estimate would have (scale
    /// |q − m|/2, support v), and v.
    func confirmed(by evidence: Float32, spread: Float32) -> (logRTT: Float32, standardError: Float32, samples: Float32)? {
        guard hasCandidate, evidence.isFinite, spread.isFinite else { return nil }
        let v = Self.weight(code: candidateWeightCode), q = Self.level(code: candidateCode)
        let r = evidence - location
        guard spread <= Self.maximumEvidenceSpread,
              abs(r) > Self.clip * (max(scale, Self.minimumScale) + max(0, spread)),
              (q > location) == (r > 0),
              abs(evidence - q) <= Self.evidenceTolerance,
              takeover(candidate: q) * (v + 1) >= support else { return nil }
        let restartedScale = abs(q - location) / 2
        return (q, 1.25 * min(max(restartedScale, Self.minimumScale), Self.rankingScaleLimit) / max(v, 1).squareRoot(), v)
    }

    /// Predictions that miss a network's other regions by more than ±28% on
    /// average (0.25 in ln RTT) confirm nothing: a /16 whose only other
    /// measured network is elsewhere in the world predicts nothing about this
    /// one, and its level can happen to match an outlier (seen in the
    /// simulation: a sibling at 380 ms to eu-central-1 "confirmed" a 9.5×
    /// outlier of a 34 ms path).
    static let maximumEvidenceSpread: Float32 = 0.25

    /// How near q the evidence must lie: ±35% (2k·sCandidate), whatever the
    /// estimate's scale — right after a restart s is half the jump, and
    /// 2k·s (three times the jump, in ln RTT) admitted evidence several
    /// times or a fraction of the candidate.
    static let evidenceTolerance: Float32 = 2 * clip * minimumCandidateScale

    /// Whether the candidate weighs at least vMin − 1 (half a sample) as of
    /// the newest sample: the least `confirmed` can use. (A candidate whose
    /// newest sample came in order weighs at least 1, whatever its row.)
    var hasCandidate: Bool { candidateWeightCode != 0 && Self.weight(code: candidateWeightCode) + 1 >= Self.restartWeight }

    /// The candidate level's ln(RTT) and weight (0: none), as of `lastSecond`.
    var candidate: (logRTT: Float32, weight: Float32) { (Self.level(code: candidateCode), Self.weight(code: candidateWeightCode)) }

    // The candidate in 4 bytes: q in fixed point (ln RTT from −5 to 11, i.e.
    // 0.007 ms to 60 s, in steps of 0.1%) beside n, v as a logarithm (2^−16 to
    // 2^16 in steps of 0.034%, 0 meaning none), so that decaying v is exact
    // enough however small the steps between samples.
    static let levelOrigin: Float32 = -5, levelSteps: Float32 = 1024, weightSteps: Float32 = 2048
    static let inARowMask: UInt16 = 3

    static func level(code: UInt16) -> Float32 { levelOrigin + Float32(code >> 2) / levelSteps }
    static func inARow(code: UInt16) -> Int { Int(code & inARowMask) }
    /// `candidateCode` for a level `logRTT` with `n` samples in a row: the
    /// 14-bit level code shifted left by 2, then n.
    static func candidateCode(level logRTT: Float32, inARow n: Int) -> UInt16 {
        UInt16(max(0, min(16383, ((logRTT - levelOrigin) * levelSteps).rounded()))) << 2 | UInt16(n) & inARowMask
    }
    static func weight(code: UInt16) -> Float32 { code == 0 ? 0 : exp2((Float32(code) - 32768) / weightSteps) }
    static func weightCode(_ weight: Float32) -> UInt16 {
        guard weight > 0x1p-16 else { return 0 }
        return UInt16(max(1, min(65535, (log2(weight) * weightSteps).rounded() + 32768)))
    }
}
