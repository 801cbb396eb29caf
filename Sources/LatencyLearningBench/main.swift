// Measures LatencyLearning at scale (release mode):
//   swift run -c release LatencyLearningBench [buckets] [regions] [geo|random] [scattered|consecutive]
// (defaults: 1000000 20 geo scattered). `geo` RTTs grow with the distance
// between a network and each region (±10% noise); `random` RTTs make every
// bucket's ranking distinct. `scattered` buckets are random /24s, so the
// default order fills the gaps between them with extra CIDR blocks;
// `consecutive` ones are adjacent.
import Foundation
import GeoPrior
import LatencyLearning
import LatencyModel
import LatencyPrediction
import ProcessMemory
import SeededRandom

/// Foundation has a `Measurement` too.
typealias Measurement = LatencyLearning.Measurement

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func benchmark(buckets bucketCount: Int, regions regionCount: Int, geo: Bool, scattered: Bool) {
    var generator = SeededGenerator(state: 42)
    // Networks: distinct /24s, random or consecutive, each at a random place in the unit square; regions too.
    var networkSet = Set<UInt32>()
    while scattered && networkSet.count < bucketCount { networkSet.insert(UInt32.random(in: 0..<(1 << 24), using: &generator) << 8) }
    let networks = scattered ? Array(networkSet) : (0..<bucketCount).map { 0x1000_0000 + UInt32($0) << 8 }
    let places = (0..<bucketCount).map { _ in (Double.random(in: 0..<1, using: &generator), Double.random(in: 0..<1, using: &generator)) }
    let regionPlaces = (0..<regionCount).map { _ in (Double.random(in: 0..<1, using: &generator), Double.random(in: 0..<1, using: &generator)) }
    func rtt(_ network: Int, _ region: Int) -> Double {
        let noise = Double.random(in: 0.9...1.1, using: &generator)
        guard geo else { return Double.random(in: 5...300, using: &generator) }
        let (x, y) = places[network], (rx, ry) = regionPlaces[region]
        return (5 + 250 * ((x - rx) * (x - rx) + (y - ry) * (y - ry)).squareRoot()) * noise
    }
    print("\(bucketCount) \(scattered ? "scattered" : "consecutive") buckets × \(regionCount) regions, \(geo ? "geo" : "random") RTTs")

    var aggregates = Aggregates()
    let t0: Int64 = 1_700_000_000_000
    /// Adds `total` measurements made by `next` in batches of 10,000; returns measurements per second.
    func ingest(_ total: Int, _ next: (Int) -> Measurement) -> Double {
        var elapsed = 0.0, batch: [Measurement] = []
        batch.reserveCapacity(10_000)
        for n in 0..<total {
            batch.append(next(n))
            if batch.count == 10_000 || n == total - 1 {
                elapsed += seconds { aggregates.add(batch) }
                batch.removeAll(keepingCapacity: true)
            }
        }
        return Double(total) / elapsed
    }
    let residentBefore = ProcessMemory.residentBytes()
    // Every (network, region) pair once, networks in random order: creates all the states.
    let order = networks.indices.shuffled(using: &generator)
    let creating = ingest(bucketCount * regionCount) { n in
        let network = order[n % bucketCount], region = n / bucketCount
        return Measurement(timeMs: t0 + Int64(n / 1000), client: .v4(networks[network] | 77), region: RegionID(region),
                           rttMs: rtt(network, region), source: .probe)
    }
    print(String(format: "ingest, new states:      %.2f M measurements/s", creating / 1e6))
    let updating = ingest(5_000_000) { n in
        let network = Int.random(in: 0..<bucketCount, using: &generator), region = Int.random(in: 0..<regionCount, using: &generator)
        return Measurement(timeMs: t0 + 3_600_000 + Int64(n / 100), client: .v4(networks[network] | 99), region: RegionID(region),
                           rttMs: rtt(network, region), source: .rum)
    }
    print(String(format: "ingest, existing states: %.2f M measurements/s", updating / 1e6))
    print("aggregates: \(aggregates.bucketCount) buckets, \(aggregates.stateCount) states; resident growth per state: "
          + "\((ProcessMemory.residentBytes() - residentBefore) / aggregates.stateCount) bytes", terminator: "")
    let compacting = seconds { aggregates.compact(olderThan: t0) }
    print(String(format: ", %d after compact (%.2f s)", (ProcessMemory.residentBytes() - residentBefore) / aggregates.stateCount, compacting))

    var choices = RegionChoices()
    for rebuild in 1...2 {
        var ranked: [(prefix: IPPrefix, ranking: [RegionID])] = []
        var map = LatencyMap(rankedPrefixes: [], defaultRanking: [])
        var ranker = Ranker(previous: choices)
        let residentBeforeRebuild = ProcessMemory.residentBytes()
        let rankTime = seconds { ranked = aggregates.rankedPrefixes(with: &ranker) }
        let mapTime = seconds { map = LatencyMap(rankedPrefixes: ranked, defaultRanking: (0..<regionCount).map { RegionID($0) }) }
        choices = ranker.choices
        ranked = []
        ranker = Ranker()
        print(String(format: "rebuild %d: rank %.2f s + map %.2f s = %.2f s", rebuild, rankTime, mapTime, rankTime + mapTime))
        let residentWithMap = ProcessMemory.residentBytes()
        let ranges = map.rangeCount, rankings = map.rankings.count
        map = LatencyMap(rankedPrefixes: [], defaultRanking: [])
        let freed = residentWithMap - ProcessMemory.residentBytes()
        // A range: start and ranking index; a ranking: its regions and one offset (RankingTable).
        let computed = ranges * 8 + (rankings - 1) * (2 * regionCount + 4)
        print("  map: \(ranges) ranges, \(rankings) rankings; bytes per bucket: from its structures \(computed / bucketCount), "
              + "resident growth over the rebuild \((residentWithMap - residentBeforeRebuild) / bucketCount), freed with the map \(freed / bucketCount)")
    }

    // What the node runs: LatencyMapBuilder (roll-ups, the tor-geoip prior as underlay, hysteresis).
    let catalog = try! RegionCatalog()
    let geoModel = GeoModel(database: nil, tor: try? TorGeoIP(), prior: try! RTTPrior(countryTable: .ripeAtlas2025), catalog: catalog)
    var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [0], geo: geoModel.tor == nil ? nil : geoModel)
    for rebuild in 1...3 {
        if rebuild == 3 {
            // An event: region 0 2.5 times slower for three buckets in five, reported twice an hour later; every
            // country's median moves, and the other buckets, silent since, are ranked shifted (CountryShift).
            for timeMs in [t0 + 10_800_000, t0 + 10_860_000] {
                _ = ingest(bucketCount / 5 * 3) { n in
                    let network = n / 3 * 5 + n % 3
                    return Measurement(timeMs: timeMs, client: .v4(networks[network] | 99), region: 0, rttMs: 2.5 * rtt(network, 0), source: .rum)
                }
            }
        }
        let residentBeforeBuild = ProcessMemory.residentBytes()
        var result: LatencyMapBuilder.Result? = nil
        let time = seconds {
            result = builder.build(aggregates: aggregates, configured: [], regionsInUse: Set((0..<regionCount).map { RegionID($0) }),
                                   now: rebuild == 3 ? t0 + 10_920_000 : t0 + 7_200_000)
        }
        let map = result!.map, shifted = result!.knowledge.shiftedBuckets
        let residentWithMap = ProcessMemory.residentBytes()
        let computed = map.rangeCount * 8 + (map.rankings.count - 1) * (2 * regionCount + 4)
        result = nil
        print(String(format: "node build %d (LatencyMapBuilder, %@): %.2f s; ", rebuild, geoModel.tor == nil ? "no prior" : "tor-geoip prior", time)
              + "\(map.rangeCount) ranges, \(map.rankings.count) rankings; bytes per bucket: map structures \(computed / bucketCount), "
              + "freed with map and knowledge \((residentWithMap - ProcessMemory.residentBytes()) / bucketCount), "
              + "resident growth over the build \((residentWithMap - residentBeforeBuild) / bucketCount)"
              + (rebuild == 3 ? "; after an event in region 0, \(shifted) silent buckets shifted by their country" : ""))
    }
}

let arguments = CommandLine.arguments
benchmark(buckets: arguments.count > 1 ? Int(arguments[1])! : 1_000_000,
          regions: arguments.count > 2 ? Int(arguments[2])! : 20,
          geo: arguments.count > 3 ? arguments[3] == "geo" : true,
          scattered: arguments.count > 4 ? arguments[4] == "scattered" : true)
