import Testing
@testable import LatencyLearning
import LatencyModel
import SeededRandom

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

    @Test func ranksByRTTWithoutHistory() {
        var ranker = Ranker()
        #expect(ranker.rank(network, rtts: [(1, 50), (2, 12), (3, 80), (4, 12)]) == [2, 4, 1, 3])
        #expect(ranker.choices[network] == 2)
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
        #expect(third.choices[network] == 2)
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
        #expect(second.choices[prefix("2001:db8::/48")] == nil)
        #expect(second.choices[network] == 1)
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
