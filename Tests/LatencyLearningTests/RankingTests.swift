import Testing
@testable import LatencyLearning
import LatencyModel
import SeededRandom
import Foundation

@Suite struct RankingTests {
    let network = prefix("192.0.2.0/24")

    @Test func theMarginIsRelativeAndAbsolute() {
        let hysteresis = Hysteresis()  // 10% and 2 ms
        #expect(hysteresis.replaces(45, current: 50))
        #expect(!hysteresis.replaces(45.5, current: 50))
        #expect(!hysteresis.replaces(4, current: 5))     // 20% better but only 1 ms
        #expect(hysteresis.replaces(3, current: 5))
        #expect(!hysteresis.replaces(50, current: 50))
        #expect(Hysteresis(relative: 0.25, absoluteMs: 0).replaces(75, current: 100))
        #expect(!Hysteresis(relative: 0.25, absoluteMs: 0).replaces(76, current: 100))
    }

    @Test func theEvidenceMarginGrowsWithTheCandidatesStandardError() {
        let hysteresis = Hysteresis()  // 10%, 2 ms, 2 standard errors
        #expect(hysteresis.replaces(88, current: 100))                           // no error: the fixed margin alone
        #expect(!hysteresis.replaces(88, current: 100, standardError: 0.088))    // two samples: ln(100/88) = 0.128 < 2 × 0.088
        #expect(hysteresis.replaces(88, current: 100, standardError: 0.01))      // thirty
        #expect(!hysteresis.replaces(91, current: 100, standardError: 0.001))    // never less than the fixed margin
        #expect(!hysteresis.replaces(4, current: 5, standardError: 0.001))
        #expect(Hysteresis(standardErrors: 0).replaces(88, current: 100, standardError: 0.088))
    }

    @Test func aCurrentBestThatRoseByTheMarginIsNoLongerHeldByIt() {
        let hysteresis = Hysteresis()  // 10%, 2 ms, 2 standard errors
        #expect(!hysteresis.replaces(95, current: 100))
        #expect(hysteresis.replaces(95, current: 100, currentWasMs: 80))          // rose by 20 ms ≥ 10% of 100
        #expect(!hysteresis.replaces(95, current: 100, currentWasMs: 91))         // rose by 9 ms: still held
        #expect(!hysteresis.replaces(95, current: 100, standardError: 0.05, currentWasMs: 80))  // ln(100/95) = 0.051 < 2 × 0.05
        #expect(hysteresis.replaces(95, current: 100, standardError: 0.02, currentWasMs: 80))
        #expect(!hysteresis.replaces(100, current: 100, currentWasMs: 50))        // a tie never replaces
        #expect(!hysteresis.replaces(5.5, current: 6, currentWasMs: 4.5))         // rose by 1.5 ms < 2 ms
        #expect(!hysteresis.replaces(99, current: 100, currentWasMs: 80))         // rose, but 1 ms faster is not 2 ms
    }

    /// Rebuilds of one network from given (RTT, standard error) per region; returns the first regions.
    func firsts(_ rebuilds: [[(RegionID, Float32, Float32)]]) -> [RegionID] {
        var choices = RegionChoices()
        return rebuilds.map { estimates in
            var ranker = Ranker(previous: choices)
            defer { choices = ranker.choices }
            return ranker.rank(PrefixKey(network), estimates)[0]
        }
    }

