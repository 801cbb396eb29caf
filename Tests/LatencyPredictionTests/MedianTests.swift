import Testing
@testable import LatencyPrediction
import SeededRandom

@Suite struct MedianTests {
    /// The selection gives what sorting gives, for odd and even counts,
    /// with many duplicates and without, in any order.
    @Test func theMedianIsTheSortedMiddle() {
        var generator = SeededGenerator(state: 9)
        for count in 1...60 {
            for spread in [3, 1000] {
                let values = (0..<count).map { _ in Float32(Int.random(in: 0..<spread, using: &generator)) / 7 }
                let sorted = values.sorted(), middle = count / 2
                let expected = count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
                #expect(PriorCache.median(values) == expected, "\(values)")
                #expect(PriorCache.median(sorted) == expected && PriorCache.median(sorted.reversed()) == expected)
            }
        }
        #expect(PriorCache.median([-0.5]) == -0.5 && PriorCache.median([2, -1]) == 0.5)
    }
}
