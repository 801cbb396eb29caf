import Authority
import DNSWire
import Foundation
import GeoPrior
import LatencyLearning
import LatencyModel
import LatencyPrediction
import MeasurementFormats
import SeededRandom
import ZoneFile

/// Runs the world through the real pipeline hour by hour: measurements as
/// CSV through `MeasurementParser`, `Aggregates`, `LatencyMapBuilder`, a
/// `Snapshot` with a latency record per region, and DNS queries with ECS
/// answered by `Snapshot.respond`; scores each answer against the oracle
/// (the truly fastest region) beside the geo-nearest region.
struct Simulation {
    var world: World
    let days: Int
    let halfLifeMs: Int64
    /// Each measured network's browsers report this many times an hour (each report times every region).
    let reportsPerHour: Double
    /// The map build's hysteresis (the oracle's "real change" is always the fixed margin of `Hysteresis()`).
    var hysteresis = Hysteresis()
    /// The map build's `PredictionSettings.confirmCandidates`.
    var confirmCandidates = PredictionSettings().confirmCandidates
    /// The map build's `PredictionSettings.shiftStaleEstimates`.
    var shiftStaleEstimates = PredictionSettings().shiftStaleEstimates
    /// Whether to keep the hour-by-hour `Result.traces`.
    var tracing = false
    static let start: Int64 = 1_793_491_200_000  // 2026-11-01T00:00:00Z

    struct Score {
        var answered = 0, optimal = 0
        var excess: [Double] = []
        mutating func add(_ excessMs: Double) {
            answered += 1
            if excessMs <= 0 { optimal += 1 }
            excess.append(excessMs)
        }
        var optimalShare: Double { Double(optimal) / Double(max(1, answered)) }
        var mean: Double { excess.reduce(0, +) / Double(max(1, excess.count)) }
        var p95: Double {
            guard !excess.isEmpty else { return 0 }
            let sorted = excess.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
        }
    }

    struct DayScores { var measured = Score(), unmeasured = Score(), all = Score(), geo = Score(), geoMeasured = Score(), geoUnmeasured = Score() }

    struct Result {
        var days: [DayScores]
        var overall: DayScores
        /// Networks whose fastest region changed with the event, their hours to follow, and their answer switches.
        /// Following: answering the fastest region, or one it beats by no more than the hysteresis margin (the
        /// margin that makes a change real); `answeredFastestWithinHalfLife` counts those that answered the fastest itself.
        var affected = 0, followedWithinHalfLife = 0, answeredFastestWithinHalfLife = 0
        var hoursToFollow: [Int] = []
        /// Of the affected networks that did not follow within the half-life, how many had 0, 1, and 2 or more
        /// reports of their own in the hours that count (from the change's hour to the half-life after it).
        var missedWithReports = [0, 0, 0]
        var switchesPerChange: [Int] = []
        var flappingNetworks = 0
        /// Of `flappingNetworks`, those that switched at least once to a region that was not the fastest at that hour.
        var flappingToSlower = 0
        /// Networks that switched more often than their fastest region changed at all, by any amount: the
        /// switches no change in the world explains (`flappingNetworks` counts only changes beyond the margin).
        var switchingWithoutChange = 0
        var rebuildSeconds: [Double] = []
        /// With `tracing`: the traces of the affected networks that did not follow within the half-life,
        /// then of those that switched more often than their fastest region changed at all (`switchingWithoutChange`).
        var traces: [String] = []
    }