    @Test func aJumpOfTheCurrentBestLetsACloseRegionTakeOverButACreepDoesNot() {
        // Region 1 at 50 ms jumps to 56 between two rebuilds: region 2 at 53 takes over, though only 5% faster.
        #expect(firsts([[(1, 50, 0.02), (2, 53, 0.02)], [(1, 56, 0.1), (2, 53, 0.02)], [(1, 50, 0.02), (2, 53, 0.02)]]) == [1, 2, 2])
        // The same 56 reached in steps smaller than the margin: region 1 stays.
        let creep: [[(RegionID, Float32, Float32)]] = [50, 52, 54, 56, 56].map { [(1, $0, 0.02), (2, 53, 0.02)] }
        #expect(firsts(creep) == [1, 1, 1, 1, 1])
        // A candidate resting on too few samples still has to win by its standard errors.
        #expect(firsts([[(1, 50, 0.02), (2, 53, 0.1)], [(1, 56, 0.1), (2, 53, 0.1)]]) == [1, 1])
        // A current best swinging between 50 and 56 does not hand over to a borrowed 55.9 and back.
        let swinging: [[(RegionID, Float32, Float32)]] = (0..<6).map { [(1, $0 % 2 == 0 ? 50 : 56, 0), (2, 55.9, 0)] }
        #expect(firsts(swinging) == [1, 1, 1, 1, 1, 1])
    }

    @Test func aJumpedCurrentBestStaysReleasedWhileHeldUntilItRecovers() {
        // Region 1 jumps from 50 to 56; region 2 at 53 first lacks the evidence, then has it a rebuild later:
        // the release holds (measured from 50, not from the 56 of the rebuild between).
        #expect(firsts([[(1, 50, 0.02), (2, 53, 0.05)], [(1, 56, 0.1), (2, 53, 0.05)], [(1, 56, 0.1), (2, 53, 0.02)]]) == [1, 1, 2])
        // Back at 51 it is held by the whole margin again: region 2 at 48, 6% faster, does not take over.
        #expect(firsts([[(1, 50, 0.02), (2, 53, 0.05)], [(1, 56, 0.1), (2, 53, 0.05)], [(1, 51, 0.02), (2, 48, 0.02)]]) == [1, 1, 1])
        // Still the fastest after its rise, it is at its new level: a region that comes within 5% of it later does not take over.
        let risen: [[(RegionID, Float32, Float32)]] = [[(1, 50, 0.02), (2, 70, 0.02)], [(1, 56, 0.02), (2, 70, 0.02)],
                                                       [(1, 56, 0.02), (2, 70, 0.02)], [(1, 56, 0.02), (2, 53.5, 0.02)]]
        #expect(firsts(risen) == [1, 1, 1, 1])
    }

    /// One rebuild from fresh aggregates: each region's samples a second apart; returns the first region.
    func rebuild(_ choices: inout RegionChoices, _ samples: [(region: RegionID, rtts: [Double])],
                 hysteresis: Hysteresis = Hysteresis()) -> RegionID {
        var aggregates = Aggregates(halfLifeMs: 6 * hourMs)
        for (region, rtts) in samples {
            for (i, rtt) in rtts.enumerated() {
                aggregates.add(Measurement(timeMs: t0Ms + Int64(i) * 1000, client: ip("192.0.2.1"), region: region, rttMs: rtt, source: .rum))
            }
        }
        var ranker = Ranker(hysteresis: hysteresis, previous: choices)
        let first = aggregates.rankedPrefixes(with: &ranker)[0].ranking[0]
        choices = ranker.choices
        return first
    }

    @Test func twoSamplesTwelvePercentFasterDoNotFlipTheChoiceButThirtyDo() {
        // The fixed margin alone (the rule before, `standardErrors: 0`) flips on two samples.
        for (hysteresis, expected) in [(Hysteresis(), RegionID(1)), (Hysteresis(standardErrors: 0), 2)] {
            var choices = RegionChoices()
            #expect(rebuild(&choices, [(1, [100, 100]), (2, [110, 110])], hysteresis: hysteresis) == 1)
            #expect(rebuild(&choices, [(1, [100, 100]), (2, [88, 88])], hysteresis: hysteresis) == expected)
        }
        var choices = RegionChoices()
        _ = rebuild(&choices, [(1, [100, 100]), (2, [110, 110])])
        let jitter = (0..<30).map { $0 % 2 == 0 ? 1.03 : 0.97 }
        #expect(rebuild(&choices, [(1, jitter.map { 100 * $0 }), (2, jitter.map { 88 * $0 })]) == 2)
    }

