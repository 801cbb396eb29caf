/// The random source of answers' choices (weighted, multivalue): a single
/// system draw, taken on first use, seeds SplitMix64 for the rest. Made per
/// query, an answer costs at most one `getrandom` call; kept by a UDP thread
/// or a TCP connection, none. The choices need to be fair, not secret.
public struct QueryRandom: RandomNumberGenerator {
    public init() {}

    private var state: UInt64? = nil

    public mutating func next() -> UInt64 {
        var system = SystemRandomNumberGenerator()
        var z = (state ?? system.next()) &+ 0x9E37_79B9_7F4A_7C15
        state = z
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
