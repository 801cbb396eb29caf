import GeoPrior
import LatencyModel
#if canImport(Glibc)
import Glibc
#endif

/// Where a region's estimate for a network came from, best first.
public enum EstimateSource: String, Hashable, Sendable {
    /// The network's own measurements (or a configured RTT for it).
    case measured
    /// The network's own newest samples: a level they agree on that its
    /// estimate has not restarted at yet (one sample short), confirmed by
    /// the other measured networks of its roll-up or, without any, of its
    /// country (`ConfirmedEstimate`).
    case confirmed
    /// The network's own estimate, older than a change its country's
    /// measured networks made since: moved by that change (`ShiftedEstimate`).
    case shifted
    /// The nearest covering network that has measurements for the region.
    case borrowed
    /// The geographic prior: the network's location and an RTT model
    /// calibrated on the measurements of its country.
    case prior
    /// Nothing known: the configured default order places the region.
    case `default`
}

/// One region's estimate for a network, with its provenance.
public struct RegionPrediction: Hashable, Sendable {
    public var region: RegionID
    public var rttMs: Double?
    public var source: EstimateSource
    /// The measured or borrowed-from network, the prior's location (a
    /// country code or coordinates), or nil for the default.
    public var from: String?
    /// Measured estimates only: the decayed sample count and the newest
    /// sample's time; for a confirmed one, the candidate level's own weight
    /// as of its newest sample.
    public var samples: Double?
    public var lastSampleMs: Int64?
    /// A measured estimate's pending level — its newest samples disagree
    /// with it and agree with each other, and it has not followed them yet
    /// (one sample short, or awaiting confirmation) — with that level's
    /// sample weight; nil for every other source.
    public var pendingMs: Double? = nil
    public var pendingSamples: Double? = nil
    /// The standard error of ln(RTT) the ranker's hysteresis uses: the
    /// network's own measured, confirmed or shifted estimates only (a shifted
    /// one keeps its estimate's); 0 for the rest,
    /// configured RTTs (source `measured`) included.
    public var standardError: Double = 0
}

/// Every region in use, estimated for one client's network.
public struct NetworkPrediction: Sendable {
    public var client: IPAddress
    /// The client's network bucket.
    public var bucket: IPPrefix
    /// The network the map ranks the client under: a configured prefix at
    /// least as specific as the bucket, else the bucket.
    public var network: IPPrefix
    public var location: GeoLocation?
    /// The regions in use, fastest estimate first; regions without an
    /// estimate last, in the default order.
    public var regions: [RegionPrediction]
}

/// A measured estimate's pending candidate level (the network's newest
/// samples, which disagree with its estimate) that the build used instead of
/// the estimate because the network's roll-up or country confirmed it
/// (`LatencyMapBuilder`, "Confirming a change").
public struct ConfirmedEstimate: Hashable, Sendable {
    public var region: RegionID
    /// The candidate level used.
    public var rttMs: Double
    /// The estimate it stands in for; the confirmation holds only while the
    /// estimate is still exactly this (no sample has moved it since).
    public var estimateMs: Double
    /// The standard error of ln(RTT) the ranker used: the restarted estimate's.
    public var standardError: Float32
    /// The candidate's own sample weight.
    public var samples: Double
    /// Whose measurements confirmed it.
    public var by: Confirmer
}

/// Whose measurements confirm a network's change.
public enum Confirmer: Hashable, Sendable, CustomStringConvertible {
    /// The other measured networks of the network's roll-up (its /16 or /32).
    case rollup(IPPrefix)
    /// The measured networks of the network's country (ISO code), through
    /// the prior they calibrate: the network is alone in its roll-up.
    case country(String)
    /// How far the measured networks of the network's country (ISO code)
    /// moved since a half-life before the network's newest sample.
    case countryChange(String)

    public var description: String {
        switch self {
        case .rollup(let network): network.description
        case .country(let code): "the measured networks of \(code)"
        case .countryChange(let code): "the change of the measured networks of \(code)"
        }
    }
}

/// A measured estimate that the build moved by how far its country's
/// measured networks moved since (`CountryShift`; docs/latency-learning.md,
/// "Estimates older than their country's change"). 16 bytes: an event can
/// shift most of a large country's buckets.
public struct ShiftedEstimate: Hashable, Sendable {
    public var region: RegionID
    /// The estimate it stands in for; the shift holds only while the
    /// estimate is still exactly this (no sample has moved it since).
    public var estimateMs: Float32
    /// The country's median ln(measured / prior) for the region the shift
    /// is measured from: as of the estimate's newest sample when the shift
    /// began (`CountryShift`).
    public var baseline: Float32
    /// How far the country moved since, in ln RTT.
    public var shift: Float32

    /// The estimate moved: `estimateMs` × e^shift.
    public var rttMs: Double { Double(estimateMs * exp(shift)) }
}