    @Test func theStandardErrorIsBoundedWhateverTheState() {
        let limit = 1.25 * RobustEstimate.rankingScaleLimit
        // A scale from a restart after a tenfold jump, or a checkpoint's, with almost no support left.
        for (scale, support) in [(Float32(1.15), Float32(1.5)), (5, 0.001), (0.3, 0), (0.25, 1)] {
            let state = RobustEstimate(location: log(100), scale: scale, support: support, lastSecond: 0)
            #expect(state.standardError <= limit)
        }
        #expect(RobustEstimate(location: log(100), scale: 0, support: 1e6, lastSecond: 0).standardError > 0)
        // So a candidate this much faster always replaces, whatever its state.
        let bound = Double(limit)
        #expect(Hysteresis().replaces(100 * exp(-2 * bound) * 0.999, current: 100, standardError: bound))
    }

    /// Hourly samples (5% noise) of regions 1 and 2 from one network, rebuilt
    /// every hour; returns the first region of each rebuild.
    func hourly(hours: Int, _ rtts: (Int) -> (Double, Double)) -> [RegionID] {
        var generator = SeededGenerator(state: 17)
        var aggregates = Aggregates(halfLifeMs: 6 * hourMs)
        var choices = RegionChoices()
        var firsts: [RegionID] = []
        for hour in 0..<hours {
            let (one, two) = rtts(hour)
            let time = t0Ms + Int64(hour) * hourMs
            aggregates.add([Measurement(timeMs: time, client: ip("192.0.2.9"), region: 1, rttMs: generator.rtt(one, noise: 0.05), source: .rum),
                            Measurement(timeMs: time, client: ip("192.0.2.9"), region: 2, rttMs: generator.rtt(two, noise: 0.05), source: .rum)])
            var ranker = Ranker(previous: choices)
            firsts.append(aggregates.rankedPrefixes(with: &ranker)[0].ranking[0])
            choices = ranker.choices
        }
        return firsts
    }

    /// A region that gets 20% faster restarts its estimate with a scale of
    /// ln(60/40) / 2, the size of the jump: its evidence holds it back for a
    /// sample or two, not for good.
    @Test func aRestartInflatedScaleDelaysButDoesNotFreezeTheSwitch() {
        let firsts = hourly(hours: 72) { hour in (50, hour < 48 ? 60 : 40) }
        #expect(Set(firsts[..<48]) == [1])
        let switched = firsts.indices.first { $0 >= 48 && firsts[$0] == 2 }
        #expect(switched != nil && switched! < 48 + 12)
        #expect(firsts[switched!...].allSatisfy { $0 == 2 })
    }

    /// Only the candidate's error counts: the current best's estimate, just
    /// restarted at a worse level on a few samples, does not shield it.
    @Test func aCurrentBestThatGotWorseIsReplacedAsSoonAsItsEstimateMoves() {
        let firsts = hourly(hours: 72) { hour in (hour < 48 ? 50 : 100, 80) }
        #expect(Set(firsts[..<48]) == [1])
        // The estimator follows a jump on the sample that restarts it: about 6 samples in at one per hour (w ≈ 8.7).
        let switched = firsts.indices.first { $0 >= 48 && firsts[$0] == 2 }
        var estimates = Aggregates(halfLifeMs: 6 * hourMs)
        var generator = SeededGenerator(state: 17)
        var restarted: Int?
        for hour in 0..<72 where restarted == nil {
            let time = t0Ms + Int64(hour) * hourMs
            estimates.add([Measurement(timeMs: time, client: ip("192.0.2.9"), region: 1, rttMs: generator.rtt(hour < 48 ? 50 : 100, noise: 0.05), source: .rum),
                           Measurement(timeMs: time, client: ip("192.0.2.9"), region: 2, rttMs: generator.rtt(80, noise: 0.05), source: .rum)])
            if hour >= 48, estimates.estimates(for: ip("192.0.2.9"), now: time)!.regions.first(where: { $0.region == 1 })!.rttMs > 89 { restarted = hour }
        }
        #expect(restarted != nil && switched == restarted)
        #expect(firsts[switched!...].allSatisfy { $0 == 2 })
    }

