/// A token bucket: `rate` tokens a second, at most `capacity` saved up.
///
/// Invariant: over any window of length T, at most `capacity + rate * T` tokens are granted.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let capacity: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    /// Starts full. `rate` must be positive; `capacity` at least 1.
    public init(rate: Double, capacity: Double = 1, now: ContinuousClock.Instant) {
        self.rate = max(rate, .leastNormalMagnitude)
        self.capacity = max(capacity, 1)
        self.tokens = self.capacity
        self.updated = now
    }

    /// Takes one token and returns how long to wait before using it (zero if one was there). Tokens may
    /// go negative: reservations queue up in order.
    public mutating func reserve(now: ContinuousClock.Instant) -> Duration {
        if now > updated {
            tokens = min(capacity, tokens + (now - updated).seconds * rate)
            updated = now
        }
        tokens -= 1
        return tokens >= 0 ? .zero : .seconds(-tokens / rate)
    }
}

/// Paces probes across tasks: each `acquire` waits for its token.
public actor ProbePacer {
    private var bucket: TokenBucket
    private let clock = ContinuousClock()

    public init(rate: Double) {
        bucket = TokenBucket(rate: rate, now: clock.now)
    }

    /// Returns once this caller may send one probe.
    public func acquire() async {
        let wait = bucket.reserve(now: clock.now)
        if wait > .zero { try? await Task.sleep(for: wait) }
    }
}

/// When each target's probes start within a round.
public enum RoundSchedule {
    /// Start offsets for `count` targets spread evenly over `spread` (zero: all at once, the pacer alone
    /// spacing them). Target i starts at i × spread / count.
    public static func offsets(count: Int, spread: Duration) -> [Duration] {
        guard count > 0 else { return [] }
        return (0..<count).map { spread * (Double($0) / Double(count)) }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// In milliseconds, as a Double.
    var milliseconds: Double { seconds * 1000 }
}
