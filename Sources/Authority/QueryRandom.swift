/// The random source of one query's choices (weighted, multivalue): a single
/// system draw, taken on first use, seeds SplitMix64 for the rest, so an
/// answer costs at most one `getrandom` call rather than one per draw.
struct QueryRandom: RandomNumberGenerator {
    private var state: UInt64? = nil

    mutating func next() -> UInt64 {
        var system = SystemRandomNumberGenerator()
        var z = (state ?? system.next()) &+ 0x9E37_79B9_7F4A_7C15
        state = z
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