    func run(generator: inout SeededGenerator) throws -> Result {
        let catalog = world.catalog
        let regions = world.regions
        let snapshotZone = try Self.zone(regions: regions, catalog: catalog)
        let geo = GeoModel(database: nil, tor: try TorGeoIP(), prior: world.prior, catalog: catalog)
        var builder = LatencyMapBuilder(catalog: catalog, defaultRanking: [regions[0]], geo: geo,
                                        settings: PredictionSettings(hysteresis: hysteresis, confirmCandidates: confirmCandidates,
                                                                     shiftStaleEstimates: shiftStaleEstimates))
        var aggregates = Aggregates(halfLifeMs: halfLifeMs)
        let parser = MeasurementParser(catalog: catalog, defaultSource: .rum, maxRows: 10_000_000)
        let names = regions.map(catalog.name(of:))
        // gdnsd's distance mode: the region nearest to where the geolocation database puts the network (its country's point).
        let geoNearest = world.networks.map { network in
            let home = CountryLocations.all[network.country]!
            return regions.indices.min { home.distanceKm(to: catalog.regions[Int(regions[$0])].point)
                < home.distanceKm(to: catalog.regions[Int(regions[$1])].point) }!
        }
        var result = Result(days: Array(repeating: DayScores(), count: days), overall: DayScores())
        var previousAnswer = [Int](repeating: -1, count: world.networks.count)
        var previousBest = [Int](repeating: -1, count: world.networks.count)
        var answerSwitches = [Int](repeating: 0, count: world.networks.count)
        var bestSwitches = [Int](repeating: 0, count: world.networks.count)
        var fastestChanges = [Int](repeating: 0, count: world.networks.count)
        var previousFastest = [Int](repeating: -1, count: world.networks.count)
        var switchesToSlower = [Int](repeating: 0, count: world.networks.count)
        var changedAt = [Int?](repeating: nil, count: world.networks.count)
        var followedAt = [Int?](repeating: nil, count: world.networks.count)
        var answeredFastestAt = [Int?](repeating: nil, count: world.networks.count)
        var reportHours = [[Int]](repeating: [], count: world.networks.count)
        var query = [UInt8](), output = [UInt8](repeating: 0, count: 65_535)
        var trace = Trace(networks: tracing ? world.networks.count : 0)

        for hour in 0..<(days * 24) {
            let hourStart = Self.start + Int64(hour) * 3_600_000
            // This hour's reports, as the CSV an importer would send.
            var csv = "time,client,region,rtt_ms\n"
            for (n, network) in world.networks.enumerated() where network.measured {
                var reports = Int(reportsPerHour)
                if Double.random(in: 0..<1, using: &generator) < reportsPerHour - Double(reports) { reports += 1 }
                for _ in 0..<reports {
                    reportHours[n].append(hour)
                    let second = Double(hourStart) / 1000 + Double.random(in: 0..<3600, using: &generator)
                    let client = IPAddress.v4(Self.v4(network.prefix) | UInt32.random(in: 1...254, using: &generator))
                    for r in regions.indices {
                        let rtt = world.sample(n, r, hour: hour, generator: &generator)
                        csv += String(format: "%.3f,%@,%@,%.2f\n", second, client.description, names[r], rtt)
                    }
                }
            }
            let parsed = try parser.parse(csv, nowMs: hourStart + 3_600_000)
            precondition(parsed.rejected.isEmpty, "the simulation wrote rows the parser rejects: \(parsed.rejected.prefix(3))")
            aggregates.add(parsed.accepted)

            let began = Date()
            let built = builder.build(aggregates: aggregates, configured: [], regionsInUse: Set(regions), now: hourStart + 3_600_000)
            result.rebuildSeconds.append(Date().timeIntervalSince(began))
            let snapshot = Snapshot(version: UInt64(hour + 1), zones: [snapshotZone], latencyMap: built.map, catalog: catalog)

            // Everyone asks at the end of the hour, through a resolver that sends their /24 as ECS.
            for (n, network) in world.networks.enumerated() {
                query = Self.query(for: network.prefix, id: UInt16(truncatingIfNeeded: n))
                let length = query.withUnsafeBytes { packet in
                    output.withUnsafeMutableBytes { snapshot.respond(to: packet, source: .v4(0x0A00_0001), transport: .udp, into: $0) }
                }
                guard let length, let chosen = Self.region(inAnswer: Array(output[..<length])) else { continue }
                let rtts = regions.indices.map { world.trueRTT(n, $0, hour: hour) }
                let best = rtts.indices.min { rtts[$0] < rtts[$1] }!
                let excess = rtts[chosen] - rtts[best], geoExcess = rtts[geoNearest[n]] - rtts[best]
                let day = hour / 24
                for scores in [\Result.days[day], \Result.overall] as [WritableKeyPath<Result, DayScores>] {
                    result[keyPath: scores].all.add(excess)
                    result[keyPath: scores].geo.add(geoExcess)
                    if network.measured {
                        result[keyPath: scores].measured.add(excess); result[keyPath: scores].geoMeasured.add(geoExcess)
                    } else {
                        result[keyPath: scores].unmeasured.add(excess); result[keyPath: scores].geoUnmeasured.add(geoExcess)
                    }
                }
                if tracing, network.measured, let event = world.events.first, hour >= event.fromHour - 1, hour < event.toHour + 24 {
                    let client = IPAddress.v4(Self.v4(network.prefix) | 1), now = hourStart + 3_600_000
                    trace.record(n, hour: hour, reports: reportHours[n].count { $0 == hour }, regions: regions, names: names,
                                 trueRTTs: rtts, answer: chosen, fastest: best,
                                 prediction: built.knowledge.predict(client, aggregates: aggregates, now: now))
                }
                // The event: from its start, does the answer follow the new fastest region, and how often does it switch?
                if let event = world.events.first, hour >= event.fromHour, hour < event.toHour + 24 {
                    // A real change: a new fastest region that beats the old one by more than the hysteresis margin.
                    if previousBest[n] >= 0 && best != previousBest[n]
                        && Hysteresis().replaces(rtts[best], current: rtts[previousBest[n]]) {
                        bestSwitches[n] += 1
                        if changedAt[n] == nil && hour >= event.fromHour && hour < event.toHour { changedAt[n] = hour }
                    }
                    if previousFastest[n] >= 0 && best != previousFastest[n] { fastestChanges[n] += 1 }
                    if previousAnswer[n] >= 0 && chosen != previousAnswer[n] {
                        answerSwitches[n] += 1
                        if chosen != best { switchesToSlower[n] += 1 }
                    }
                    if let changed = changedAt[n], hour < event.toHour {
                        if followedAt[n] == nil, !Hysteresis().replaces(rtts[best], current: rtts[chosen]) { followedAt[n] = hour - changed }
                        if answeredFastestAt[n] == nil, chosen == best { answeredFastestAt[n] = hour - changed }
                    }
                }
                previousAnswer[n] = chosen
                previousFastest[n] = best
                if previousBest[n] < 0 || best != previousBest[n] && Hysteresis().replaces(rtts[best], current: rtts[previousBest[n]]) {
                    previousBest[n] = best
                }
            }
        }
        for n in world.networks.indices where world.networks[n].measured {
            guard let changed = changedAt[n] else { continue }
            result.affected += 1
            if let hours = followedAt[n] { result.hoursToFollow.append(hours) }
            if let hours = answeredFastestAt[n], Int64(hours) * 3_600_000 <= halfLifeMs { result.answeredFastestWithinHalfLife += 1 }
            if let hours = followedAt[n], Int64(hours) * 3_600_000 <= halfLifeMs {
                result.followedWithinHalfLife += 1
            } else {
                let window = changed...(changed + Int(halfLifeMs / 3_600_000))
                let reports = reportHours[n].count { window.contains($0) }
                result.missedWithReports[min(2, reports)] += 1
                if tracing {
                    result.traces.append(trace.text(n, heading: "\(world.networks[n].prefix) (\(world.networks[n].country)): "
                        + "did not follow the change of hour \(changed) within the half-life, \(reports) report(s) in it"))
                }
            }
            result.switchesPerChange.append(answerSwitches[n])
            if answerSwitches[n] > bestSwitches[n] {
                result.flappingNetworks += 1
                if switchesToSlower[n] > 0 { result.flappingToSlower += 1 }
            }
            if answerSwitches[n] > fastestChanges[n] { result.switchingWithoutChange += 1 }
        }
        for n in world.networks.indices where tracing && world.networks[n].measured && changedAt[n] != nil && answerSwitches[n] > fastestChanges[n] {
            result.traces.append(trace.text(n, heading: "\(world.networks[n].prefix) (\(world.networks[n].country)): "
                + "switched \(answerSwitches[n]) times, its fastest region changed \(fastestChanges[n]) times"))
        }
        return result
    }