    @Test func ranksByRTTWithoutHistory() {
        var ranker = Ranker()
        #expect(ranker.rank(network, rtts: [(1, 50), (2, 12), (3, 80), (4, 12)]) == [2, 4, 1, 3])
        #expect(ranker.choices.lastRanked(network)?.region == 2)
        #expect(ranker.rank(prefix("2001:db8::/48"), rtts: []) == [])
        #expect(ranker.choices.count == 1)
    }

    @Test func estimatesWobblingAroundEqualityNeverFlipTheChoice() {
        var generator = SeededGenerator(state: 11)
        var choices = RegionChoices()
        var firsts: [RegionID] = []
        for _ in 0..<200 {
            var ranker = Ranker(previous: choices)
            let ranking = ranker.rank(network, rtts: [(1, Double.random(in: 48...52, using: &generator)),
                                                      (2, Double.random(in: 48...52, using: &generator))])
            firsts.append(ranking[0])
            choices = ranker.choices
        }
        #expect(Set(firsts).count == 1)
    }

    @Test func aClearImprovementFlipsTheChoiceOnce() {
        var generator = SeededGenerator(state: 12)
        var choices = RegionChoices()
        var firsts: [RegionID] = []
        for round in 0..<100 {
            var ranker = Ranker(previous: choices)
            let slow = Double.random(in: 49...51, using: &generator)
            let other = round < 50 ? Double.random(in: 49...51, using: &generator) : Double.random(in: 29...31, using: &generator)
            firsts.append(ranker.rank(network, rtts: [(7, other), (3, slow)])[0])
            choices = ranker.choices
        }
        let flips = zip(firsts, firsts.dropFirst()).filter { $0 != $1 }.count
        #expect(flips <= 1)
        #expect(firsts.last == 7)
        #expect(Array(firsts[51...]).allSatisfy { $0 == 7 })
    }

    @Test func theKeptRegionGoesFirstAndTheRestStayInRTTOrder() {
        var first = Ranker()
        _ = first.rank(network, rtts: [(1, 50), (2, 60), (3, 70)])
        var second = Ranker(previous: first.choices)
        #expect(second.rank(network, rtts: [(1, 50), (2, 47), (3, 70), (4, 48)]) == [1, 2, 4, 3])
        var third = Ranker(previous: second.choices)
        #expect(third.rank(network, rtts: [(1, 50), (2, 45), (3, 70), (4, 48)]) == [2, 4, 1, 3])
        #expect(third.choices.lastRanked(network)?.region == 2)
    }

    @Test func aKeptRegionWithoutAnEstimateNoLongerCounts() {
        var first = Ranker()
        _ = first.rank(network, rtts: [(1, 50), (2, 51)])
        var second = Ranker(previous: first.choices)
        #expect(second.rank(network, rtts: [(2, 51), (3, 52)]) == [2, 3])
    }

    @Test func networksNotRankedInARebuildAreForgotten() {
        var first = Ranker()
        _ = first.rank(network, rtts: [(1, 50)])
        _ = first.rank(prefix("2001:db8::/48"), rtts: [(2, 50)])
        var second = Ranker(previous: first.choices)
        _ = second.rank(network, rtts: [(1, 50), (2, 49)])
        #expect(second.choices.count == 1)
        #expect(second.choices.lastRanked(prefix("2001:db8::/48"))?.region == nil)
        #expect(second.choices.lastRanked(network)?.region == 1)
    }

