import Foundation
import LatencyModel
import Logging

/// The probe agent: fetches this region's targets from the controller, measures them spread over the
/// interval and paced by `rate`, and posts the best RTT per target per round.
public struct ProbeAgent: Sendable {
    public let settings: ProbeAgentSettings
    public let client: ControllerClient
    public let logger: Logger
    private let measurer: TargetMeasurer
    private let buffer: MeasurementBuffer

    static let targetsPath = "/nearcast/latency/probe-targets"
    static let measurementsPath = "/nearcast/latency/measurements"

    /// Checks once whether ICMP echo sockets can be made and logs once if not.
    public init(settings: ProbeAgentSettings, client: ControllerClient, logger: Logger) {
        self.settings = settings
        self.client = client
        self.logger = logger
        var icmp = (v4: false, v6: false)
        if settings.methods.contains(.icmp) {
            let v4Problem = ICMPEchoProbe.unavailableReason(for: .v4(0x7F00_0001))
            let v6Problem = ICMPEchoProbe.unavailableReason(for: .v6(1))
            icmp = (v4Problem == nil, v6Problem == nil)
            if let problem = v4Problem ?? v6Problem {
                let families = [v4Problem.map { _ in "IPv4" }, v6Problem.map { _ in "IPv6" }].compactMap { $0 }
                logger.warning("""
                    ICMP echo sockets not permitted (\(problem)) for \(families.joined(separator: " and ")) targets: \
                    skipping ICMP; allow it with sysctl net.ipv4.ping_group_range="0 2147483647"
                    """)
            }
        }
        self.measurer = TargetMeasurer(methods: settings.methods, timeout: settings.timeout,
                                       pacer: ProbePacer(rate: settings.rate), icmpIPv4: icmp.v4, icmpIPv6: icmp.v6)
        self.buffer = MeasurementBuffer(capacity: settings.maxPending)
    }

    /// Runs rounds until cancelled (or one round with `once`). Throws only when `once` and the
    /// controller could not be reached or would not take the measurements.
    public func run() async throws(ControllerError) {
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let list = try await withRetries("fetching probe targets") { () async throws(ControllerError) in try await fetchTargets() }
            let start = clock.now
            let measured = await runRound(list, spread: settings.once ? .zero : list.interval)
            logger.info("round done: \(measured) of \(list.targets.count) targets measured in \(clock.now - start)")
            if settings.once {
                try await flush(final: true)
                return
            }
            try? await flush(final: false)
            let next = start + list.interval
            if clock.now > next {
                logger.warning("a round took longer than the \(list.interval) interval; raise --rate or expect fewer rounds")
            }
            try? await Task.sleep(until: next, clock: clock)
        }
    }

    /// `GET /nearcast/latency/probe-targets?region=R`, parsed.
    public func fetchTargets() async throws(ControllerError) -> ProbeTargetList {
        let response = try await client.get(Self.targetsPath, query: [("region", settings.region)])
        try response.requireSuccess()
        let list = try ProbeTargetList.parse(response.body)
        for reason in list.skipped.prefix(5) { logger.warning("controller sent a bad probe target, skipped: \(reason)") }
        logger.info("\(list.targets.count) probe targets for \(settings.region), interval \(list.interval)")
        return list
    }

    /// Measures every target once, target i starting at i × spread / count, posting as it goes
    /// (every `flushInterval` or `batchSize` measurements). Returns how many targets answered.
    public func runRound(_ list: ProbeTargetList, spread: Duration) async -> Int {
        let clock = ContinuousClock()
        let start = clock.now
        let offsets = RoundSchedule.offsets(count: list.targets.count, spread: spread)
        let measurer = measurer
        return await withTaskGroup(of: Bool.self) { group in
            for (target, offset) in zip(list.targets, offsets) {
                group.addTask {
                    try? await Task.sleep(until: start + offset, clock: clock)
                    guard let measurement = await measurer.measure(target) else {
                        logger.debug("no answer from \(target.address) (\(target.kind.rawValue))")
                        return false
                    }
                    await buffer.add(measurement)
                    return true
                }
            }
            let flusher = Task {
                var lastFlush = clock.now
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(200))
                    if await buffer.count >= settings.batchSize || clock.now - lastFlush >= settings.flushInterval {
                        try? await flush(final: false)
                        lastFlush = clock.now
                    }
                }
            }
            var answered = 0
            for await ok in group where ok { answered += 1 }
            flusher.cancel()
            return answered
        }
    }

    /// Posts what is pending in batches. Not `final`: one attempt per batch, failures stay pending.
    /// `final` (the end of a `once` round): batches are retried, and a batch that still fails throws.
    func flush(final: Bool) async throws(ControllerError) {
        while true {
            let batch = await buffer.take(settings.batchSize)
            if batch.isEmpty { return }
            do {
                if final {
                    try await withRetries("posting \(batch.count) measurements") { () async throws(ControllerError) in
                        try await post(batch)
                    }
                } else {
                    try await post(batch)
                }
            } catch {
                await buffer.putBack(batch)
                if final { throw error }
                logger.warning("could not post \(batch.count) measurements, keeping them for the next try: \(error)")
                return
            }
        }
    }

    /// `POST /nearcast/latency/measurements?source=probe&partial=true` with one batch.
    func post(_ batch: [ProbeMeasurement]) async throws(ControllerError) {
        let response = try await client.post(
            Self.measurementsPath, query: [("source", "probe"), ("partial", "true")],
            body: ProbeMeasurement.jsonBody(batch, region: settings.region), contentType: "application/json")
        let summary = try response.decode(IngestSummary.self)
        logger.info("posted \(batch.count) measurements: \(summary.accepted) accepted, \(summary.rejected) rejected")
        for error in (summary.errors ?? []).prefix(3) {
            logger.warning("controller rejected measurement line \(error.line): \(error.reason)")
        }
    }

    /// Runs `operation` until it succeeds, waiting `retryDelay` (doubling, capped) between tries;
    /// with `once`, gives up after `onceAttempts` tries and throws the last error.
    private func withRetries<T>(_ what: String, _ operation: () async throws(ControllerError) -> T) async throws(ControllerError) -> T {
        var delay = settings.retryDelay
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch {
                if settings.once && attempt >= settings.onceAttempts {
                    logger.error("\(what) failed \(attempt) times, giving up: \(error)")
                    throw error
                }
                logger.warning("\(what) failed (attempt \(attempt)): \(error); retrying in \(delay)")
                try? await Task.sleep(for: delay)
                if Task.isCancelled { throw error }
                delay = min(delay * 2, settings.maxRetryDelay)
                attempt += 1
            }
        }
    }
}
