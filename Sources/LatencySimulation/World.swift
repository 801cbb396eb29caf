import GeoPrior
import LatencyModel
import SeededRandom
#if canImport(Glibc)
import Glibc
#endif

/// The simulated internet: client networks placed in real IP ranges of
/// real countries, regions at Route 53's locations, and true RTTs built from
/// the RIPE Atlas country table plus what no geographic model can know
/// (where in its country a network is, its access delay, per-path routing
/// detours), with events that slow a region for part of the world.
struct World {
    struct Network {
        var prefix: IPPrefix
        var country: String
        /// Where the network really is (its country's point, moved up to a few hundred km).
        var point: GeoPoint
        var accessMs: Double
        /// Per region: the path's detour factor (lognormal).
        var pathFactor: [Double]
        var measured: Bool
    }

    /// A region slower by `extraMs` for networks in a longitude band, between two times.
    struct Event: CustomStringConvertible {
        var region: RegionID
        var regionName: String
        var extraMs: Double
        var longitudes: ClosedRange<Double>
        var fromHour: Int
        var toHour: Int
        var description: String {
            "\(regionName) +\(Int(extraMs)) ms for networks between longitudes \(Int(longitudes.lowerBound))° and "
                + "\(Int(longitudes.upperBound))° from hour \(fromHour) (day \(fromHour / 24 + 1), \(fromHour % 24):00) to hour \(toHour)"
        }
    }

    let catalog: RegionCatalog
    let regions: [RegionID]
    let networks: [Network]
    let table: CountryRTTTable
    let prior: RTTPrior
    let events: [Event]
    let maxProviderNetworks: Int

    static let regionNames = ["us-east-1", "us-west-2", "sa-east-1", "eu-west-1", "eu-central-1", "af-south-1",
                              "ap-south-1", "ap-southeast-1", "ap-northeast-1", "ap-southeast-2"]

    init(networks count: Int, measuredShare: Double, days: Int, maxProviderNetworks: Int, tor: TorGeoIP,
         generator: inout SeededGenerator) throws {
        self.maxProviderNetworks = maxProviderNetworks
        let catalog = try RegionCatalog()
        let regions = Self.regionNames.map { catalog.id(of: $0)! }
        self.catalog = catalog
        self.regions = regions
        let table = CountryRTTTable.ripeAtlas2025
        self.table = table
        prior = try RTTPrior(countryTable: table)
        let locations = CountryLocations.all
        // Ranges of countries the table knows, picked in proportion to the square root of their size
        // (big allocations hold more networks, but not a thousand times more users).
        let usable = tor.locatedRanges.v4.filter { range in
            guard let country = range.location.country, locations[country] != nil else { return false }
            return range.last - range.first >= 255 && table.rttMs(country, "US") != nil
        }
        let weights = usable.map { Double($0.last - $0.first + 1).squareRoot() }
        let total = weights.reduce(0, +)
        var cumulative: [Double] = []
        var sum = 0.0
        for weight in weights { sum += weight / total; cumulative.append(sum) }
        // Networks come in providers: a provider is one range (one allocation), holding 1 to `maxProviderNetworks` of its /24s.
        // Routing detours and access technology are mostly the provider's, a little the network's own.
        var seen = Set<UInt32>()
        var networks: [Network] = []
        while networks.count < count {
            let u = Double.random(in: 0..<1, using: &generator)
            var low = 0, high = cumulative.count - 1
            while low < high { let mid = (low + high) / 2; if cumulative[mid] < u { low = mid + 1 } else { high = mid } }
            let range = usable[low]
            let start = (range.first &+ 255) & ~0xFF
            guard start <= range.last, range.last - start >= 255 else { continue }
            let blocks = (range.last - start + 1) / 256
            let country = range.location.country!
            let home = locations[country]!
            // Big countries spread their providers wider.
            let spreads: [String: Double] = ["US": 1200, "RU": 1500, "CA": 1000, "BR": 900, "AU": 900, "CN": 900, "IN": 700]
            let providerPoint = Self.moved(home, km: abs(Self.normal(&generator)) * (spreads[country] ?? 250),
                                           bearing: Double.random(in: 0..<360, using: &generator))
            let providerAccess = exp(Self.normal(&generator) * 0.6 + log(6))
            let providerPaths = regions.map { _ in exp(Self.normal(&generator) * 0.15) }
            let size = min(Int(blocks), Int.random(in: 1...max(1, maxProviderNetworks), using: &generator), count - networks.count)
            for _ in 0..<size {
                let network = start + 256 * UInt32.random(in: 0..<blocks, using: &generator)
                guard seen.insert(network).inserted else { continue }
                networks.append(Network(
                    prefix: IPPrefix(.v4(network), length: 24), country: country,
                    point: Self.moved(providerPoint, km: abs(Self.normal(&generator)) * 50, bearing: Double.random(in: 0..<360, using: &generator)),
                    accessMs: providerAccess * exp(Self.normal(&generator) * 0.2),
                    pathFactor: providerPaths.map { $0 * exp(Self.normal(&generator) * 0.05) },
                    measured: Double.random(in: 0..<1, using: &generator) < measuredShare))
            }
        }
        self.networks = networks
        let euc1 = catalog.id(of: "eu-central-1")!
        events = [Event(region: euc1, regionName: "eu-central-1", extraMs: 60, longitudes: -15...45,
                        fromHour: min(days * 24 - 12, 2 * 24 + 12), toHour: min(days * 24, 4 * 24))]
    }

