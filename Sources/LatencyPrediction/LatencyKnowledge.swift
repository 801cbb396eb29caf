import GeoPrior
import LatencyLearning
import LatencyModel
#if canImport(Glibc)
import Glibc
#endif

/// What one map rebuild knows beyond each network's own measurements: the
/// networks estimates can be borrowed from and the calibrated prior. Built by
/// `LatencyMapBuilder`; answers `predict` (explanations) the way the map
/// was built.
///
/// Invariant: every per-region array is aligned with `regions` (the regions
/// latency records use, in the default order); NaN marks "no estimate".
public struct LatencyKnowledge: Sendable {
    public let regions: [RegionID]
    let position: [Int]
    let bucketPolicy: BucketPolicy
    /// Networks others borrow from: ones measured as a whole (wider than a
    /// bucket), configured ones, and roll-ups of the buckets in a wider network.
    let coarse: [IPPrefix: [Float32]]
    /// The lengths present in `coarse`, longest first, per family (v4, v6).
    let coarseLengths: [[Int]]
    /// The configured latency map's RTTs per prefix.
    let configured: [IPPrefix: [Float32]]
    let configuredLengths: [[Int]]
    let priors: PriorCache?
    /// The build's confirmed candidate levels, by bucket (only buckets with
    /// one); set by the build once it has ranked the buckets.
    var confirmed: [IPPrefix: [ConfirmedEstimate]] = [:]
    /// The build's shifted estimates, by bucket (only buckets with one); set likewise.
    var shifted: [IPPrefix: [ShiftedEstimate]] = [:]
    /// How many buckets the build ranked with a shifted estimate.
    public var shiftedBuckets: Int { shifted.count }

    init(regions: [RegionID], catalogSize: Int, bucketPolicy: BucketPolicy, coarse: [IPPrefix: [Float32]],
         configured: [IPPrefix: [Float32]], priors: PriorCache?) {
        self.regions = regions
        var position = Array(repeating: -1, count: catalogSize)
        for (i, region) in regions.enumerated() { position[Int(region)] = i }
        self.position = position
        self.bucketPolicy = bucketPolicy
        self.coarse = coarse
        self.configured = configured
        self.priors = priors
        coarseLengths = Self.lengths(of: coarse.keys)
        configuredLengths = Self.lengths(of: configured.keys)
    }

    private static func lengths(of prefixes: some Collection<IPPrefix>) -> [[Int]] {
        var v4 = Set<Int>(), v6 = Set<Int>()
        for prefix in prefixes {
            if case .v4 = prefix.address { v4.insert(prefix.length) } else { v6.insert(prefix.length) }
        }
        return [v4.sorted(by: >), v6.sorted(by: >)]
    }

    private static func family(_ address: IPAddress) -> Int { if case .v4 = address { 0 } else { 1 } }

    /// Fills the NaN entries of `values` (the estimates `network` has of its
    /// own): from the nearest covering network that has the region, then
    /// from the prior at the network's location, scaled by how the network's
    /// known RTTs compare with the prior's. `record` hears each filled
    /// region's index, source and origin.
    func fillMissing(_ values: inout [Float32], network: IPPrefix, located: GeoLocation?? = nil,
                     record: ((Int, EstimateSource, String) -> Void)? = nil) {
        var missing = values.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
        guard missing > 0 else { return }
        for length in coarseLengths[Self.family(network.address)] where length < network.length {
            let cover = IPPrefix(network.address, length: length)
            guard let rtts = coarse[cover] else { continue }
            for i in values.indices where values[i].isNaN && !rtts[i].isNaN {
                values[i] = rtts[i]
                missing -= 1
                record?(i, .borrowed, cover.description)
            }
            if missing == 0 { return }
        }
        guard let priors, let location = located ?? priors.geo.locate(network.address) else { return }
        let prior = priors.rtts(from: location)
        var logRatio = 0.0, known = 0
        for i in values.indices where !values[i].isNaN && !prior[i].isNaN && values[i] > 0 {
            logRatio += Double(log(values[i] / prior[i]))
            known += 1
        }
        let scale = known == 0 ? 1 : Float32(exp(max(-log(4.0), min(log(4.0), logRatio / Double(known)))))
        let origin = GeoModel.describe(location)
        for i in values.indices where values[i].isNaN && !prior[i].isNaN {
            values[i] = prior[i] * scale
            record?(i, .prior, origin)
        }
    }

