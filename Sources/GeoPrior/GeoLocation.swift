#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point on the Earth in degrees (WGS 84 latitude/longitude).
public struct GeoPoint: Hashable, Sendable {
    public var latitude: Double
    public var longitude: Double
    public init(latitude: Double, longitude: Double) { self.latitude = latitude; self.longitude = longitude }

    /// Great-circle (haversine) distance on a sphere of mean Earth radius.
    public func distanceKm(to other: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.latitude - latitude) * radians, dLon = (other.longitude - longitude) * radians
        let h = sin(dLat / 2) * sin(dLat / 2)
            + cos(latitude * radians) * cos(other.latitude * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * 6371.0088 * asin(min(1, h.squareRoot()))
    }
}

/// Where a client is, as far as a geolocation database says: an ISO 3166-1
/// alpha-2 country code and, from a City database, coordinates. At least
/// one of the two is present.
public struct GeoLocation: Hashable, Sendable {
    public var country: String?
    public var point: GeoPoint?

    public init?(country: String?, point: GeoPoint?) {
        guard country != nil || point != nil else { return nil }
        self.country = country; self.point = point
    }
}
