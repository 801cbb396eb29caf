import Dispatch
import HealthChecking
import Logging
import NIOConcurrencyHelpers
import Route53Model
import Store

/// Keeps nodes that share a store in step, once per `period`: serves
/// hosted zone changes other nodes committed, writes this node's new
/// health observations, hands every other node's to the monitor (which
/// decides with Route 53's 18% rule over all of them), and follows health
/// checks created, updated or deleted through any node.
///
/// Invariant: store work runs on `queue`, never on an event loop.
final class StoreSync: Sendable {
    private let data: ServedData
    private let monitor: HealthMonitor
    private var store: Store { data.store }
    private let logger: Logger
    private let queue = DispatchQueue(label: "nearcast.health-sync")
    /// Dispatch sources are thread-safe; this one is only resumed and cancelled.
    private nonisolated(unsafe) let timer: any DispatchSourceTimer
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// The checkedAt of each check's observation last written.
        var written: [String: Int64] = [:]
        var generation: Int64?
    }

    init(data: ServedData, monitor: HealthMonitor, logger: Logger, period: DispatchTimeInterval = .seconds(1)) {
        self.data = data; self.monitor = monitor; self.logger = logger
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { [weak self] in self?.exchange() }
        timer.resume()
    }

    /// Stops exchanging; returns after the exchange in progress, if any.
    func stop() {
        timer.cancel()
        queue.sync {}
    }

    private func exchange() {
        data.followStore()
        do {
            let own = monitor.observations
            let new = state.withLockedValue { state in own.filter { state.written[$0.checkID] != $0.checkedAt } }
            try store.recordObservations(new)
            state.withLockedValue { state in
                for observation in new { state.written[observation.checkID] = observation.checkedAt }
            }
            let generation = try store.healthCheckGeneration()
            if generation != state.withLockedValue({ $0.generation }) {
                let checks = try store.healthChecks()
                monitor.apply(checks)
                state.withLockedValue { state in
                    state.generation = generation
                    let ids = Set(checks.map(\.id))
                    state.written = state.written.filter { ids.contains($0.key) }
                }
            }
            monitor.merge(remote: try store.observations())
        } catch {
            logger.error("could not exchange health observations through the store; retrying", metadata: ["error": "\(error)"])
        }
    }
}
