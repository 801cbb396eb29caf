import LatencyModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One bucket's learned RTTs, unsorted: a view into `Aggregates`, no copy.
public struct BucketRow: Sendable {
    public let bucket: IPPrefix
    let regions: ArraySlice<RegionID>
    let states: ArraySlice<RobustEstimate>

    public var count: Int { regions.count }
    public func region(_ i: Int) -> RegionID { regions[regions.startIndex + i] }
    public func rttMs(_ i: Int) -> Double { states[states.startIndex + i].rttMs }
    /// The `i`th estimate's ln(RTT in ms), of which `rttMs` is the exponential.
    public func logRTT(_ i: Int) -> Float32 { states[states.startIndex + i].location }
    /// The standard error of the `i`th estimate's ln(RTT), for the ranker (`RobustEstimate.standardError`).
    public func standardError(_ i: Int) -> Float32 { states[states.startIndex + i].standardError }
    /// Whether the `i`th estimate has a pending candidate level that evidence
    /// from elsewhere could confirm (`confirmed(_:by:spread:)`).
    public func hasCandidate(_ i: Int) -> Bool { states[states.startIndex + i].hasCandidate }
    /// The `i`th estimate's candidate level, confirmed by `evidence` (an
    /// ln(RTT) predicted for this network, worth one sample, whose
    /// predictions miss by `spread` in ln RTT): see `RobustEstimate.confirmed`.
    /// nil when the evidence does not confirm it.
    /// Returns the candidate's level, the standard error the restarted
    /// estimate would have, and the candidate's own sample weight.
    public func confirmed(_ i: Int, by evidence: Float32, spread: Float32) -> (rttMs: Double, standardError: Float32, samples: Double)? {
        states[states.startIndex + i].confirmed(by: evidence, spread: spread)
            .map { (Double(exp($0.logRTT)), $0.standardError, Double($0.samples)) }
    }
    /// The narrowest clip any estimate has: a change in ln RTT no larger than this is within every estimate's clip.
    public static var narrowestClip: Float32 { RobustEstimate.clip * RobustEstimate.minimumScale }
    /// Whether a change of `shift` in ln RTT is a new level to the `i`th estimate (beyond its clip).
    public func isBeyondClip(_ i: Int, _ shift: Float32) -> Bool { states[states.startIndex + i].isBeyondClip(shift) }
    /// Seconds since 1970 of the `i`th estimate's newest sample.
    public func newestSecond(_ i: Int) -> UInt32 { states[states.startIndex + i].lastSecond }
    /// The RTT learned for `region`, or nil.
    public func rttMs(of region: RegionID) -> Double? {
        regions.firstIndex(of: region).map { states[$0].rttMs }
    }
}

extension Aggregates {
    /// Calls `body` with every bucket's row, in bucket-number order.
    public func forEachBucket(_ body: (BucketRow) -> Void) {
        for bucket in 0..<bucketCount {
            let slots = Int(rows[bucket].start)..<Int(rows[bucket].start + rows[bucket].count)
            body(BucketRow(bucket: key(ofBucket: bucket).prefix, regions: regions[slots], states: states[slots]))
        }
    }
}
