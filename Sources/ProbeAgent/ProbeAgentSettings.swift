/// How `nearcast probe` runs.
public struct ProbeAgentSettings: Sendable {
    /// The region this agent measures from, e.g. `eu-west-1`.
    public var region: String
    public var methods: [ProbeMethod] = ProbeMethod.allCases
    /// At most this many probes a second, all methods together.
    public var rate: Double = 20
    /// How long a probe may take before it counts as no answer.
    public var timeout: Duration = .seconds(2)
    /// One round, then return.
    public var once = false
    /// At most this many measurements per POST.
    public var batchSize = 500
    /// How often measurements are posted during a round.
    public var flushInterval: Duration = .seconds(10)
    /// The first retry delay after a failed controller call; it doubles up to `maxRetryDelay`.
    public var retryDelay: Duration = .seconds(1)
    public var maxRetryDelay: Duration = .seconds(60)
    /// Controller calls are tried this often with `once` before giving up (forever otherwise).
    public var onceAttempts = 5
    /// Measurements kept while the controller is down; older ones are dropped beyond this.
    public var maxPending = 100_000

    public init(region: String) { self.region = region }

    /// Nil when usable, else what is wrong, for the user.
    public var problem: String? {
        let regionCharacters = region.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        if region.isEmpty || !regionCharacters { return "--region must be a region name such as eu-west-1, got '\(region)'" }
        if !(rate.isFinite && rate > 0 && rate <= 10_000) { return "--rate must be a number of probes a second in (0, 10000], got \(rate)" }
        if timeout <= .zero || timeout > .seconds(60) { return "--timeout must be in (0, 60] seconds" }
        if methods.isEmpty { return "--methods must name at least one of tcp, dns, icmp" }
        if batchSize < 1 { return "batch size must be at least 1" }
        return nil
    }
}
