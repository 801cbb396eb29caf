import Foundation
import LatencyModel

/// A beacon's report, `{"results": [{"region": "eu-west-1", "rtt_ms": 23.4}, ...]}`, checked whole:
/// one bad result rejects the report.
struct RUMReport: Equatable {
    struct Result: Equatable {
        var region: RegionID
        var rttMs: Double
    }

    var results: [Result]

    /// Highest RTT believed: a minute.
    static let maxRTTMs = 60_000.0

    /// Why a report was refused, as the short text the 400 response carries.
    struct Rejection: Error, Equatable {
        var reason: String
    }

    private struct Wire: Decodable {
        struct Result: Decodable {
            var region: String
            var rtt_ms: Double
        }
        var results: [Result]
    }

    /// Parses and validates `body`; `regions` are the regions the beacon times, by name.
    init(body: Data, regions: [String: RegionID], maxResults: Int) throws(Rejection) {
        let wire: Wire
        do { wire = try JSONDecoder().decode(Wire.self, from: body) } catch {
            throw Rejection(reason: #"not a report: expected {"results": [{"region": "...", "rtt_ms": 12.3}]}"#)
        }
        guard !wire.results.isEmpty else { throw Rejection(reason: "no results") }
        guard wire.results.count <= maxResults else {
            throw Rejection(reason: "\(wire.results.count) results; at most \(maxResults) per report")
        }
        results = []
        for (index, result) in wire.results.enumerated() {
            guard let region = regions[result.region] else {
                throw Rejection(reason: "results[\(index)]: '\(result.region.prefix(64))' is not a region this collector measures")
            }
            guard result.rtt_ms > 0, result.rtt_ms <= Self.maxRTTMs else {
                throw Rejection(reason: "results[\(index)]: rtt_ms must be above 0 and at most \(Int(Self.maxRTTMs))")
            }
            results.append(Result(region: region, rttMs: result.rtt_ms))
        }
    }
}
