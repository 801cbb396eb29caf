import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import Route53Model

/// Runs Route 53-style health checks from this node and decides each check's status.
///
/// Every endpoint check (not CALCULATED, not Disabled) sends one request at a time: the next starts
/// RequestInterval × `timeScale` after the previous one ended ("The number of seconds between the time that
/// Amazon Route 53 gets a response from your endpoint and the time that it sends the next health check
/// request", API Reference). This node's status of a check (its observation) flips only after
/// FailureThreshold consecutive results that disagree with it ("The number of consecutive health checks that
/// an endpoint must pass or fail for Amazon Route 53 to change the current status of the endpoint from
/// unhealthy to healthy or vice versa"); a new check starts healthy. Statuses are decided by
/// `decideStatuses`, from the observations of every observer: this node's and the other nodes' that `merge` brings.
///
/// All state is behind one lock; requests and timers run on `group`'s event loops. Call `shutdown` before
/// releasing a monitor: its timers keep it alive until then.
public final class HealthMonitor: Sendable {
    private let observer: String
    private let observerAddress: String
    private let group: any EventLoopGroup
    private let settings: HealthCheckSettings
    private let logger: Logger
    private let tls: NIOSSLContext
    private let source: SocketAddress?
    /// Delivers `onChange` calls, in the order they were made.
    private let notifier: any EventLoop
    private let onChange: @Sendable ([String: Bool]) -> Void
    private let state = NIOLockedValueBox(State())
    /// Set by `shutdown`; `onChange` runs only while holding it unset, so no call starts after `shutdown`
    /// returns (and `shutdown` waits for one that is running). `onChange` must not call `shutdown`.
    private let stopped = NIOLockedValueBox(false)

    /// `observer` names this node (shown as the checker's Region), `observerAddress` its address.
    /// `onChange` is called (off the caller's thread, serialized) with the full map id → decided healthy, every
    /// time any decided status changes (and once after the first apply).
    public init(
        observer: String, observerAddress: String, group: any EventLoopGroup, settings: HealthCheckSettings,
        logger: Logger, onChange: @escaping @Sendable ([String: Bool]) -> Void
    ) {
        self.observer = observer
        self.observerAddress = observerAddress
        self.group = group
        self.settings = settings
        self.logger = logger
        self.onChange = onChange
        notifier = group.next()
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        tlsConfiguration.certificateVerification = .none
        tlsConfiguration.minimumTLSVersion = .tlsv1  // "the endpoint must support TLS v1.0, v1.1, or v1.2"
        tls = try! NIOSSLContext(configuration: tlsConfiguration)  // loads no files: cannot fail
        source = settings.sourceAddress.flatMap { try? SocketAddress(ipAddress: $0, port: 0) }
    }

    /// Makes the running checks match `checks`: starts new ones at once (Route 53 starts checking when a check
    /// is created, not on the first query), stops removed ones (closing their connections), restarts changed
    /// ones keeping their current status. The checks of the first call start at random times within their
    /// first interval instead, so that thousands of checks loaded at start-up do not fire together.
    public func apply(_ checks: [HealthCheck]) {
        let wanted = Dictionary(checks.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        let (stale, changes) = state.withLockedValue { state -> ([Entry], [Change]) in
            guard !state.shutDown else { return ([], []) }
            let first = !state.applied
            state.applied = true
            var stale = state.entries.values.filter { wanted[$0.check.id] == nil }
            for entry in stale { state.entries[entry.check.id] = nil }
            for (id, check) in wanted where state.entries[id]?.check != check {
                if let old = state.entries[id] { stale.append(old) }
                var entry = Entry(check: check, observation: state.entries[id]?.observation)
                if check.config.type != .calculated && !check.config.disabled {
                    let interval = settings.interval(check.config).nanoseconds
                    let delay = first && interval > 0 ? TimeAmount.nanoseconds(.random(in: 0..<interval)) : .zero
                    state.runs += 1
                    entry.run = state.runs
                    entry.timer = schedule(id, run: state.runs, on: group.next(), in: delay)
                }
                state.entries[id] = entry
            }
            return (stale, redecide(&state, always: first))
        }
        stale.forEach(stop)
        log(changes)
    }

    /// This node's latest observation of a check (nil before its first result).
    public func observation(of id: String) -> HealthObservation? {
        state.withLockedValue { $0.entries[id]?.observation }
    }

    /// The decided status of every check: id → healthy.
    public var statuses: [String: Bool] { state.withLockedValue { $0.statuses } }

    /// This node's latest observation of every check that has one.
    public var observations: [HealthObservation] { state.withLockedValue { $0.entries.values.compactMap(\.observation) } }

    /// Takes other observers' latest observations (this node's own are
    /// ignored) into the decision. An observation older than three
    /// intervals plus the longest request is of an observer that stopped
    /// checking, and does not count.
    public func merge(remote: [HealthObservation]) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let changes = state.withLockedValue { state -> [Change] in
            var fresh: [String: [HealthObservation]] = [:]
            for observation in remote where observation.observer != observer {
                guard let config = state.entries[observation.checkID]?.check.config else { continue }
                let horizon = 3 * settings.interval(config).nanoseconds / 1_000_000 + Limits.tcpConnect.nanoseconds / 1_000_000
                if now - observation.checkedAt <= horizon { fresh[observation.checkID, default: []].append(observation) }
            }
            guard fresh != state.remote else { return [] }
            state.remote = fresh
            return redecide(&state, always: false)
        }
        log(changes)
    }

