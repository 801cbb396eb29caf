import Foundation
import LatencyModel
import LatencyPrediction

/// Hour-by-hour lines of what Nearcast knew of a network and answered it,
/// for the simulation's `--trace`: the networks that did not follow the
/// event's change within the half-life, or switched more often than their
/// fastest region changed, with the cause to be read off their estimates.
struct Trace {
    /// Per network, its lines from the hour before the event to a day after its end.
    private var lines: [[String]]

    init(networks: Int) { lines = Array(repeating: [], count: networks) }

    /// One hour of network `n`: its reports that hour, the answer and the
    /// fastest region with their true RTTs, then per region the true RTT,
    /// what the map was built with (its source and sample weight), and a
    /// pending level with its weight (`RegionPrediction.pendingMs`: not for
    /// a confirmed region, whose RTT is that level).
    /// `regions`, `names` and `trueRTTs` are aligned; `answer` and `fastest` index them.
    mutating func record(_ n: Int, hour: Int, reports: Int, regions: [RegionID], names: [String], trueRTTs: [Double], answer: Int,
                         fastest: Int, prediction: NetworkPrediction) {
        func ms(_ value: Double) -> String { String(format: "%.0f", value) }
        var line = "h\(hour) reports \(reports): answer \(names[answer]) \(ms(trueRTTs[answer])), fastest \(names[fastest]) \(ms(trueRTTs[fastest]))"
        for (r, region) in regions.enumerated() {
            line += " | \(names[r]) \(ms(trueRTTs[r])):"
            if let predicted = prediction.regions.first(where: { $0.region == region }) {
                line += " \(predicted.rttMs.map(ms) ?? "?") \(predicted.source)"
                if let samples = predicted.samples { line += String(format: " %.1f", samples) }
                if let pending = predicted.pendingMs { line += String(format: " pending %@ ×%.1f", ms(pending), predicted.pendingSamples ?? 0) }
            }
        }
        lines[n].append(line)
    }

    /// The trace of network `n` under a heading saying why it is shown.
    func text(_ n: Int, heading: String) -> String {
        (["### " + heading] + lines[n]).joined(separator: "\n")
    }
}
