import Foundation
@testable import LatencyLearning
import LatencyModel
import SeededRandom

func ip(_ text: String) -> IPAddress { IPAddress(text)! }
func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }

let hourMs: Int64 = 3_600_000
let t0Ms: Int64 = 1_700_000_000_000

extension SeededGenerator {
    /// `level` times e^N(0, σ²): multiplicative noise with spread σ.
    mutating func rtt(_ level: Double, noise sigma: Double) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return level * exp(sigma * sqrt(-2 * log(u)) * cos(2 * .pi * v))
    }
}

/// One (network, region) estimate fed with samples, with a clock.
struct Feed {
    static let halfLifeSeconds: UInt32 = 6 * 3600
    static let decay = 1 / Float32(halfLifeSeconds)

    var estimate: RobustEstimate?
    var second: UInt32 = 1_700_000_000
    var generator = SeededGenerator(state: 7)

    var rttMs: Double { estimate!.rttMs }

    /// Adds one sample taken at `second` (the clock does not move).
    mutating func add(_ rttMs: Double, at second: UInt32) {
        let x = Float32(log(rttMs))
        if estimate == nil { estimate = RobustEstimate(logRTT: x, second: second) }
        else { estimate!.add(logRTT: x, second: second, decayPerSecond: Self.decay) }
    }

    /// Samples around `level` with noise `sigma`, one every `step` seconds, for `halfLives` half-lives.
    mutating func run(level: Double, noise sigma: Double, halfLives: Double, step: UInt32 = 120) {
        for _ in 0..<Int(halfLives * Double(Self.halfLifeSeconds / step)) {
            second += step
            add(generator.rtt(level, noise: sigma), at: second)
        }
    }
}
