@testable import LatencyModel
import SeededRandom

func ip(_ text: String) -> IPAddress { IPAddress(text)! }
func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }

/// A map from `prefix: [region: rtt]` with `defaultRanking`.
func latencyMap(_ measurements: [String: [RegionID: Double]], defaultRanking: [RegionID] = [0]) -> LatencyMap {
    let entries = measurements.flatMap { text, rtts in
        rtts.map { LatencyEntry(prefix: prefix(text), region: $0.key, rttMs: $0.value) }
    }
    return LatencyMap(entries: entries, defaultRanking: defaultRanking)
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
