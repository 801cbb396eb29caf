import GeoPrior
import LatencyLearning
import LatencyModel
import Testing
@testable import LatencyPrediction

/// Builds maps from aggregates the way the node does and checks where each
/// network's ranking comes from.
@Suite struct LatencyMapBuilderTests {
    let catalog = try! RegionCatalog()
    var use1: RegionID { catalog.id(of: "us-east-1")! }
    var euc1: RegionID { catalog.id(of: "eu-central-1")! }
    var apse1: RegionID { catalog.id(of: "ap-southeast-1")! }
    var inUse: Set<RegionID> { [use1, euc1, apse1] }
    let now: Int64 = 1_764_000_000_000

    func measurement(_ client: String, _ region: RegionID, _ rtt: Double, minutesAgo: Int64 = 1) -> LatencyLearning.Measurement {
        .init(timeMs: now - minutesAgo * 60_000, client: IPAddress(client)!, region: region, rttMs: rtt, source: .rum)
    }

    func ranking(_ map: LatencyMap, _ address: String) -> [RegionID] { Array(map.rankings[map.lookup(IPAddress(address)!).ranking]) }

    static let tor = try! TorGeoIP()
    /// The first address of a range the tor tables place in `country`.
    static func address(in country: String) -> IPAddress {
        .v4(tor.locatedRanges.v4.first { $0.location.country == country && $0.last - $0.first > 4096 }!.first)
    }
    func geo() throws -> GeoModel {
        GeoModel(database: nil, tor: Self.tor, prior: try RTTPrior(countryTable: .ripeAtlas2025), catalog: catalog)
    }

