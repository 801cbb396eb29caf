import GeoPrior
import LatencyModel
#if canImport(Glibc)
import Glibc
#endif

/// Prior RTTs per location for the regions in use, computed once per
/// distinct location (coordinates rounded to half a degree, about 50 km)
/// and corrected by what was measured from the location's country.
struct PriorCache {
    let geo: GeoModel
    let regions: [RegionID]
    /// Per country and region in use: the mean of ln(measured / prior) over
    /// that country's measured networks, and their number.
    private(set) var corrections: [String: [(sum: Double, count: Int)]] = [:]
    /// Per country and region in use: every ln(measured / prior) that went
    /// into `corrections`, and, once asked for, their medians (`medianRatios`).
    private var ratios: [String: [[Float32]]] = [:]
    private var cachedMedians: [String: [Float32]] = [:]
    private var cache: [LocationKey: [Float32]] = [:]
    private var uncorrectedCache: [LocationKey: [Float32]] = [:]
    let minimumNetworks: Int

    struct LocationKey: Hashable {
        var country: String?
        var latitude: Int16, longitude: Int16
    }

    init(geo: GeoModel, regions: [RegionID], minimumNetworks: Int) {
        self.geo = geo; self.regions = regions; self.minimumNetworks = minimumNetworks
    }

    /// Learns from one measured network at `location` (RTTs aligned with
    /// `regions`, NaN where not measured). Call before the first `rtts`
    /// (whose results are cached without it).
    mutating func calibrate(at location: GeoLocation, measured: [Float32]) {
        guard let country = location.country else { return }
        let raw = cachedUncorrected(location)
        cachedMedians[country] = nil
        func add(to sums: inout [(sum: Double, count: Int)], _ values: inout [[Float32]]) {
            for i in regions.indices where !measured[i].isNaN && !raw[i].isNaN && measured[i] > 0 {
                let ratio = log(measured[i] / raw[i])
                sums[i].sum += Double(ratio)
                sums[i].count += 1
                values[i].append(ratio)
            }
        }
        add(to: &corrections[country, default: Array(repeating: (0, 0), count: regions.count)],
            &ratios[country, default: Array(repeating: [], count: regions.count)])
    }

    /// Whether region `region` (an index into `regions`) is corrected by
    /// measurements from `country` (at least `minimumNetworks` networks).
    func isCalibrated(_ country: String, _ region: Int) -> Bool {
        (corrections[country]?[region].count ?? 0) >= minimumNetworks
    }

    /// The corrected prior from `location`, aligned with `regions` (NaN where
    /// the prior knows nothing). A (country, region) pair measured from at
    /// least `minimumNetworks` networks is corrected by its own mean ratio;
    /// other regions by the country's mean ratio over all its pairs.
    mutating func cachedRTTs(from location: GeoLocation) -> [Float32] {
        let key = Self.key(location)
        if let known = cache[key] { return known }
        let values = rtts(from: location)
        cache[key] = values
        return values
    }

    /// As `cachedRTTs`, without remembering the result.
    func rtts(from location: GeoLocation) -> [Float32] {
        let key = Self.key(location)
        if let known = cache[key] { return known }
        var values = uncorrectedCache[key] ?? uncorrected(location)
        if let country = location.country, let sums = corrections[country] {
            let total = sums.reduce((sum: 0.0, count: 0)) { ($0.sum + $1.sum, $0.count + $1.count) }
            for i in values.indices where !values[i].isNaN {
                let ratio = sums[i].count >= minimumNetworks ? sums[i].sum / Double(sums[i].count)
                    : total.count >= minimumNetworks ? total.sum / Double(total.count) : 0
                values[i] *= Float32(exp(ratio))
            }
        }
        return values
    }