    /// A zone `sim.test.` whose `www A` has one latency set per region; region i answers 10.255.0.(i + 1).
    static func zone(regions: [RegionID], catalog: RegionCatalog) throws -> Zone {
        let origin = try DomainName(parsing: "sim.test.")
        let text = "@ 300 IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.53\n"
        let parsed = MasterFile.parse(text, file: "sim.zone", origin: origin)
        let www = try DomainName(parsing: "www.sim.test.")
        let routed = regions.enumerated().map { index, region in
            RoutedDeclaration(name: www, set: RoutedRecordSet(
                setIdentifier: catalog.name(of: region), policy: .latency(region),
                rrset: RRSet(type: .a, ttl: 60, rdata: [try! RData(presentation: "10.255.0.\(index + 1)", type: .a, origin: origin)])),
                source: "simulation")
        }
        switch Zone.build(origin: origin, records: parsed.records.map { DeclaredRecord(record: $0.record, source: "sim.zone") },
                          routed: routed, catalog: catalog, zoneSource: "sim.zone") {
        case .success(let zone): return zone
        case .failure(let errors): throw SimulationError(message: errors.messages.joined(separator: "\n"))
        }
    }

    /// `www.sim.test. A` with EDNS and an ECS option for `network`.
    static func query(for network: IPPrefix, id: UInt16) -> [UInt8] {
        var message = Message(header: Header(id: id))
        message.questions = [Question(name: try! DomainName(parsing: "www.sim.test."), type: .a)]
        message.edns = EDNS(clientSubnet: ClientSubnet(network))
        return message.encode()
    }

    /// The region index an answer's A record stands for.
    static func region(inAnswer bytes: [UInt8]) -> Int? {
        guard let message = try? Message.parse(bytes), let record = message.answers.first,
              let last = record.data.presentation.split(separator: ".").last, let octet = Int(last) else { return nil }
        return octet - 1
    }

    static func v4(_ prefix: IPPrefix) -> UInt32 { if case .v4(let value) = prefix.address { value } else { 0 } }
}

struct SimulationError: Error, CustomStringConvertible { var message: String; var description: String { message } }