    @Test func aMeasuredNetworkRanksByItsOwnEstimates() {
        var aggregates = Aggregates()
        aggregates.add([measurement("198.51.100.7", apse1, 20), measurement("198.51.100.9", euc1, 90), measurement("198.51.100.9", use1, 200)])
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil)
        let result = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        #expect(ranking(result.map, "198.51.100.200") == [apse1, euc1, use1])
        // Its /16 borrows the same ranking, so the whole /16 is one block (the ECS scope).
        #expect(result.map.lookup(IPAddress("198.51.100.1")!).block == IPPrefix("198.51.0.0/16")!)
        let prediction = result.knowledge.predict(IPAddress("198.51.100.1")!, aggregates: aggregates, now: now)
        #expect(prediction.bucket == IPPrefix("198.51.100.0/24")!)
        #expect(prediction.regions.map(\.region) == [apse1, euc1, use1])
        #expect(prediction.regions.allSatisfy { $0.source == .measured && $0.samples != nil && $0.lastSampleMs != nil })
    }

    @Test func neighboursBorrowFromTheirRollUpAndTheRestIsDefault() {
        var aggregates = Aggregates()
        aggregates.add([measurement("10.20.1.1", euc1, 15), measurement("10.20.1.1", use1, 95),
                        measurement("10.20.2.1", euc1, 25), measurement("10.20.2.1", use1, 85)])
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil)
        let result = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        // 10.20.77.0/24 has nothing of its own: the /16's geometric means (euc1 ≈ 19, use1 ≈ 89), then the default.
        #expect(ranking(result.map, "10.20.77.1") == [euc1, use1, apse1])
        let prediction = result.knowledge.predict(IPAddress("10.20.77.1")!, aggregates: aggregates, now: now)
        #expect(prediction.regions[0].source == .borrowed && prediction.regions[0].from == "10.20.0.0/16")
        #expect(abs(prediction.regions[0].rttMs! - (15 * 25).squareRoot()) < 0.5)
        #expect(prediction.regions[2] == RegionPrediction(region: apse1, rttMs: nil, source: .default))
        // Outside the /16: the default order.
        #expect(ranking(result.map, "10.21.0.1") == [use1])
    }

    @Test func unmeasuredNetworksGetTheGeographicPrior() throws {
        let germany = Self.address(in: "DE"), singapore = Self.address(in: "SG")
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: try geo())
        let result = builder.build(aggregates: Aggregates(), configured: [], regionsInUse: inUse, now: now)
        #expect(result.underlayRanges > 1000)
        #expect(Array(result.map.rankings[result.map.lookup(germany).ranking]).first == euc1)
        #expect(Array(result.map.rankings[result.map.lookup(singapore).ranking]).first == apse1)
        let prediction = result.knowledge.predict(germany, aggregates: Aggregates(), now: now)
        #expect(prediction.location?.country == "DE")
        #expect(prediction.regions.allSatisfy { $0.source == .prior && $0.from == "DE" && $0.rttMs != nil })
        #expect(prediction.regions.map(\.region) == Array(result.map.rankings[result.map.lookup(germany).ranking]))
    }

    @Test func aCountrysMeasurementsCorrectItsPrior() throws {
        // Every measured German network finds us-east-1 faster than eu-central-1: the prior for other German networks follows.
        let ranges = Self.tor.locatedRanges.v4.filter { $0.location.country == "DE" && $0.last - $0.first > 1 << 16 }
        var aggregates = Aggregates()
        for range in ranges.prefix(6) {
            let client = IPAddress.v4(range.first + 5).description
            aggregates.add([measurement(client, use1, 10), measurement(client, euc1, 150)])
        }
        let unmeasured = IPAddress.v4(ranges[8].first + 300)
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: try geo())
        let result = builder.build(aggregates: aggregates, configured: [], regionsInUse: [use1, euc1], now: now)
        #expect(Array(result.map.rankings[result.map.lookup(unmeasured).ranking]) == [use1, euc1])
        let prediction = result.knowledge.predict(unmeasured, aggregates: aggregates, now: now)
        #expect(prediction.regions.map(\.source) == [.prior, .prior])
        #expect(abs(prediction.regions[0].rttMs! - 10) < 1 && abs(prediction.regions[1].rttMs! - 150) < 10)
    }

    @Test func aPartlyMeasuredNetworkFillsTheRestFromThePriorAtItsOwnScale() throws {
        let germany = Self.address(in: "DE")
        var aggregates = Aggregates()
        aggregates.add(measurement(germany.description, euc1, 300))  // a slow network: ~10× the prior
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: try geo())
        let result = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        let prediction = result.knowledge.predict(germany, aggregates: aggregates, now: now)
        let byRegion = Dictionary(uniqueKeysWithValues: prediction.regions.map { ($0.region, $0) })
        #expect(byRegion[euc1]?.source == .measured)
        #expect(byRegion[use1]?.source == .prior && byRegion[apse1]?.source == .prior)
        // The scale is capped at 4×, so eu-central-1 stays first, as measured.
        #expect(prediction.regions[0].region == euc1)
        #expect(Array(result.map.rankings[result.map.lookup(germany).ranking]) == prediction.regions.map(\.region))
    }

    @Test func configuredPrefixesAreMeasuredForThemselvesAndLendToOthers() {
        let configured = [LatencyEntry(prefix: IPPrefix("172.16.0.0/12")!, region: apse1, rttMs: 5),
                          LatencyEntry(prefix: IPPrefix("172.16.9.0/24")!, region: use1, rttMs: 1)]
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [euc1], geo: nil)
        let result = builder.build(aggregates: Aggregates(), configured: configured, regionsInUse: inUse, now: now)
        #expect(ranking(result.map, "172.20.0.1") == [apse1, euc1, use1])
        #expect(ranking(result.map, "172.16.9.1") == [use1, apse1, euc1])  // own use1, borrowed apse1, then the default
        let prediction = result.knowledge.predict(IPAddress("172.16.9.1")!, aggregates: Aggregates(), now: now)
        #expect(prediction.regions.map(\.source) == [.measured, .borrowed, .default])
        #expect(prediction.regions[1].from == "172.16.0.0/12")
    }

    @Test func rankingsKeepTheirFirstRegionUnderHysteresis() {
        var aggregates = Aggregates()
        aggregates.add([measurement("192.0.2.1", euc1, 50), measurement("192.0.2.1", use1, 60)])
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil)
        #expect(ranking(builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now).map, "192.0.2.1").first == euc1)
        // use1 becomes a little faster (48 vs 50: within 10%): euc1 stays first; much faster: it takes over.
        var slightly = Aggregates()
        slightly.add([measurement("192.0.2.1", euc1, 50), measurement("192.0.2.1", use1, 48)])
        #expect(ranking(builder.build(aggregates: slightly, configured: [], regionsInUse: inUse, now: now).map, "192.0.2.1").first == euc1)
        var clearly = Aggregates()
        clearly.add([measurement("192.0.2.1", euc1, 50), measurement("192.0.2.1", use1, 30)])
        #expect(ranking(builder.build(aggregates: clearly, configured: [], regionsInUse: inUse, now: now).map, "192.0.2.1").first == use1)
    }

    /// A network whose us-east-1 becomes 6% faster than its eu-central-1
    /// keeps eu-central-1 first, and the hold says why: the 10% margin
    /// (5 ms of 50), not released; once us-east-1's estimate restarts at
    /// 30 ms (after the build), it says us-east-1 takes over at the next
    /// build, which it does.
    @Test func aHoldExplainsWhyTheFirstRegionIsNotTheFastest() throws {
        var aggregates = Aggregates()
        func report(use1 rtt: Double, minutesAgo: Int64) {
            aggregates.add([measurement("192.0.2.1", euc1, 50, minutesAgo: minutesAgo), measurement("192.0.2.1", use1, rtt, minutesAgo: minutesAgo)])
        }
        for minutesAgo: Int64 in [420, 360, 300, 240] { report(use1: 60, minutesAgo: minutesAgo) }
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil)
        _ = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now - 200 * 60_000)
        for minutesAgo: Int64 in [120, 60] { report(use1: 47, minutesAgo: minutesAgo) }
        let built = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        let client = IPAddress("192.0.2.1")!
        #expect(ranking(built.map, "192.0.2.1").first == euc1)
        let prediction = built.knowledge.predict(client, aggregates: aggregates, now: now)
        try #require(prediction.regions.first?.region == use1, "us-east-1 is the fastest estimate")
        let hold = try #require(builder.hold(prediction, servedFirst: euc1))
        #expect(hold.kept == euc1 && hold.faster == use1 && !hold.takesOver && !hold.requirement.released)
        #expect(abs(hold.keptMs - 50) < 0.5 && abs(hold.rankedAtMs - 50) < 0.5 && abs(hold.fasterMs - 47) < 0.5)
        // Two standard errors of us-east-1's own estimate (the default k).
        #expect(abs(hold.requirement.marginMs - 5) < 0.05 && prediction.regions[0].standardError > 0
                && abs(hold.requirement.logRatio - 2 * prediction.regions[0].standardError) < 1e-9)
        #expect(builder.hold(prediction, servedFirst: use1) == nil, "us-east-1 was not ranked first")

        for minutes: Int64 in [10, 20] { aggregates.add([measurement("192.0.2.1", use1, 30, minutesAgo: -minutes)]) }
        let later = now + 30 * 60_000
        let moved = try #require(builder.hold(built.knowledge.predict(client, aggregates: aggregates, now: later), servedFirst: euc1))
        #expect(moved.takesOver && abs(moved.fasterMs - 30) < 0.5)
        #expect(ranking(builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: later).map, "192.0.2.1").first == use1)
    }

    /// A configured /32 is ranked, and held, as itself: its us-east-1 set
    /// from 60 to 47 ms against eu-central-1's 50 stays second, and the hold
    /// is the /32's (the margin alone: configured RTTs carry no standard error).
    @Test func aConfiguredPrefixIsHeldAsItself() throws {
        let host = IPPrefix("192.0.2.1/32")!
        func entries(use1 rtt: Double) -> [LatencyEntry] {
            [LatencyEntry(prefix: host, region: euc1, rttMs: 50), LatencyEntry(prefix: host, region: use1, rttMs: rtt)]
        }
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil)
        _ = builder.build(aggregates: Aggregates(), configured: entries(use1: 60), regionsInUse: inUse, now: now)
        let built = builder.build(aggregates: Aggregates(), configured: entries(use1: 47), regionsInUse: inUse, now: now)
        #expect(ranking(built.map, "192.0.2.1").first == euc1)
        let prediction = built.knowledge.predict(IPAddress("192.0.2.1")!, aggregates: Aggregates(), now: now)
        #expect(prediction.network == host)
        let hold = try #require(builder.hold(prediction, servedFirst: euc1))
        #expect(hold.faster == use1 && abs(hold.requirement.marginMs - 5) < 0.05 && hold.requirement.logRatio == 0 && !hold.takesOver)
    }

    /// A region measured on two samples must win by its standard errors as
    /// well as the 10% margin; a borrowed estimate has no sample support of
    /// its own and needs only the margin.
    @Test func onlyMeasuredEstimatesNeedEvidenceToTakeOver() {
        func build(_ builder: inout LatencyMapBuilder, use1Client: String, use1: Double) -> RegionID? {
            var aggregates = Aggregates()
            for minutesAgo: Int64 in [1, 2] {
                aggregates.add([measurement("192.0.2.1", euc1, 100, minutesAgo: minutesAgo),
                                measurement(use1Client, self.use1, use1, minutesAgo: minutesAgo)])
            }
            return ranking(builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now).map, "192.0.2.1").first
        }
        // use1 from a neighbour in 192.0.0.0/16 (borrowed through the roll-up), then 15% faster: it takes over.
        var borrowing = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil)
        #expect(build(&borrowing, use1Client: "192.0.3.1", use1: 120) == euc1)
        #expect(build(&borrowing, use1Client: "192.0.3.1", use1: 85) == use1)
        // The network's own two samples of use1, 15% faster: not enough evidence yet.
        var measuring = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil)
        #expect(build(&measuring, use1Client: "192.0.2.1", use1: 120) == euc1)
        #expect(build(&measuring, use1Client: "192.0.2.1", use1: 85) == euc1)
    }

    @Test func onlyRegionsInUseAreRanked() {
        var aggregates = Aggregates()
        aggregates.add([measurement("192.0.2.1", euc1, 50), measurement("192.0.2.1", catalog.id(of: "eu-west-1")!, 5)])
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil)
        let result = builder.build(aggregates: aggregates, configured: [], regionsInUse: [euc1, use1], now: now)
        #expect(ranking(result.map, "192.0.2.1") == [euc1, use1])
        #expect(result.knowledge.regions == [use1, euc1])
    }

    /// One report from `network` (its first three octets and a dot): eu-central-1 at `rtt`, us-east-1 at 60, ap-southeast-1 at 150.
    func report(_ network: String, euc1 rtt: Double, minutesAgo: Int64) -> [LatencyLearning.Measurement] {
        [measurement(network + "9", euc1, rtt, minutesAgo: minutesAgo), measurement(network + "9", use1, 60, minutesAgo: minutesAgo),
         measurement(network + "9", apse1, 150, minutesAgo: minutesAgo)]
    }

    /// Three networks of 10.30.0.0/16 and one alone in 10.40.0.0/16 measure
    /// eu-central-1 at 30 ms, us-east-1 at 60 and ap-southeast-1 at 150,
    /// twice each; then eu-central-1 becomes 80 ms. Two of the /16's
    /// networks report it twice (their estimates restart there); 10.30.1.0/24
    /// and the lone network report it once, a candidate their estimates do
    /// not follow on their own. `afterOutliers` is built once 10.30.1.0/24
    /// has also reported eu-central-1 at 200 ms, then at 3 ms: outliers
    /// that replace its candidate, on its side (within 3× of it: a tail
    /// sample beyond 3× of a one-sample candidate leaves it standing) and on
    /// the other, and that nothing confirms.
    func changeSeenOnceByOneNetwork(confirm: Bool) -> (before: LatencyMapBuilder.Result, after: LatencyMapBuilder.Result,
                                                       again: LatencyMapBuilder.Result, afterOutliers: [LatencyMapBuilder.Result],
                                                       aggregates: Aggregates) {
        let networks = ["10.30.1.", "10.30.2.", "10.30.3.", "10.40.1."]
        var aggregates = Aggregates()
        for network in networks { aggregates.add(report(network, euc1: 30, minutesAgo: 600) + report(network, euc1: 30, minutesAgo: 480)) }
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil, settings: PredictionSettings(confirmCandidates: confirm))
        let before = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now - 300 * 60_000)
        for network in ["10.30.2.", "10.30.3."] { aggregates.add(report(network, euc1: 80, minutesAgo: 180) + report(network, euc1: 80, minutesAgo: 60)) }
        for network in ["10.30.1.", "10.40.1."] { aggregates.add(report(network, euc1: 80, minutesAgo: 60)) }
        let after = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        let again = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now + 60 * 60_000)
        var afterOutliers: [LatencyMapBuilder.Result] = []
        for (rtt, minutes) in [(200.0, 90), (3.0, 150)] as [(Double, Int64)] {
            aggregates.add([measurement("10.30.1.9", euc1, rtt, minutesAgo: -minutes)])
            afterOutliers.append(builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now + (minutes + 30) * 60_000))
        }
        return (before, after, again, afterOutliers, aggregates)
    }

    @Test func aChangeItsRollUpConfirmsIsFollowedOnOneSample() {
        let (before, after, again, afterOutliers, aggregates) = changeSeenOnceByOneNetwork(confirm: true)
        #expect(ranking(before.map, "10.30.1.1").first == euc1)
        // The siblings restarted at 80 ms and 10.30.1.0/24's one sample says 80: confirmed.
        #expect(ranking(after.map, "10.30.1.1").first == use1)
        #expect(ranking(again.map, "10.30.1.1").first == use1, "the next build without new samples keeps the confirmation")
        // Each outlier replaces the candidate, which the neighbours no longer
        // confirm; the held confirmation keeps the answer, whichever side the
        // outlier fell on (neither speaks for the old level).
        for result in afterOutliers { #expect(ranking(result.map, "10.30.1.1").first == use1) }
        let last = now + 180 * 60_000, client = IPAddress("10.30.1.1")!
        let pending = aggregates.estimates(for: client, now: last)?.regions.first { $0.region == euc1 }?.pendingMs
        #expect(abs((pending ?? 0) - 3) < 0.1, "the candidate is the 3 ms outlier now")
        let held = afterOutliers[1].knowledge.predict(client, aggregates: aggregates, now: last).regions.first { $0.region == euc1 }
        #expect(held?.source == .confirmed && abs((held?.rttMs ?? 0) - 80) < 2)
        let euc1Prediction = after.knowledge.predict(IPAddress("10.30.1.1")!, aggregates: aggregates, now: now).regions.first { $0.region == euc1 }
        #expect(euc1Prediction?.source == .confirmed)
        #expect(abs((euc1Prediction?.rttMs ?? 0) - 80) < 2)
        #expect(euc1Prediction?.from?.contains("10.30.0.0/16") == true)
        // Alone in its /16, nothing confirms the lone network's one sample.
        #expect(ranking(after.map, "10.40.1.1").first == euc1)
        #expect(after.knowledge.predict(IPAddress("10.40.1.1")!, aggregates: aggregates, now: now).regions.first { $0.region == euc1 }?.source == .measured)
    }

    /// A held confirmation gives way to a fresh one: 10.30.1.0/24's one
    /// sample at 80 ms (after four at 30) is confirmed by its siblings (as in
    /// `changeSeenOnceByOneNetwork`); then eu-central-1 becomes 150 ms, the
    /// siblings report it four times (their estimates, restarted at 80 ms
    /// with a wide scale, take it as agreeing and move to about 126 ms) and
    /// 10.30.1.0/24 once — a new candidate its estimate (still 30 ms) does
    /// not follow on its own, which the siblings' 126 ms confirms (within
    /// ±35%). (Held first, the confirmation stayed at 80 ms.)
    @Test func aFreshConfirmationReplacesAHeldOne() {
        var aggregates = Aggregates()
        let networks = ["10.30.1.", "10.30.2.", "10.30.3."]
        for network in networks {
            for minutesAgo: Int64 in [600, 560, 520, 480] { aggregates.add(report(network, euc1: 30, minutesAgo: minutesAgo)) }
        }
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: nil)
        _ = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now - 300 * 60_000)
        for network in networks.dropFirst() { aggregates.add(report(network, euc1: 80, minutesAgo: 180) + report(network, euc1: 80, minutesAgo: 60)) }
        aggregates.add(report(networks[0], euc1: 80, minutesAgo: 60))
        func euc1(_ result: LatencyMapBuilder.Result, at ms: Int64) -> RegionPrediction? {
            result.knowledge.predict(IPAddress("10.30.1.1")!, aggregates: aggregates, now: ms).regions.first { $0.region == self.euc1 }
        }
        let first = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        #expect(euc1(first, at: now)?.source == .confirmed)
        #expect(abs((euc1(first, at: now)?.rttMs ?? 0) - 80) < 2)
        for minutes: Int64 in [10, 30, 50, 70] {
            for network in networks.dropFirst() { aggregates.add(report(network, euc1: 150, minutesAgo: -minutes)) }
        }
        aggregates.add(report(networks[0], euc1: 150, minutesAgo: -70))
        let later = now + 90 * 60_000
        let second = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: later)
        #expect(euc1(second, at: later)?.source == .confirmed)
        #expect(abs((euc1(second, at: later)?.rttMs ?? 0) - 150) < 3)
    }

    /// The first three octets of `count` /24s of `country` (tor tables),
    /// each in a /16 of its own, none in a /16 of `taken`'s.
    static func lonelyNetworks(in country: String, count: Int, avoiding taken: [String] = []) -> [String] {
        var seen = Set(taken.map { $0.split(separator: ".").prefix(2).joined(separator: ".") }), networks: [String] = []
        for range in tor.locatedRanges.v4 where range.location.country == country && range.first & 0xFF == 0
            && range.last - range.first >= 511 && networks.count < count {
            let octets = (1...3).map { String(range.first >> (32 - 8 * $0) & 0xFF) }
            if seen.insert(octets.prefix(2).joined(separator: ".")).inserted { networks.append(octets.joined(separator: ".") + ".") }
        }
        return networks
    }

    /// The next /24 after `network` (its first three octets and a dot): in
    /// the same /16, and in the same range for `lonelyNetworks`' (at least two /24s long).
    static func neighbour(of network: String) -> String {
        let octets = network.split(separator: ".")
        return "\(octets[0]).\(octets[1]).\(Int(octets[2])! + 1)."
    }

    /// Five German networks, each alone in its /16, one French network, and
    /// a sixth German one with a neighbour in its /16, measure eu-central-1 at
    /// 30 ms, us-east-1 at 60 and ap-southeast-1 at 150, twice each; then
    /// eu-central-1 becomes 80 ms: four of the lone German networks report
    /// it twice; the fifth, the French one and the one with a neighbour
    /// (who reports nothing new) once.
    @Test func aNetworkAloneInItsRollUpIsConfirmedByItsCountry() throws {
        let france = Self.lonelyNetworks(in: "FR", count: 1), germany = Self.lonelyNetworks(in: "DE", count: 6, avoiding: france)
        try #require(germany.count == 6 && france.count == 1)
        let neighboured = germany[5], neighbour = Self.neighbour(of: neighboured)
        var aggregates = Aggregates()
        for network in germany + france + [neighbour] {
            aggregates.add(report(network, euc1: 30, minutesAgo: 600) + report(network, euc1: 30, minutesAgo: 480))
        }
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: try geo())
        let before = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now - 300 * 60_000)
        for network in germany[1...4] { aggregates.add(report(network, euc1: 80, minutesAgo: 180) + report(network, euc1: 80, minutesAgo: 60)) }
        for network in [germany[0], france[0], neighboured] { aggregates.add(report(network, euc1: 80, minutesAgo: 60)) }
        let after = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        #expect(ranking(before.map, germany[0] + "1").first == euc1)
        // Germany's measured networks calibrate its prior: they confirm the lone network's one sample.
        #expect(ranking(after.map, germany[0] + "1").first == use1)
        let confirmed = after.knowledge.predict(IPAddress(germany[0] + "1")!, aggregates: aggregates, now: now).regions.first { $0.region == euc1 }
        #expect(confirmed?.source == .confirmed)
        #expect(confirmed?.from?.contains("confirmed by the measured networks of DE") == true)
        // France has one measured network, too few to calibrate anything: its one sample stays unconfirmed.
        #expect(ranking(after.map, france[0] + "1").first == euc1)
        #expect(after.knowledge.predict(IPAddress(france[0] + "1")!, aggregates: aggregates, now: now).regions.first { $0.region == euc1 }?.source == .measured)
        // A network whose /16 neighbour measured its regions asks the neighbour, who saw no change: unconfirmed.
        // (Its estimate, older than Germany's change, is shifted by it instead: `aSilentNetworkFollowsItsCountrysChange`.)
        #expect(ranking(after.map, neighboured + "1").first == use1)
        #expect(after.knowledge.predict(IPAddress(neighboured + "1")!, aggregates: aggregates, now: now).regions.first { $0.region == euc1 }?.source == .shifted)
    }

    /// A country confirms once more than half of its measured networks have
    /// moved, by their median: seven German networks, each alone in its /16,
    /// measure eu-central-1 at 30 ms; one reports it once at 80 ms. With
    /// three of the others restarted at 80 ms the country says 30 (their
    /// mean, 46 ms, confirmed it under the tolerance before 645ddeb); with
    /// four, 80 (their mean, 53 ms, lies beyond the ±35% of the candidate).
    @Test func aCountryConfirmsOnceMostOfItsNetworksMoved() throws {
        let germany = Self.lonelyNetworks(in: "DE", count: 7)
        try #require(germany.count == 7)
        var aggregates = Aggregates()
        for network in germany { aggregates.add(report(network, euc1: 30, minutesAgo: 600) + report(network, euc1: 30, minutesAgo: 480)) }
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: try geo())
        _ = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now - 300 * 60_000)
        aggregates.add(report(germany[0], euc1: 80, minutesAgo: 60))
        for network in germany[1...3] { aggregates.add(report(network, euc1: 80, minutesAgo: 180) + report(network, euc1: 80, minutesAgo: 120)) }
        let threeMoved = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        #expect(ranking(threeMoved.map, germany[1] + "1").first == use1, "the restarted networks answer us-east-1")
        #expect(ranking(threeMoved.map, germany[0] + "1").first == euc1)
        aggregates.add(report(germany[4], euc1: 80, minutesAgo: 50) + report(germany[4], euc1: 80, minutesAgo: 40))
        let fourMoved = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now + 10 * 60_000)
        #expect(ranking(fourMoved.map, germany[0] + "1").first == use1)
        let confirmed = fourMoved.knowledge.predict(IPAddress(germany[0] + "1")!, aggregates: aggregates, now: now + 10 * 60_000)
            .regions.first { $0.region == euc1 }
        #expect(confirmed?.source == .confirmed)
        #expect(abs((confirmed?.rttMs ?? 0) - 80) < 2)
    }

    /// A country's change confirms a network whose routes are its own: seven
    /// German networks, each alone in its /16, measure eu-central-1 at 30 ms,
    /// us-east-1 at 60 and ap-southeast-1 at 150, except the first, whose
    /// private routes give 15 and 25. Then four of the others restart at
    /// 80 ms and the first reports eu-central-1 once at 40 (×8/3, as they
    /// moved). The country's level (80 ms, at the network's offset 52 ms,
    /// predicting its us-east-1 poorly) confirms nothing; the country's
    /// change since a half-life before that sample (30 → 80 ms) does, and
    /// the network answers us-east-1 — but only for a builder that saw the
    /// country before the change. With a sibling in its /16 on routes of its
    /// own (200, 60, 400 ms), whose level (79 ms at the offset) is asked
    /// instead of the country's and does not confirm either, the same. The
    /// build before the change had one more region in use (us-west-2), so
    /// eu-central-1 stood at another index among them.
    @Test(arguments: [false, true]) func aCountrysChangeConfirmsANetworkWithRoutesOfItsOwn(withASibling: Bool) throws {
        let germany = Self.lonelyNetworks(in: "DE", count: 7)
        try #require(germany.count == 7)
        let own = germany[0] + "9", sibling = Self.neighbour(of: germany[0]) + "9"
        var aggregates = Aggregates()
        for minutesAgo: Int64 in [600, 480] {
            aggregates.add([measurement(own, euc1, 15, minutesAgo: minutesAgo), measurement(own, use1, 25, minutesAgo: minutesAgo),
                            measurement(own, apse1, 150, minutesAgo: minutesAgo)])
            for network in germany.dropFirst() { aggregates.add(report(network, euc1: 30, minutesAgo: minutesAgo)) }
            if withASibling {
                aggregates.add([measurement(sibling, euc1, 200, minutesAgo: minutesAgo), measurement(sibling, use1, 60, minutesAgo: minutesAgo),
                                measurement(sibling, apse1, 400, minutesAgo: minutesAgo)])
            }
        }
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: try geo())
        _ = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse.union([catalog.id(of: "us-west-2")!]),
                          now: now - 420 * 60_000)
        for network in germany[1...4] { aggregates.add(report(network, euc1: 80, minutesAgo: 180) + report(network, euc1: 80, minutesAgo: 120)) }
        aggregates.add([measurement(own, euc1, 40, minutesAgo: 60)])

        var unseen = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: try geo())
        let withoutHistory = unseen.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        #expect(ranking(withoutHistory.map, germany[0] + "1").first == euc1, "no level confirms 40 ms")
        let result = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        #expect(ranking(result.map, germany[0] + "1").first == use1)
        let estimate = result.knowledge.predict(IPAddress(germany[0] + "1")!, aggregates: aggregates, now: now).regions.first { $0.region == euc1 }
        #expect(estimate?.source == .confirmed)
        #expect(abs((estimate?.rttMs ?? 0) - 40) < 1)
        #expect(estimate?.from?.contains("the change of the measured networks of DE") == true, "\(estimate?.from ?? "")")
    }

    /// A network that sends nothing while its country moves follows the
    /// country: seven German networks, each alone in its /16, measure
    /// eu-central-1 at 30 ms (us-east-1 60, ap-southeast-1 150); then four
    /// of them restart at 80 ms. The first, silent since, is ranked on its
    /// 30 ms moved by the country's change (×8/3: 80 ms) and answers
    /// us-east-1; the sixth, which measured 30 ms again after the change
    /// (31 ms, after a build saw it), is not moved; the seventh's one sample
    /// of 62 ms, confirmed by the country, is ranked instead of a shift. An outlier from the first
    /// does not move its estimate and keeps the shift; a sample at its old
    /// level (31 ms) moves the estimate and ends it. (A sample exactly at
    /// the estimate would not move it.) A builder that does not shift keeps
    /// the first on eu-central-1.
    @Test func aSilentNetworkFollowsItsCountrysChange() throws {
        let germany = Self.lonelyNetworks(in: "DE", count: 7)
        try #require(germany.count == 7)
        var aggregates = Aggregates()
        for network in germany { aggregates.add(report(network, euc1: 30, minutesAgo: 600) + report(network, euc1: 30, minutesAgo: 480)) }
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: try geo())
        var unshifting = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: try geo(), settings: PredictionSettings(shiftStaleEstimates: false))
        for minutesAgo: Int64 in [420, 100] {
            if minutesAgo == 100 {
                for network in germany[1...4] { aggregates.add(report(network, euc1: 80, minutesAgo: 180) + report(network, euc1: 80, minutesAgo: 120)) }
            }
            _ = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now - minutesAgo * 60_000)
            _ = unshifting.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now - minutesAgo * 60_000)
        }
        aggregates.add(report(germany[5], euc1: 31, minutesAgo: 30))
        aggregates.add(report(germany[6], euc1: 62, minutesAgo: 30))
        let silent = IPAddress(germany[0] + "1")!
        func euc1Estimate(_ result: LatencyMapBuilder.Result, at time: Int64) -> RegionPrediction? {
            result.knowledge.predict(silent, aggregates: aggregates, now: time).regions.first { $0.region == euc1 }
        }

        let moved = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        #expect(ranking(moved.map, germany[0] + "1").first == use1)
        let shifted = try #require(euc1Estimate(moved, at: now))
        #expect(shifted.source == .shifted && abs((shifted.rttMs ?? 0) - 80) < 1, "\(shifted)")
        #expect(shifted.from?.contains("as the measured networks of DE moved since its newest sample") == true, "\(shifted.from ?? "")")
        #expect(shifted.samples != nil && shifted.standardError > 0, "the estimate's own samples and error")
        #expect(ranking(moved.map, germany[5] + "1").first == euc1, "measured again after the change")
        // The seventh's one sample of its own (62 ms), which its country confirms, is ranked rather than a shift (80 ms).
        #expect(moved.knowledge.shifted[IPPrefix(germany[6] + "0/24")!]?.contains { $0.region == euc1 } != true)
        let confirmed = moved.knowledge.predict(IPAddress(germany[6] + "1")!, aggregates: aggregates, now: now).regions.first { $0.region == euc1 }
        #expect(confirmed?.source == .confirmed && abs((confirmed?.rttMs ?? 0) - 62) < 1, "\(String(describing: confirmed))")
        #expect(ranking(unshifting.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now).map, germany[0] + "1").first == euc1)

        aggregates.add([measurement(germany[0] + "9", euc1, 400, minutesAgo: -10)])
        let afterOutlier = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now + 30 * 60_000)
        #expect(ranking(afterOutlier.map, germany[0] + "1").first == use1)
        #expect(euc1Estimate(afterOutlier, at: now + 30 * 60_000)?.source == .shifted)

        aggregates.add([measurement(germany[0] + "9", euc1, 31, minutesAgo: -40)])
        let settled = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now + 60 * 60_000)
        #expect(ranking(settled.map, germany[0] + "1").first == euc1)
        #expect(euc1Estimate(settled, at: now + 60 * 60_000)?.source == .measured)
    }

    /// Only measurements confirm: a network whose country has no other
    /// measured network is not confirmed by the geographic model, even when
    /// its one new sample lands exactly where the model, scaled to the
    /// network's other regions, puts it.
    @Test func theGeographicModelAloneConfirmsNothing() throws {
        let network = try #require(Self.lonelyNetworks(in: "IT", count: 1).first)
        let geo = try geo(), location = try #require(geo.locate(IPAddress(network + "9")!))
        func model(_ region: RegionID) -> Double { geo.rttMs(from: location, to: region)! }
        // eu-central-1 measured at 4x the model, the others at the model; then one sample at the model.
        var aggregates = Aggregates()
        for minutesAgo: Int64 in [600, 480] {
            aggregates.add([measurement(network + "9", euc1, 4 * model(euc1), minutesAgo: minutesAgo),
                            measurement(network + "9", use1, model(use1), minutesAgo: minutesAgo),
                            measurement(network + "9", apse1, model(apse1), minutesAgo: minutesAgo)])
        }
        aggregates.add([measurement(network + "9", euc1, model(euc1), minutesAgo: 60)])
        var candidates = 0
        aggregates.forEachBucket { row in candidates += (0..<row.count).filter { row.region($0) == euc1 && row.hasCandidate($0) }.count }
        try #require(candidates == 1, "the new sample is a candidate level, waiting for confirmation")
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [use1], geo: geo)
        let result = builder.build(aggregates: aggregates, configured: [], regionsInUse: inUse, now: now)
        let estimate = result.knowledge.predict(IPAddress(network + "1")!, aggregates: aggregates, now: now).regions.first { $0.region == euc1 }
        #expect(estimate?.source == .measured)
        #expect(abs((estimate?.rttMs ?? 0) - 4 * model(euc1)) < 1)
    }

    @Test func withoutConfirmationOneSampleMovesNothing() {
        let (_, after, _, _, _) = changeSeenOnceByOneNetwork(confirm: false)
        #expect(ranking(after.map, "10.30.1.1").first == euc1)
        #expect(ranking(after.map, "10.30.2.1").first == use1)
    }
}