    /// What the location's country's measured networks say of each region
    /// from `location`, aligned with `regions`: the uncorrected prior times
    /// the median of their ratios measured / prior; NaN for the regions not
    /// `isCalibrated`. Evidence for confirming a network's change
    /// (`CandidateConfirmation`): when a change of routes reaches the
    /// country's networks one by one, the median moves to the new level once
    /// more than half of them have, while the mean the prior uses moves by
    /// the share that has. (The prior keeps the mean: in the simulation the
    /// median predicted unmeasured networks no better.)
    mutating func countryRTTs(from location: GeoLocation) -> [Float32] {
        let raw = cachedUncorrected(location)
        guard let country = location.country else { return raw.map { _ in .nan } }
        return zip(raw, medianRatios(of: country)).map { $0 * exp($1) }
    }

    /// Per region in use, the median ln(measured / prior) of `country`'s
    /// measured networks; NaN for the regions not `isCalibrated` (all, for
    /// a country never calibrated or in the knowledge's copy).
    mutating func medianRatios(of country: String) -> [Float32] {
        if let known = cachedMedians[country] { return known }
        guard let values = ratios[country] else { return regions.map { _ in .nan } }
        let medians = regions.indices.map { i -> Float32 in
            guard isCalibrated(country, i), !values[i].isEmpty else { return .nan }
            return Self.median(values[i])
        }
        cachedMedians[country] = medians
        return medians
    }

    /// `medianRatios` of every country measured networks calibrated, indexed
    /// by catalog region (`catalogSize` of them; NaN for regions not in use).
    mutating func catalogMedianRatios(catalogSize: Int) -> [String: [Float32]] {
        var all: [String: [Float32]] = [:]
        for country in ratios.keys {
            var medians = [Float32](repeating: .nan, count: catalogSize)
            for (i, median) in medianRatios(of: country).enumerated() { medians[Int(regions[i])] = median }
            all[country] = medians
        }
        return all
    }

    /// The median of non-empty `values` (the mean of the middle two for an
    /// even count), by selection rather than a full sort: a build takes the
    /// median of every (country, region)'s ratios.
    static func median(_ values: [Float32]) -> Float32 {
        var values = values
        let middle = values.count / 2
        return values.withUnsafeMutableBufferPointer { values in
            select(middle, in: values)
            // After selecting, everything below `middle` is at most values[middle]: the lower middle is their largest.
            return values.count % 2 == 1 ? values[middle] : (values[..<middle].max()! + values[middle]) / 2
        }
    }

    /// Puts the element of rank `k` at index `k`, smaller or equal ones
    /// before it and larger or equal ones after (Hoare's quickselect).
    private static func select(_ k: Int, in values: UnsafeMutableBufferPointer<Float32>) {
        var low = 0, high = values.count - 1
        while low < high {
            let pivot = values[low + (high - low) / 2]
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { high = j } else if k >= i { low = i } else { return }
        }
    }

    /// This cache without the ratios behind `countryRTTs`, which only the
    /// build's confirmations use: what a built map's knowledge keeps (10
    /// bytes per bucket at a million buckets).
    var forPrediction: PriorCache {
        var copy = self
        copy.ratios = [:]
        copy.cachedMedians = [:]
        return copy
    }

    /// `uncorrected(location)`, remembered.
    private mutating func cachedUncorrected(_ location: GeoLocation) -> [Float32] {
        let key = Self.key(location)
        if let known = uncorrectedCache[key] { return known }
        let values = uncorrected(location)
        uncorrectedCache[key] = values
        return values
    }

    /// The prior before corrections (the model's own prediction).
    private func uncorrected(_ location: GeoLocation) -> [Float32] {
        let rounded = Self.rounded(location)
        return regions.map { geo.rttMs(from: rounded, to: $0).map(Float32.init) ?? .nan }
    }

    private static func key(_ location: GeoLocation) -> LocationKey {
        LocationKey(country: location.country,
                    latitude: Int16(((location.point?.latitude ?? 999) * 2).rounded()),
                    longitude: Int16(((location.point?.longitude ?? 999) * 2).rounded()))
    }

    private static func rounded(_ location: GeoLocation) -> GeoLocation {
        guard let point = location.point else { return location }
        return GeoLocation(country: location.country, point: GeoPoint(latitude: (point.latitude * 2).rounded() / 2,
                                                                      longitude: (point.longitude * 2).rounded() / 2))!
    }
}

