import Foundation
import LatencyModel

/// The best round trip to one target in one round.
public struct ProbeMeasurement: Sendable, Equatable {
    public var target: IPAddress
    public var rtt: Duration
    /// The method that gave the minimum.
    public var method: ProbeMethod
    /// When it was measured, in seconds since 1970 (wall clock).
    public var time: Double

    public init(target: IPAddress, rtt: Duration, method: ProbeMethod, time: Double) {
        self.target = target
        self.rtt = rtt
        self.method = method
        self.time = time
    }

    /// The `POST /nearcast/latency/measurements` JSON body: `{"measurements": [{"time", "client",
    /// "region", "rtt_ms", "source": "probe"}]}`, times to the millisecond, RTTs to the microsecond
    /// (never below 0.001 ms, since the node wants rtt_ms > 0).
    public static func jsonBody(_ measurements: [ProbeMeasurement], region: String) -> [UInt8] {
        let rows: [[String: Any]] = measurements.map {
            [
                "time": ($0.time * 1000).rounded() / 1000,
                "client": $0.target.description,
                "region": region,
                "rtt_ms": max(0.001, ($0.rtt.milliseconds * 1000).rounded() / 1000),
                "source": "probe",
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: ["measurements": rows], options: [.sortedKeys])) ?? Data()
        return Array(data)
    }
}

/// What the node said about a posted batch.
public struct IngestSummary: Decodable, Sendable, Equatable {
    public struct RowError: Decodable, Sendable, Equatable {
        public var line: Int
        public var reason: String
    }

    public var accepted: Int
    public var rejected: Int
    public var errors: [RowError]?
}