    /// A rebuild ranks its networks in about the order the last one did (the
    /// ranker looks at the next recorded one first); in any other order, with
    /// networks gone and new ones among them, each still keeps its own region.
    @Test func eachNetworkKeepsItsRegionWhateverOrderTheRebuildRanksIn() {
        let networks = (0..<40).map { IPPrefix(.v4(0x0A00_0000 | UInt32($0) << 8), length: 24) }
        var first = Ranker()
        // Even networks chose region 1, odd ones region 2; both regions about equal.
        for (n, network) in networks.enumerated() { _ = first.rank(network, rtts: [(1, n % 2 == 0 ? 50 : 51), (2, n % 2 == 0 ? 51 : 50)]) }
        var generator = SeededGenerator(state: 3)
        let later = Array(networks.dropFirst(5).shuffled(using: &generator).prefix(30)) + (0..<5).map { IPPrefix(.v4(0x0B00_0000 | UInt32($0) << 8), length: 24) }
        var second = Ranker(previous: first.choices)
        for network in later {
            let kept = networks.firstIndex(of: network).map { RegionID($0 % 2 == 0 ? 1 : 2) }
            // Every network now measures the other region 1 ms faster: within the margin, so the old choice holds.
            let ranking = second.rank(network, rtts: [(1, kept == 2 ? 49 : 50), (2, kept == 2 ? 50 : 49)])
            #expect(ranking[0] == (kept ?? 2), "\(network)")
        }
        #expect(second.choices.count == later.count)
        #expect(later.allSatisfy { second.choices.lastRanked($0) != nil } && second.choices.lastRanked(networks[0]) == nil)
        // Most networks forgotten: the next rebuild numbers the rest afresh, and each still keeps its region;
        // a network forgotten before is new again (ranked by RTT alone).
        let few = Array(later.suffix(8)), returning = networks[0]
        var third = Ranker(previous: second.choices)
        for network in few {
            let kept = second.choices.lastRanked(network)!.region
            #expect(third.rank(network, rtts: [(1, kept == 1 ? 50 : 49), (2, kept == 2 ? 50 : 49)])[0] == kept, "\(network)")
        }
        #expect(third.rank(returning, rtts: [(1, 50), (2, 49)])[0] == 2)
        // Once more with two of them only: nine of the 45 numbers live, so this rebuild compacts the numbering.
        var fourth = Ranker(previous: third.choices)
        #expect(fourth.rank(returning, rtts: [(1, 49), (2, 50)])[0] == 2)
        let last = few[5], lastKept = third.choices.lastRanked(last)!.region
        #expect(fourth.rank(last, rtts: [(1, lastKept == 1 ? 50 : 49), (2, lastKept == 2 ? 50 : 49)])[0] == lastKept)
        #expect(third.choices.count == 9 && fourth.choices.count == 2)
        #expect(fourth.choices.lastRanked(last)?.region == lastKept && fourth.choices.lastRanked(few[0]) == nil)
    }

    /// Two regions closer than the margin, measured and rebuilt every hour; then the
    /// slower gets clearly faster: the answer switches once, within a half-life.
    @Test func learnedRankingsSwitchOncePerRealChange() {
        var generator = SeededGenerator(state: 5)
        var aggregates = Aggregates(halfLifeMs: 6 * hourMs)
        var choices = RegionChoices()
        var firsts: [RegionID] = []
        for hour in 0..<96 {
            let region1 = hour >= 48 ? 30.0 : 53.0
            for minute in stride(from: 0, to: 60, by: 5) {
                let time = t0Ms + Int64(hour) * hourMs + Int64(minute) * 60_000
                aggregates.add([
                    Measurement(timeMs: time, client: ip("192.0.2.\(minute)"), region: 1,
                                rttMs: generator.rtt(region1, noise: 0.1), source: .rum),
                    Measurement(timeMs: time, client: ip("192.0.2.\(minute + 100)"), region: 2,
                                rttMs: generator.rtt(50, noise: 0.1), source: .rum),
                ])
            }
            var ranker = Ranker(previous: choices)
            let ranked = aggregates.rankedPrefixes(with: &ranker)
            #expect(ranked.count == 1 && ranked[0].prefix == network)
            firsts.append(ranked[0].ranking[0])
            choices = ranker.choices
        }
        let flips = zip(firsts[4...], firsts[5...]).filter { $0 != $1 }.count
        #expect(flips == 1)
        #expect(Set(firsts[4..<48]) == [2])
        #expect(Array(firsts[54...]).allSatisfy { $0 == 1 })
    }
}
