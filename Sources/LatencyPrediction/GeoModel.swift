import GeoPrior
import LatencyModel

/// Where networks are, and the RTTs the prior predicts from there.
///
/// Invariant: one geolocation source answers both `locate` and
/// `locatedRanges` (the MaxMind DB when given, else the tor tables), so an
/// explanation names the location the map was built with.
public struct GeoModel: Sendable {
    public let database: MaxMindDB?
    public let tor: TorGeoIP?
    public let prior: RTTPrior
    public let catalog: RegionCatalog
    private let regionCountries: [String?]

    public init(database: MaxMindDB?, tor: TorGeoIP?, prior: RTTPrior, catalog: RegionCatalog) {
        self.database = database; self.tor = tor; self.prior = prior; self.catalog = catalog
        regionCountries = catalog.regions.map { prior.country(of: $0) }
    }

    /// The location of `address`, or nil when the source does not know it
    /// (or its record is malformed).
    public func locate(_ address: IPAddress) -> GeoLocation? {
        if let database { return (try? database.location(address)) ?? nil }
        return tor?.country(of: address).flatMap { GeoLocation(country: $0, point: nil) }
    }

    /// The source's ranges with their locations (empty when it has none).
    public func locatedRanges() -> LocatedRanges {
        if let database { return (try? database.locatedRanges()) ?? LocatedRanges() }
        return tor?.locatedRanges ?? LocatedRanges()
    }

    /// The prior RTT from `location` to `region`.
    func rttMs(from location: GeoLocation, to region: RegionID) -> Double? {
        prior.predict(from: location, to: catalog.regions[Int(region)], regionCountry: regionCountries[Int(region)])?.rttMs
    }

    /// A short text for a location: its coordinates when known, else its country.
    static func describe(_ location: GeoLocation) -> String {
        if let point = location.point {
            let text = "\((point.latitude * 100).rounded() / 100),\((point.longitude * 100).rounded() / 100)"
            return location.country.map { "\($0) \(text)" } ?? text
        }
        return location.country ?? "?"
    }
}
