import Authority
import NIOConcurrencyHelpers
import NIOCore

/// The snapshot one event loop serves from.
///
/// Invariant: `current` is read and written only on `loop`, so the query
/// path reads it with no lock and no atomic operation.
final class LoopSnapshot: @unchecked Sendable {
    let loop: EventLoop
    var current: Snapshot
    init(loop: EventLoop, current: Snapshot) { self.loop = loop; self.current = current }
}

/// Hands each event loop its own reference to the newest snapshot (an
/// RCU-style swap: readers never wait; an old snapshot is freed when the
/// last query using it is done).
public final class SnapshotDistributor: Sendable {
    private let perLoop: [LoopSnapshot]
    private let latestBox: NIOLockedValueBox<Snapshot>

    init(loops: [EventLoop], initial: Snapshot) {
        perLoop = loops.map { LoopSnapshot(loop: $0, current: initial) }
        latestBox = NIOLockedValueBox(initial)
    }

    /// The newest published snapshot (for tools, not for the query path).
    public var latest: Snapshot { latestBox.withLockedValue { $0 } }

    /// The holder that handlers on `loop` read from.
    func holder(for loop: EventLoop) -> LoopSnapshot {
        perLoop.first { $0.loop === loop }!
    }

    /// Publishes `snapshot`; the future succeeds once every loop serves it.
    @discardableResult
    public func publish(_ snapshot: Snapshot) -> EventLoopFuture<Void> {
        latestBox.withLockedValue { $0 = snapshot }
        let swaps = perLoop.map { holder in holder.loop.submit { holder.current = snapshot } }
        return EventLoopFuture.andAllSucceed(swaps, on: perLoop[0].loop)
    }
}
