import DNSWire
import Synchronization

/// What one answering thread's responses came to, for metrics: responses
/// per RCODE, truncated ones, those answered from the thread's answer
/// cache, and requests dropped unanswered.
///
/// Invariant: only the thread that answers writes (a relaxed load and
/// store, no read-modify-write, so counting costs no locked instruction);
/// any thread may read, seeing a count at most a moment late. The counts
/// sit between 64-byte pads, so no two threads' counters share a cache line.
public final class QueryCounters: Sendable {
    /// The RCODEs counted one by one (every one Nearcast sends); `counts()`
    /// lists them in this order, then any other.
    public static let rcodes: [RCode] = [.noError, .formErr, .servFail, .nxDomain, .notImp, .refused, .badVers]
    /// The index in `counts().responses` of every RCODE not in `rcodes` (= `rcodes.count`).
    static let other = 7

    private let padBefore = InlineArray<8, UInt64>(repeating: 0)
    /// Per RCODE value 0...16 (BADVERS), its index in `rcodes`, else `other`:
    /// a field rather than a static table, so counting takes no lazy-global check.
    private let slots = InlineArray<17, UInt8> { code in
        UInt8(rcodes.firstIndex(of: RCode(rawValue: UInt16(code))) ?? other)
    }
    private let responses: InlineArray<8, Atomic<UInt64>> = InlineArray { _ in Atomic(0) }
    private let truncated = Atomic<UInt64>(0)
    private let fromCache = Atomic<UInt64>(0)
    private let dropped = Atomic<UInt64>(0)
    private let padAfter = InlineArray<8, UInt64>(repeating: 0)

    public init() { assert(Self.other == Self.rcodes.count) }

    /// Counts a response of `rcode`.
    func responded(_ rcode: RCode, truncated isTruncated: Bool, fromCache isFromCache: Bool) {
        let code = Int(rcode.rawValue)
        bump(responses[code < slots.count ? Int(slots[code]) : Self.other])
        if isTruncated { bump(truncated) }
        if isFromCache { bump(fromCache) }
    }

    /// Counts a request that got no response.
    func droppedRequest() { bump(dropped) }

    @inline(__always) private func bump(_ counter: borrowing Atomic<UInt64>) {
        counter.store(counter.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// The counts so far.
    public func counts() -> QueryCounts {
        QueryCounts(responses: (0...Self.other).map { responses[$0].load(ordering: .relaxed) },
                    truncated: truncated.load(ordering: .relaxed), fromCache: fromCache.load(ordering: .relaxed),
                    dropped: dropped.load(ordering: .relaxed))
    }
}

/// A reading of `QueryCounters`, or the sum of several.
public struct QueryCounts: Equatable, Sendable {
    /// Per `QueryCounters.rcodes`, then every other RCODE.
    public var responses: [UInt64]
    public var truncated: UInt64
    public var fromCache: UInt64
    public var dropped: UInt64

    public init(responses: [UInt64] = Array(repeating: 0, count: 8), truncated: UInt64 = 0, fromCache: UInt64 = 0, dropped: UInt64 = 0) {
        self.responses = responses; self.truncated = truncated; self.fromCache = fromCache; self.dropped = dropped
    }

    public static func + (a: QueryCounts, b: QueryCounts) -> QueryCounts {
        QueryCounts(responses: zip(a.responses, b.responses).map { $0 &+ $1 }, truncated: a.truncated &+ b.truncated,
                    fromCache: a.fromCache &+ b.fromCache, dropped: a.dropped &+ b.dropped)
    }
}
