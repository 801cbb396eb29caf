import LatencyModel

/// Where a prior RTT estimate came from.
public enum PriorSource: String, Hashable, Sendable {
    /// The measured RTT between the client's and the region's countries,
    /// moved by the distance model's slope for where in those countries the
    /// client (when its coordinates are known) and the region are.
    case countryPair
    /// The distance model alone: neither country pair is in the table.
    case distanceModel
}

public struct RTTEstimate: Hashable, Sendable {
    public var rttMs: Double
    public var source: PriorSource
}

/// rtt ≈ interceptMs + msPerKm · great-circle distance, fitted by least
/// squares; the fit's quality comes with it.
public struct DistanceModel: Hashable, Sendable {
    public var interceptMs: Double
    public var msPerKm: Double
    /// How many (distance, RTT) points the fit used.
    public var samples: Int
    /// Root-mean-square residual, ms.
    public var rmseMs: Double
    /// Median of |residual| / RTT.
    public var medianRelativeError: Double
    /// Share of the RTTs' variance the distance explains.
    public var r2: Double

    /// The least-squares line through `points`; nil unless there are two
    /// distinct distances and RTT grows with distance (a slope ≤ 0 would
    /// make every region look alike or the far ones better).
    public static func fit(_ points: [(km: Double, rttMs: Double)]) -> DistanceModel? {
        let n = Double(points.count)
        guard points.count >= 2 else { return nil }
        let meanKm = points.reduce(0) { $0 + $1.km } / n, meanRTT = points.reduce(0) { $0 + $1.rttMs } / n
        let sxx = points.reduce(0) { $0 + ($1.km - meanKm) * ($1.km - meanKm) }
        let sxy = points.reduce(0) { $0 + ($1.km - meanKm) * ($1.rttMs - meanRTT) }
        guard sxx > 0, sxy > 0 else { return nil }
        let slope = sxy / sxx, intercept = meanRTT - slope * meanKm
        let residuals = points.map { $0.rttMs - (intercept + slope * $0.km) }
        let sse = residuals.reduce(0) { $0 + $1 * $1 }
        let syy = points.reduce(0) { $0 + ($1.rttMs - meanRTT) * ($1.rttMs - meanRTT) }
        let relative = zip(residuals, points).map { abs($0) / max($1.rttMs, 1) }.sorted()
        return DistanceModel(interceptMs: intercept, msPerKm: slope, samples: points.count, rmseMs: (sse / n).squareRoot(),
                             medianRelativeError: relative[relative.count / 2], r2: syy > 0 ? 1 - sse / syy : 1)
    }

    public func rttMs(km: Double) -> Double { interceptMs + msPerKm * km }
}

/// A geographic prior: the RTT to expect from a client to a region before
/// anything has been measured between them.
///
/// A client in a country the table knows, to a region in a country the table
/// knows, gets the table's RTT (`.countryPair`), shifted by the model's slope
/// × how much farther apart the client and the region are than the
/// distance the table's RTT stands for — so a client on the US west coast is
/// nearer us-west-1 than us-east-1 though both are US–US. Anyone else with a
/// country or coordinates gets the distance model (`.distanceModel`). No
/// estimate is below the time light in fibre needs (1 ms per 100 km there
/// and back), nor below 1 ms.
public struct RTTPrior: Sendable {
    /// The plausible pairs of the table given to `init`.
    public let table: CountryRTTTable
    public let countryLocations: [String: GeoPoint]
    public private(set) var distanceModel: DistanceModel

    public enum FitError: Error, Equatable { case tooFewPairs }

    /// Keeps the table's plausible pairs and fits the distance model on
    /// those of different countries that both have a location (a
    /// same-country row has no distance). A pair is implausible when its RTT
    /// is under half the time light in fibre needs between the two
    /// countries' points: its probes were mislocated (the RIPE Atlas table
    /// has US–MZ at 1.5 ms). Half, because a big country's pings may be
    /// mostly to its near edge (SG–US is 148 ms; light between the
    /// population centres needs 154).
    public init(countryTable: CountryRTTTable, countryLocations: [String: GeoPoint] = CountryLocations.all) throws(FitError) {
        func km(_ pair: CountryRTTTable.Pair) -> Double? {
            countryLocations[pair.a].flatMap { a in countryLocations[pair.b].map { a.distanceKm(to: $0) } }
        }
        table = countryTable.filter { pair in km(pair).map { pair.rttMs >= $0 / 200 } ?? true }
        let points = table.pairs.compactMap { pair in pair.a == pair.b ? nil : km(pair).map { (km: $0, rttMs: pair.rttMs) } }
        guard let model = DistanceModel.fit(points) else { throw .tooFewPairs }
        self.countryLocations = countryLocations
        distanceModel = model
    }