    /// Indices of `values`, smallest first (ties by index), NaN last.
    static func fastestFirst(_ values: [Float32]) -> [Int] {
        values.indices.sorted { a, b in
            switch (values[a].isNaN, values[b].isNaN) {
            case (false, false): values[a] != values[b] ? values[a] < values[b] : a < b
            case (false, true): true
            case (true, false): false
            case (true, true): a < b
            }
        }
    }

    /// Every region in use estimated for `address`'s network, with sources.
    public func predict(_ address: IPAddress, aggregates: Aggregates, now: Int64) -> NetworkPrediction {
        let bucket = bucketPolicy.bucket(of: address)
        // A configured prefix at least as specific as the bucket is the client's network in the map.
        var network = bucket
        for length in configuredLengths[Self.family(address)] where length >= bucket.length {
            let candidate = IPPrefix(address, length: length)
            if configured[candidate] != nil { network = candidate; break }
        }
        let location = priors?.geo.locate(address)
        var values = Array(repeating: Float32.nan, count: regions.count)
        var predictions = regions.map { RegionPrediction(region: $0, rttMs: nil, source: .default) }
        if network == bucket, let own = aggregates.estimates(for: bucket, now: now) {
            for estimate in own.regions {
                // A region beyond the catalog (aggregates learned under a larger one) is not in use, as in the build.
                guard let i = inUseIndex(estimate.region, position) else { continue }
                values[i] = Float32(estimate.rttMs)
                predictions[i] = RegionPrediction(region: estimate.region, rttMs: nil, source: .measured, from: bucket.description,
                                                  samples: estimate.samples, lastSampleMs: estimate.lastSampleMs,
                                                  pendingMs: estimate.pendingMs, pendingSamples: estimate.pendingMs.map { _ in estimate.pendingSamples },
                                                  standardError: estimate.standardError)
                // As the build ranked it, unless a sample has moved the estimate since.
                if let confirmation = confirmed[bucket]?.first(where: { $0.region == estimate.region }),
                   Float32(confirmation.estimateMs) == Float32(estimate.rttMs) {
                    values[i] = Float32(confirmation.rttMs)
                    predictions[i].source = .confirmed
                    predictions[i].samples = confirmation.samples
                    predictions[i].standardError = Double(confirmation.standardError)
                    predictions[i].pendingMs = nil; predictions[i].pendingSamples = nil
                    predictions[i].from = "\(bucket), its newest samples' level, confirmed by \(confirmation.by); "
                        + "the estimate it stands in for: \((estimate.rttMs * 10).rounded() / 10) ms on \((estimate.samples * 100).rounded() / 100) samples"
                } else if let shift = shifted[bucket]?.first(where: { $0.region == estimate.region }),
                          shift.estimateMs == Float32(estimate.rttMs) {
                    values[i] = Float32(shift.rttMs)
                    predictions[i].source = .shifted
                    predictions[i].from = "\(bucket), its estimate \((estimate.rttMs * 10).rounded() / 10) ms moved ×"
                        + "\((exp(Double(shift.shift)) * 100).rounded() / 100) as the measured networks of "
                        + "\(location?.country ?? "its country") moved since its newest sample"
                }
            }
        }
        if let rtts = configured[network] {
            for i in values.indices where values[i].isNaN && !rtts[i].isNaN {
                values[i] = rtts[i]
                predictions[i].source = .measured
                predictions[i].from = "\(network) (configured latency map)"
            }
        }
        fillMissing(&values, network: network, located: .some(location)) { i, source, origin in
            predictions[i].source = source
            predictions[i].from = origin
        }
        for i in values.indices where !values[i].isNaN { predictions[i].rttMs = Double(values[i]) }
        let order = Self.fastestFirst(values)
        return NetworkPrediction(client: address, bucket: bucket, network: network, location: location, regions: order.map { predictions[$0] })
    }
}
