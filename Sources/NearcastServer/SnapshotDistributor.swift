import Authority
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The snapshot one event loop serves from (TCP), and the loop's buffer
/// for writing one reply.
///
/// Invariant: `current`, `replyBuffer` and `cache` are used only on `loop`, so the
/// query path reads them with no lock and no atomic operation; `counters`
/// is written only there.
final class LoopSnapshot: @unchecked Sendable {
    let loop: EventLoop
    var current: Snapshot
    /// Room for the largest DNS message (65,535 bytes).
    let replyBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(UInt16.max), alignment: 8)
    /// The loop's answers to repeated questions.
    let cache = AnswerCache()
    /// What the loop's queries came to.
    let counters = QueryCounters()
    init(loop: EventLoop, current: Snapshot) { self.loop = loop; self.current = current }
    deinit { replyBuffer.deallocate() }
}

/// The snapshot one UDP thread serves from.
///
/// Invariant: owned by one thread. `refresh()` costs one atomic load unless
/// something was published since; only then does it take the distributor's
/// lock to copy the new reference and acknowledge it.
struct ThreadSnapshot {
    private let distributor: SnapshotDistributor
    private let thread: Int
    private(set) var current: Snapshot
    private var generation: UInt64

    init(distributor: SnapshotDistributor, thread: Int) {
        self.distributor = distributor
        self.thread = thread
        (current, generation) = distributor.acknowledge(thread: thread)
    }

    mutating func refresh() {
        guard distributor.publishedGeneration != generation else { return }
        (current, generation) = distributor.acknowledge(thread: thread)
    }
}

/// Hands each event loop and each UDP thread its own reference to the
/// newest snapshot (an RCU-style swap: readers never wait; an old snapshot
/// is freed when the last query using it is done).
public final class SnapshotDistributor: Sendable {
    private struct State {
        var latest: Snapshot
        var generation: UInt64 = 0
        /// Per registered UDP thread, the newest generation it serves.
        var threads: [Int: UInt64] = [:]
        var nextThread = 0
        /// Per group of UDP threads (keyed by its first thread), what wakes them.
        var wakers: [Int: @Sendable () -> Void] = [:]
        /// Publications some UDP thread does not serve yet.
        var waiting: [(generation: UInt64, promise: EventLoopPromise<Void>)] = []

        /// Removes and returns the waiters every registered thread now serves.
        mutating func takeServedWaiters() -> [EventLoopPromise<Void>] {
            let served = threads.values.min() ?? generation
            let done = waiting.filter { $0.generation <= served }.map(\.promise)
            waiting.removeAll { $0.generation <= served }
            return done
        }
    }

    private let perLoop: [LoopSnapshot]
    private let state: NIOLockedValueBox<State>
    /// `state.generation`, for UDP threads to poll without the lock.
    private let published = Atomic<UInt64>(0)

    init(loops: [EventLoop], initial: Snapshot) {
        perLoop = loops.map { LoopSnapshot(loop: $0, current: initial) }
        state = NIOLockedValueBox(State(latest: initial))
    }

    /// The newest published snapshot (for tools, not for the query path).
    public var latest: Snapshot { state.withLockedValue { $0.latest } }

    /// Every event loop's query counters (TCP).
    var loopCounters: [QueryCounters] { perLoop.map(\.counters) }

    /// The holder that handlers on `loop` read from.
    func holder(for loop: EventLoop) -> LoopSnapshot {
        perLoop.first { $0.loop === loop }!
    }

    var publishedGeneration: UInt64 { published.load(ordering: .acquiring) }

    /// Registers `count` UDP threads, which `wake` makes refresh soon;
    /// `publish` then also waits for them until they are removed.
    func addThreads(_ count: Int, wake: @escaping @Sendable () -> Void) -> [Int] {
        state.withLockedValue { state in
            let threads = Array(state.nextThread..<state.nextThread + count)
            state.nextThread += count
            for thread in threads { state.threads[thread] = state.generation }
            if let first = threads.first { state.wakers[first] = wake }
            return threads
        }
    }

    /// Stops waiting for `threads` (they stopped serving).
    func removeThreads(_ threads: [Int]) {
        let done = state.withLockedValue { state in
            for thread in threads {
                state.threads[thread] = nil
                state.wakers[thread] = nil
            }
            return state.takeServedWaiters()
        }
        for promise in done { promise.succeed() }
    }

    /// Called by UDP thread `thread`: returns the newest snapshot, which the
    /// thread serves from now on.
    func acknowledge(thread: Int) -> (Snapshot, UInt64) {
        let (latest, generation, done) = state.withLockedValue { state in
            if state.threads[thread] != nil { state.threads[thread] = state.generation }
            return (state.latest, state.generation, state.takeServedWaiters())
        }
        for promise in done { promise.succeed() }
        return (latest, generation)
    }

    /// Publishes `snapshot` and wakes the UDP threads; the future succeeds
    /// once every loop and every UDP thread serves it.
    @discardableResult
    public func publish(_ snapshot: Snapshot) -> EventLoopFuture<Void> {
        let threadsServe = perLoop[0].loop.makePromise(of: Void.self)
        let (done, wakers) = state.withLockedValue { state in
            state.generation += 1
            state.latest = snapshot
            state.waiting.append((state.generation, threadsServe))
            published.store(state.generation, ordering: .releasing)
            return (state.takeServedWaiters(), Array(state.wakers.values))
        }
        for promise in done { promise.succeed() }
        for wake in wakers { wake() }
        let swaps = perLoop.map { holder in holder.loop.submit { holder.current = snapshot } }
        return EventLoopFuture.andAllSucceed(swaps + [threadsServe.futureResult], on: perLoop[0].loop)
    }
}
