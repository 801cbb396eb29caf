import GeoPrior
import LatencyModel

/// Where a region's estimate for a network came from, best first.
public enum EstimateSource: String, Hashable, Sendable {
    /// The network's own measurements (or a configured RTT for it).
    case measured
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
    /// Measured estimates only: the decayed sample count and the newest sample's time.
    public var samples: Double?
    public var lastSampleMs: Int64?
}

/// Every region in use, estimated for one client's network.
public struct NetworkPrediction: Sendable {
    public var client: IPAddress
    /// The client's network bucket.
    public var bucket: IPPrefix
    public var location: GeoLocation?
    /// The regions in use, fastest estimate first; regions without an
    /// estimate last, in the default order.
    public var regions: [RegionPrediction]
}
