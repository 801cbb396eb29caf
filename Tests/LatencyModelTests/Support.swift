@testable import LatencyModel

func ip(_ text: String) -> IPAddress { IPAddress(text)! }
func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }

/// A map from `prefix: [region: rtt]` with `defaultRanking`.
func latencyMap(_ measurements: [String: [RegionID: Double]], defaultRanking: [RegionID] = [0]) -> LatencyMap {
    let entries = measurements.flatMap { text, rtts in
        rtts.map { LatencyEntry(prefix: prefix(text), region: $0.key, rttMs: $0.value) }
    }
    return LatencyMap(entries: entries, defaultRanking: defaultRanking)
}

/// A small deterministic generator (SplitMix64) so random maps are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension IPAddress {
    /// The next address, or nil after the family's last one.
    var successor: IPAddress? {
        switch self {
        case .v4(let v): v == .max ? nil : .v4(v + 1)
        case .v6(let v): v == .max ? nil : .v6(v + 1)
        }
    }
    var predecessor: IPAddress? {
        switch self {
        case .v4(let v): v == 0 ? nil : .v4(v - 1)
        case .v6(let v): v == 0 ? nil : .v6(v - 1)
        }
    }
}

extension IPPrefix {
    /// The last address in the prefix.
    var last: IPAddress {
        switch address {
        case .v4(let v): .v4(v | (length == 32 ? 0 : UInt32.max >> length))
        case .v6(let v): .v6(v | (length == 128 ? 0 : UInt128.max >> length))
        }
    }
}
