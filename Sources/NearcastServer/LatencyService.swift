import Dispatch
import Foundation
import GeoPrior
import LatencyLearning
import LatencyModel
import LatencyPrediction
import Logging
import MeasurementLog
import NIOConcurrencyHelpers
import NIOCore
import ProcessMemory

/// Learns the latency map: measurements in (the ingestion API, real users,
/// probes), the raw log on disk, aggregates in memory, maps out to DNS.
///
/// Invariants: a batch is in the log before it is in the aggregates, so a
/// restart (checkpoint, then the log after it) keeps everything that was
/// acknowledged; the aggregates change only under the lock and never while
/// a build reads them — batches that arrive meanwhile wait in `pending`.
final class LatencyService: Sendable {
    let settings: LatencyConfig
    private let state: NIOLockedValueBox<State>
    private let log: MeasurementLog
    private let data: ServedData
    private let logger: Logger
    private let metrics: LatencyMetrics
    /// Builds and maintenance, one at a time.
    private let queue = DispatchQueue(label: "nearcast.latency")
    private let timers = NIOLockedValueBox(Timers())

    /// The periodic work's timers; touched only under the lock.
    struct Timers: @unchecked Sendable { var list: [any DispatchSourceTimer] = [] }
    struct State {
        var aggregates: Aggregates
        var building = false
        var pending: [[LatencyLearning.Measurement]] = []
        var builder: LatencyMapBuilder
        var knowledge: LatencyKnowledge?
        var lastBuild: BuildReport?
    }

    /// What a rebuild made.
    struct BuildReport: Sendable {
        var buckets: Int
        var ranges: Int
        var rankings: Int
        var rankedNetworks: Int
        var underlayRanges: Int
        var buildMs: Int
        var snapshotVersion: UInt64
        var builtAtMs: Int64
        /// The regions it ranked.
        var regions: Set<RegionID>
    }

    private init(settings: LatencyConfig, aggregates: Aggregates, builder: LatencyMapBuilder, log: MeasurementLog, data: ServedData,
                 logger: Logger) {
        self.settings = settings
        self.log = log
        self.data = data
        self.logger = logger
        metrics = data.metrics.latency()
        state = NIOLockedValueBox(State(aggregates: aggregates, builder: builder))
    }

    /// Restores the aggregates (checkpoint plus the log after it), builds
    /// the first map, and starts the periodic rebuild and maintenance.
    static func start(settings: LatencyConfig, dataDirectory: String, data: ServedData, logger: Logger) throws -> LatencyService {
        let config = data.configuration
        let catalog = config.snapshot.catalog
        let geo = try geoModel(settings, catalog: catalog, logger: logger)
        let builder = LatencyMapBuilder(
            catalog: catalog, defaultRanking: Array(config.snapshot.latencyMap.rankings[0]), geo: geo,
            settings: PredictionSettings(borrowIPv4Length: settings.borrowIPv4, borrowIPv6Length: settings.borrowIPv6,
                                         hysteresis: Hysteresis(relative: settings.hysteresisRelative,
                                                                absoluteMs: settings.hysteresisAbsoluteMs)))
        let log = try MeasurementLog(directory: dataDirectory + "/measurements", retentionMs: settings.retentionMs) { damage in
            logger.error("damaged raw measurements skipped", metadata: ["file": "\(damage.path)", "problem": "\(damage.message)"])
        }
        let aggregates = try restore(from: log, settings: settings, logger: logger)
        let service = LatencyService(settings: settings, aggregates: aggregates, builder: builder, log: log, data: data, logger: logger)
        _ = service.queue.sync { service.buildNow() }
        service.schedule(every: settings.rebuildIntervalMs) { _ = $0.buildNow() }
        // A latency record in a region the map does not rank yet: rebuild now rather than at the next interval.
        service.schedule(every: 1000) { service in
            if service.data.latencyRegionsInUse != service.state.withLockedValue({ $0.lastBuild?.regions }) { _ = service.buildNow() }
        }
        service.schedule(every: settings.maintenanceIntervalMs) { $0.maintain() }
        return service
    }

    /// The geographic prior's model: the MaxMind DB when configured, else
    /// the tor tables when wanted and installed; nil without either.
    private static func geoModel(_ settings: LatencyConfig, catalog: RegionCatalog, logger: Logger) throws -> GeoModel? {
        let prior = try RTTPrior(countryTable: .ripeAtlas2025)
        if let path = settings.mmdb {
            do {
                return GeoModel(database: try MaxMindDB(path: path.value), tor: nil, prior: prior, catalog: catalog)
            } catch {
                throw LoadErrors(messages: ["cannot use the MaxMind DB '\(path.value)' named under latency.geo.mmdb: \(error)"])
            }
        }
        guard settings.torGeoIP != false else { return nil }
        do {
            return GeoModel(database: nil, tor: try TorGeoIP(), prior: prior, catalog: catalog)
        } catch {
            if settings.torGeoIP == true {
                throw LoadErrors(messages: ["latency.geo.tor_geoip is true but the tables cannot be read (install Debian's tor-geoipdb): \(error)"])
            }
            logger.notice("no geolocation data (tor-geoipdb is not installed and no latency.geo.mmdb is set): networks without measurements get the default order")
            return nil
        }
    }

