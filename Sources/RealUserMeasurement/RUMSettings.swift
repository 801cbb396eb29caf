import LatencyLearning
import LatencyModel

/// What the collector serves and believes: the regions the beacon times, the
/// proxies whose X-Forwarded-For counts, and the limits on a report.
public struct RUMSettings: Sendable {
    /// What the beacon times, per region, in this order (names from the region catalog).
    public var regionURLs: [(region: String, url: String)]
    /// X-Forwarded-For (and X-Forwarded-Proto) is believed only from a peer inside one of these.
    public var trustedProxies: [IPPrefix]
    /// A report with more results than this is rejected whole.
    public var maxResultsPerReport: Int
    /// How many regions one page view times, picked at random; nil: all of them.
    public var regionsPerBeacon: Int?
    /// Largest report body accepted, in bytes.
    public var maxReportBytes: Int
    /// Reports accepted per client network (as `keptNetwork` cuts it) per minute; nil: no limit.
    public var reportsPerNetworkPerMinute: Int?
    /// What is kept of a client's address: its network at these lengths, never the address itself.
    public var keptNetwork: BucketPolicy

    public init(regionURLs: [(region: String, url: String)], trustedProxies: [IPPrefix] = [], maxResultsPerReport: Int = 40,
                regionsPerBeacon: Int? = nil, maxReportBytes: Int = 16_384, reportsPerNetworkPerMinute: Int? = 120,
                keptNetwork: BucketPolicy = BucketPolicy()) {
        self.regionURLs = regionURLs
        self.trustedProxies = trustedProxies
        self.maxResultsPerReport = maxResultsPerReport
        self.regionsPerBeacon = regionsPerBeacon
        self.maxReportBytes = maxReportBytes
        self.reportsPerNetworkPerMinute = reportsPerNetworkPerMinute
        self.keptNetwork = keptNetwork
    }
}
