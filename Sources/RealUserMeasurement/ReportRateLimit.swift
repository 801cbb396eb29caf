import LatencyModel
import Synchronization

/// At most `limit` reports per client network in each fixed minute, so no one
/// network can outvote the others. Memory is bounded: once `maxNetworks`
/// networks have reported in a minute, newcomers wait for the next one.
final class ReportRateLimit: Sendable {
    let limit: Int
    let maxNetworks: Int
    static let windowMs: Int64 = 60_000

    private struct Window {
        var startMs: Int64? = nil
        var counts: [IPPrefix: Int] = [:]
    }

    private let window = Mutex(Window())

    init(limit: Int, maxNetworks: Int = 100_000) {
        self.limit = limit
        self.maxNetworks = maxNetworks
    }

    /// Counts one report from `network` at `nowMs`; false when it is over the limit.
    func admit(_ network: IPPrefix, nowMs: Int64) -> Bool {
        window.withLock { window in
            if !(window.startMs.map { (0..<Self.windowMs).contains(nowMs - $0) } ?? false) {
                window = Window(startMs: nowMs)
            }
            let count = window.counts[network] ?? 0
            guard count < limit, count > 0 || window.counts.count < maxNetworks else { return false }
            window.counts[network] = count + 1
            return true
        }
    }
}