    /// The RTT to expect from `client` to `region`; `regionCountry` defaults
    /// to `country(of:)`. Nil when the client has neither a known country nor
    /// coordinates.
    public func predict(from client: GeoLocation, to region: Region, regionCountry: String? = nil) -> RTTEstimate? {
        let km = point(of: client)?.distanceKm(to: region.point)
        func bounded(_ rtt: Double) -> Double { max(rtt, (km ?? 0) / 100, 1) }
        if let clientCountry = client.country, let regionCountry = regionCountry ?? country(of: region),
           let measured = table.rttMs(clientCountry, regionCountry) {
            var shift = 0.0
            if let km, let a = countryLocations[clientCountry], let b = countryLocations[regionCountry] {
                // The distance the table's RTT stands for: between the countries'
                // points; within one country, whose pings span it, the distance
                // the model gives for that RTT (US–US's 108 ms: about 2,200 km).
                let reference = clientCountry == regionCountry
                    ? max(0, (measured - distanceModel.interceptMs) / distanceModel.msPerKm) : a.distanceKm(to: b)
                shift = distanceModel.msPerKm * (km - reference)
            }
            return RTTEstimate(rttMs: bounded(measured + shift), source: .countryPair)
        }
        return km.map { RTTEstimate(rttMs: bounded(distanceModel.rttMs(km: $0)), source: .distanceModel) }
    }

    /// The client's coordinates, else its country's point.
    private func point(of client: GeoLocation) -> GeoPoint? {
        client.point ?? client.country.flatMap { countryLocations[$0] }
    }

    /// Refits the distance model on measured RTTs (Nearcast's own, from
    /// clients whose location is known to regions); the table stays. Returns
    /// the new model, or nil — keeping the old one — when the samples cannot
    /// be fitted (fewer than two distinct distances, or no growth with distance).
    @discardableResult
    public mutating func calibrate(with samples: [(client: GeoLocation, region: Region, rttMs: Double)]) -> DistanceModel? {
        let points = samples.compactMap { sample in
            point(of: sample.client).map { (km: $0.distanceKm(to: sample.region.point), rttMs: sample.rttMs) }
        }
        guard let model = DistanceModel.fit(points) else { return nil }
        distanceModel = model
        return model
    }

    /// The country a region is in: Route 53's regions from a table, any other
    /// region the country whose representative point is nearest (right for a
    /// region near a country's people, a guess near a border).
    public func country(of region: Region) -> String? {
        if let known = Self.route53Countries[region.name] { return known }
        return countryLocations.min { a, b in
            (a.value.distanceKm(to: region.point), a.key) < (b.value.distanceKm(to: region.point), b.key)
        }?.key
    }

    /// The country of each of `RegionCatalog.route53`.
    public static let route53Countries: [String: String] = [
        "us-east-1": "US", "us-east-2": "US", "us-west-1": "US", "us-west-2": "US", "us-gov-east-1": "US",
        "us-gov-west-1": "US", "ca-central-1": "CA", "ca-west-1": "CA", "mx-central-1": "MX", "sa-east-1": "BR",
        "eu-west-1": "IE", "eu-west-2": "GB", "eu-west-3": "FR", "eu-central-1": "DE", "eu-central-2": "CH",
        "eusc-de-east-1": "DE", "eu-north-1": "SE", "eu-south-1": "IT", "eu-south-2": "ES", "il-central-1": "IL",
        "me-south-1": "BH", "me-central-1": "AE", "af-south-1": "ZA", "ap-south-1": "IN", "ap-south-2": "IN",
        "ap-east-1": "HK", "ap-east-2": "TW", "ap-northeast-1": "JP", "ap-northeast-2": "KR", "ap-northeast-3": "JP",
        "ap-southeast-1": "SG", "ap-southeast-2": "AU", "ap-southeast-3": "ID", "ap-southeast-4": "AU",
        "ap-southeast-5": "MY", "ap-southeast-6": "NZ", "ap-southeast-7": "TH", "cn-north-1": "CN", "cn-northwest-1": "CN",
    ]
}

extension Region {
    public var point: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }
}