    /// The checkpoint (when it was made with the same buckets and half-life)
    /// plus every logged batch after it.
    private static func restore(from log: MeasurementLog, settings: LatencyConfig, logger: Logger) throws -> Aggregates {
        let policy = settings.bucketPolicy
        var aggregates = Aggregates(bucketPolicy: policy, halfLifeMs: settings.halfLifeMs)
        var position: LogPosition? = nil
        do {
            if let (saved, at) = try log.loadCheckpoint() {
                if saved.bucketPolicy == policy && saved.halfLifeMs == settings.halfLifeMs {
                    aggregates = saved
                    position = at
                } else {
                    logger.notice("the saved aggregates were made with other buckets or half-life; relearning from the raw measurements")
                }
            }
        } catch {
            logger.error("the saved aggregates cannot be read; relearning from the raw measurements", metadata: ["error": "\(error)"])
        }
        var replayed = 0
        _ = try log.replay(after: position) { batch in
            aggregates.add(batch)
            replayed += batch.count
        }
        logger.info("latency data restored", metadata: ["buckets": "\(aggregates.bucketCount)", "replayed": "\(replayed)"])
        return aggregates
    }

    private func schedule(every intervalMs: Int64, _ work: @escaping @Sendable (LatencyService) -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(Int(intervalMs)), repeating: .milliseconds(Int(intervalMs)))
        timer.setEventHandler { [weak self] in if let self { work(self) } }
        timer.resume()
        timers.withLockedValue { $0.list.append(timer) }
    }

    /// Keeps `batch`: logged first, then learned.
    func ingest(_ batch: [LatencyLearning.Measurement]) throws {
        guard !batch.isEmpty else { return }
        try state.withLockedValue { state in
            try log.append(batch, arrivalMs: Self.nowMs())
            if state.building { state.pending.append(batch) } else { state.aggregates.add(batch) }
        }
        metrics.kept(batch.count)
    }

    /// Rebuilds the map soon, off the caller's thread (after a config reload).
    func rebuildSoon() { queue.async { _ = self.buildNow() } }

    /// Rebuilds the map now; returns once DNS serves it.
    func rebuild() -> BuildReport {
        let (report, served) = queue.sync { buildNow() }
        _ = try? served.wait()
        return report
    }

    /// Builds a map from the current aggregates and publishes it. Runs on `queue`.
    private func buildNow() -> (BuildReport, EventLoopFuture<Void>) {
        let started = DispatchTime.now()
        let now = Self.nowMs()
        let (aggregates, builder) = state.withLockedValue { state in
            state.building = true
            return (state.aggregates, state.builder)
        }
        var working = builder
        let regions = data.latencyRegionsInUse
        let result = working.build(aggregates: aggregates, configured: data.configuration.latencyEntries,
                                   regionsInUse: regions, now: now)
        let bucketCount = aggregates.bucketCount
        _ = consume aggregates  // released before the pending batches are added, so they do not copy the tables
        let (version, served) = data.updateLatencyMap(result.map)
        let report = BuildReport(
            buckets: bucketCount, ranges: result.map.rangeCount, rankings: result.map.rankings.count,
            rankedNetworks: result.rankedNetworks, underlayRanges: result.underlayRanges,
            buildMs: Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000),
            snapshotVersion: version, builtAtMs: now, regions: regions)
        state.withLockedValue { state in
            state.builder = working
            state.knowledge = result.knowledge
            state.lastBuild = report
            for batch in state.pending { state.aggregates.add(batch) }
            state.pending = []
            state.building = false
        }
        metrics.built(report)
        ProcessMemory.returnFreePages()  // the build's working tables
        logger.debug("latency map rebuilt", metadata: ["buckets": "\(report.buckets)", "ranges": "\(report.ranges)", "ms": "\(report.buildMs)"])
        return (report, served)
    }

    /// Saves a checkpoint, then deletes raw segments past retention and
    /// states no longer worth keeping (ten half-lives without a sample).
    private func maintain() {
        let now = Self.nowMs()
        do {
            let (aggregates, position) = try state.withLockedValue { state in
                state.aggregates.compact(olderThan: now - 10 * settings.halfLifeMs)
                return (state.aggregates, try log.endPosition())
            }
            try log.saveCheckpoint(aggregates, position: position)
            let deleted = try log.enforceRetention(nowMs: now)
            if deleted > 0 { logger.info("deleted raw measurements past retention", metadata: ["segments": "\(deleted)"]) }
        } catch {
            logger.error("latency data maintenance failed; will retry", metadata: ["error": "\(error)"])
        }
    }

    /// Every region in use estimated for `address`, as of the last build,
    /// and why `servedFirst` — the served map's first region for it — is
    /// first if it is not the fastest estimate (`LatencyMapBuilder.hold`):
    /// both from one state, under one lock.
    func explain(_ address: IPAddress, servedFirst: RegionID?) -> (prediction: NetworkPrediction, hold: HysteresisHold?)? {
        // Under the lock: a copy of the aggregates would make the next batch copy the tables.
        state.withLockedValue { state in
            state.knowledge.map { knowledge in
                let prediction = knowledge.predict(address, aggregates: state.aggregates, now: Self.nowMs())
                return (prediction, servedFirst.flatMap { state.builder.hold(prediction, servedFirst: $0) })
            }
        }
    }

    /// Stops the timers and saves a checkpoint.
    func stop() {
        for timer in timers.withLockedValue({ $0.list }) { timer.cancel() }
        queue.sync { maintain() }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
