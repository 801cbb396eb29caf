/// A place that serves answers: a cloud region or a data centre.
public struct Region: Hashable, Sendable {
    public var name: String
    public var latitude: Double
    public var longitude: Double
    public init(name: String, latitude: Double, longitude: Double) {
        self.name = name; self.latitude = latitude; self.longitude = longitude
    }
}

/// Index of a region in a `RegionCatalog`.
public typealias RegionID = UInt16

/// The regions known to a snapshot, in a stable order; IDs are indexes.
///
/// Invariant: names are unique.
public struct RegionCatalog: Sendable {
    public private(set) var regions: [Region]
    private var ids: [String: RegionID]

    /// Route 53's latency regions (the `ResourceRecordSetRegion` enum of
    /// the 2013-04-01 API) with the approximate location of each.
    public static let route53: [Region] = [
        ("us-east-1", 38.9, -77.4), ("us-east-2", 40.0, -83.0), ("us-west-1", 37.4, -121.9),
        ("us-west-2", 45.8, -119.7), ("ca-central-1", 45.5, -73.6), ("eu-west-1", 53.3, -6.3),
        ("eu-west-2", 51.5, -0.1), ("eu-west-3", 48.9, 2.4), ("eu-central-1", 50.1, 8.7),
        ("eu-central-2", 47.4, 8.5), ("ap-southeast-1", 1.3, 103.8), ("ap-southeast-2", -33.9, 151.2),
        ("ap-southeast-3", -6.2, 106.8), ("ap-northeast-1", 35.7, 139.7), ("ap-northeast-2", 37.6, 127.0),
        ("ap-northeast-3", 34.7, 135.5), ("eu-north-1", 59.3, 18.1), ("sa-east-1", -23.5, -46.6),
        ("cn-north-1", 39.9, 116.4), ("cn-northwest-1", 37.5, 105.2), ("ap-east-1", 22.3, 114.2),
        ("me-south-1", 26.1, 50.6), ("me-central-1", 25.2, 55.3), ("ap-south-1", 19.1, 72.9),
        ("ap-south-2", 17.4, 78.5), ("af-south-1", -33.9, 18.4), ("eu-south-1", 45.5, 9.2),
        ("eu-south-2", 41.6, -0.9), ("ap-southeast-4", -37.8, 145.0), ("il-central-1", 32.1, 34.8),
        ("ca-west-1", 51.0, -114.1), ("ap-southeast-5", 3.1, 101.7), ("mx-central-1", 20.6, -100.4),
        ("ap-southeast-7", 13.8, 100.5), ("us-gov-east-1", 40.0, -83.0), ("us-gov-west-1", 45.8, -119.7),
        ("ap-east-2", 25.0, 121.5), ("ap-southeast-6", -36.8, 174.8), ("eusc-de-east-1", 52.4, 13.1),
    ].map { Region(name: $0.0, latitude: $0.1, longitude: $0.2) }

    /// Route 53's regions followed by `extra`; throws on a repeated name.
    public init(extra: [Region] = []) throws(CatalogError) {
        regions = []
        ids = [:]
        for region in Self.route53 + extra {
            guard ids[region.name] == nil else { throw CatalogError.duplicate(region.name) }
            ids[region.name] = RegionID(regions.count)
            regions.append(region)
        }
    }

    public func id(of name: String) -> RegionID? { ids[name] }
    public func name(of id: RegionID) -> String { regions[Int(id)].name }
    public var allIDs: [RegionID] { (0..<regions.count).map { RegionID($0) } }

    public enum CatalogError: Error, Equatable, CustomStringConvertible {
        case duplicate(String)
        public var description: String {
            switch self { case .duplicate(let name): "region '\(name)' is declared twice" }
        }
    }
}