    /// The RTT from network `n` to region index `r` at `hour`, without measurement noise.
    func trueRTT(_ n: Int, _ r: Int, hour: Int) -> Double {
        let network = networks[n]
        let region = catalog.regions[Int(regions[r])]
        let regionCountry = prior.country(of: region) ?? "US"
        let actualKm = network.point.distanceKm(to: region.point)
        var base: Double
        if let pair = table.rttMs(network.country, regionCountry), let home = CountryLocations.all[network.country],
           network.country != regionCountry {
            // The table's RTT stands for the distance between the country points; light in fibre pays for the rest.
            base = pair + (actualKm - home.distanceKm(to: region.point)) / 100
        } else {
            base = prior.distanceModel.rttMs(km: actualKm)
        }
        base = max(base, actualKm / 100 + 1)
        var rtt = base * network.pathFactor[r] + network.accessMs
        for event in events where event.region == regions[r] && (event.fromHour..<event.toHour).contains(hour)
            && event.longitudes.contains(network.point.longitude) {
            rtt += event.extraMs
        }
        return rtt
    }

    /// One measured sample: the true RTT with lognormal jitter and, rarely, a 5–10× outlier.
    func sample(_ n: Int, _ r: Int, hour: Int, generator: inout SeededGenerator) -> Double {
        var rtt = trueRTT(n, r, hour: hour) * exp(Self.normal(&generator) * 0.08)
        if Double.random(in: 0..<1, using: &generator) < 0.02 { rtt *= Double.random(in: 5...10, using: &generator) }
        return rtt
    }

    static func normal(_ generator: inout SeededGenerator) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &generator), v = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// The point `km` away from `point` along `bearing` (degrees).
    static func moved(_ point: GeoPoint, km: Double, bearing: Double) -> GeoPoint {
        let radians = Double.pi / 180, distance = km / 6371.0088, theta = bearing * radians
        let lat1 = point.latitude * radians, lon1 = point.longitude * radians
        let lat2 = asin(sin(lat1) * cos(distance) + cos(lat1) * sin(distance) * cos(theta))
        let lon2 = lon1 + atan2(sin(theta) * sin(distance) * cos(lat1), cos(distance) - sin(lat1) * sin(lat2))
        var longitude = lon2 / radians
        if longitude > 180 { longitude -= 360 } else if longitude < -180 { longitude += 360 }
        return GeoPoint(latitude: lat2 / radians, longitude: longitude)
    }
}
