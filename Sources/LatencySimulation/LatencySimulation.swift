// The latency simulation (issue #4, "Prove it"): `swift run -c release LatencySimulation --help`.
import ArgumentParser
import Foundation
import GeoPrior
import LatencyLearning
import LatencyPrediction
import SeededRandom

@main
struct LatencySimulation: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate days of latency measurements through Nearcast's real parser, learning, map build and DNS answers.")

    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Client networks (/24s in real ranges of real countries).") var networks = 10_000
    @Option(help: "Simulated days.") var days = 7
    @Option(help: "Share of the networks that ever send measurements.") var measuredShare = 0.5
    @Option(help: "Reports an hour from each measured network (each times every region).") var reportsPerHour = 0.5
    @Option(help: "The estimator's half-life in hours.") var halfLifeHours = 6.0
    @Option(help: "Hysteresis: how many combined standard errors a new best region must win by (0: the fixed 10% / 2 ms margin alone).")
    var hysteresisStandardErrors = Hysteresis().standardErrors
    @Option(help: "Hysteresis: the relative part of the fixed margin a new best region must win by (the score's real change stays 10%).")
    var hysteresisRelative = Hysteresis().relative
    @Option(help: "Let a bucket's roll-up confirm its estimates' pending candidate levels (true/false).")
    var confirmCandidates = PredictionSettings().confirmCandidates
    @Option(help: "Rank a measured estimate older than its country's change moved by that change (true/false).")
    var shiftStaleEstimates = PredictionSettings().shiftStaleEstimates
    @Option(help: "Most /24s one provider (one IP range, sharing routes and access) holds; 1: every network on its own.")
    var maxProviderNetworks = 16
    @Option(help: "Also write the report (Markdown) to this file.") var report: String?
    @Option(help: "Write an hour-by-hour trace of the measured networks that did not follow the event within the half-life, or switched more often than their fastest region changed, to this file.")
    var trace: String?
    @Option(help: "Exit 1 unless Nearcast's mean excess RTT is at most this share of geo-nearest's (for CI).")
    var requireRatio: Double?

    func run() throws {
        var generator = SeededGenerator(state: seed)
        let tor = try TorGeoIP()
        let world = try World(networks: networks, measuredShare: measuredShare, days: days,
                              maxProviderNetworks: maxProviderNetworks, tor: tor, generator: &generator)
        let simulation = Simulation(world: world, days: days, halfLifeMs: Int64(halfLifeHours * 3_600_000), reportsPerHour: reportsPerHour,
                                    hysteresis: Hysteresis(relative: hysteresisRelative, standardErrors: hysteresisStandardErrors),
                                    confirmCandidates: confirmCandidates, shiftStaleEstimates: shiftStaleEstimates,
                                    tracing: trace != nil)
        let began = Date()
        let result = try simulation.run(generator: &generator)
        let text = Report.markdown(result, world: world, command: CommandLine.arguments.dropFirst().joined(separator: " "),
                                   halfLifeHours: halfLifeHours, seconds: Date().timeIntervalSince(began))
        print(text)
        if let report { try text.write(toFile: report, atomically: true, encoding: .utf8) }
        if let trace { try (result.traces.joined(separator: "\n\n") + "\n").write(toFile: trace, atomically: true, encoding: .utf8) }
        let ratio = result.overall.all.mean / max(result.overall.geo.mean, 0.001)
        if let requireRatio, !(ratio <= requireRatio) {
            print("FAILED: mean excess RTT is \(ratio) of geo-nearest's, more than the required \(requireRatio)")
            throw ExitCode(1)
        }
    }
}