    /// The statuses that `checks` have given stored observations (of any
    /// observers): what a node deciding from them would answer with.
    public static func statuses(of checks: [HealthCheck], observations: [HealthObservation]) -> [String: Bool] {
        let byCheck = Dictionary(grouping: observations, by: \.checkID)
        return decideStatuses(Dictionary(checks.map { ($0.id, $0.config) }, uniquingKeysWith: { $1 })) { byCheck[$0] ?? [] }
    }

    /// Stops every check; no callbacks after it returns.
    public func shutdown() {
        let running = state.withLockedValue { state -> [Entry] in
            state.shutDown = true
            let running = Array(state.entries.values)
            for id in state.entries.keys { state.entries[id]?.run = nil }
            return running
        }
        running.forEach(stop)
        stopped.withLockedValue { $0 = true }
    }

    // MARK: - Running checks

    private func schedule(_ id: String, run: UInt64, on loop: any EventLoop, in delay: TimeAmount) -> Scheduled<Void> {
        loop.scheduleTask(in: delay) { self.probe(id, run: run, on: loop) }
    }

    private func probe(_ id: String, run: UInt64, on loop: any EventLoop) {
        guard let check = state.withLockedValue({ $0.entries[id]?.run == run ? $0.entries[id]?.check : nil }) else { return }
        Probe(check: check, tls: tls, source: source).run(on: loop) { channel in
            self.state.withLockedValue { state in
                guard state.entries[id]?.run == run else { return false }
                state.entries[id]?.channel = channel
                return true
            }
        }.whenSuccess { self.record($0, id: id, run: run, on: loop) }
    }

    /// Counts a result of run `run` (dropped if the check was stopped or restarted since) and schedules the
    /// next request.
    private func record(_ result: ProbeResult, id: String, run: UInt64, on loop: any EventLoop) {
        let changes = state.withLockedValue { state -> [Change] in
            guard var entry = state.entries[id], entry.run == run else { return [] }
            let before = entry.observation?.healthy ?? true  // a new check starts healthy
            entry.count(result, by: observer, at: observerAddress)
            entry.channel = nil
            entry.timer = schedule(id, run: run, on: loop, in: settings.interval(entry.check.config))
            state.entries[id] = entry
            return entry.observation?.healthy == before ? [] : redecide(&state, always: false)
        }
        log(changes)
    }

    private func stop(_ entry: Entry) {
        entry.timer?.cancel()
        entry.channel?.close(promise: nil)
    }

    // MARK: - Deciding

    /// A decided status that changed (a check's first status is no change).
    private struct Change {
        var id: String
        var old: Bool
        var new: Bool
        /// This node's last status text (none for CALCULATED and never-checked checks).
        var report: String?
    }

    /// Decides every status again; when any changed (or `always`), queues `onChange` with the new map.
    /// Called with the lock held, so calls are queued in the order the maps were made.
    private func redecide(_ state: inout State, always: Bool) -> [Change] {
        let entries = state.entries, remote = state.remote
        let statuses = decideStatuses(entries.mapValues(\.check.config)) { id in
            (entries[id]?.observation.map { [$0] } ?? []) + (remote[id] ?? [])
        }
        let old = state.statuses
        state.statuses = statuses
        if always || statuses != old {
            notifier.execute {
                self.stopped.withLockedValue { stopped in if !stopped { self.onChange(statuses) } }
            }
        }
        return statuses.compactMap { id, new in
            guard let was = old[id], was != new else { return nil }
            return Change(id: id, old: was, new: new, report: entries[id]?.observation?.report)
        }
    }

    private func log(_ changes: [Change]) {
        func name(_ healthy: Bool) -> Logger.MetadataValue { healthy ? "healthy" : "unhealthy" }
        for change in changes {
            var metadata: Logger.Metadata = ["check": "\(change.id)", "old": name(change.old), "new": name(change.new)]
            metadata["report"] = change.report.map { "\($0)" }
            logger.info("health check status changed", metadata: metadata)
        }
    }
}

/// One check as this node runs it.
private struct Entry: Sendable {
    var check: HealthCheck
    var observation: HealthObservation?
    /// Consecutive results that disagree with `observation.healthy`.
    var disagreements = 0
    /// The current run of requests; a result of another run is dropped. Nil when the check sends no
    /// requests (CALCULATED, Disabled, after shutdown).
    var run: UInt64?
    var timer: Scheduled<Void>?
    /// The connection of the request in flight, if any.
    var channel: (any Channel)?

    init(check: HealthCheck, observation: HealthObservation?) {
        self.check = check
        self.observation = observation
    }

    /// Counts a result: the observer's status flips after FailureThreshold consecutive disagreeing results.
    mutating func count(_ result: ProbeResult, by observer: String, at address: String) {
        var observation = observation ?? HealthObservation(
            checkID: check.id, observer: observer, observerAddress: address, healthy: true, report: "", checkedAt: 0)
        disagreements = result.healthy == observation.healthy ? 0 : disagreements + 1
        if disagreements >= check.config.failureThreshold {
            observation.healthy = result.healthy
            disagreements = 0
        }
        observation.report = result.report
        observation.checkedAt = Int64(Date().timeIntervalSince1970 * 1000)
        if !result.healthy { observation.lastFailure = (result.report, observation.checkedAt) }
        self.observation = observation
    }
}

private struct State: Sendable {
    var entries: [String: Entry] = [:]
    var statuses: [String: Bool] = [:]
    /// Other observers' fresh observations, by check.
    var remote: [String: [HealthObservation]] = [:]
    /// The last run number handed out.
    var runs: UInt64 = 0
    var applied = false
    var shutDown = false
}
