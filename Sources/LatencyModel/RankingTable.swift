/// Distinct region orders stored back to back in one array: a ranking costs
/// its regions plus one offset, not an array of its own (maps learned from
/// measurements hold about one ranking per network).
///
/// Invariants: `offsets` starts at 0 and has one more element than there are
/// rankings; ranking `i` is `regions[offsets[i]..<offsets[i + 1]]`.
public struct RankingTable: RandomAccessCollection, Sendable {
    private let regions: [RegionID]
    private let offsets: [UInt32]

    public var startIndex: Int { 0 }
    public var endIndex: Int { offsets.count - 1 }

    /// Ranking `index`, best first. Allocation-free.
    public subscript(index: Int) -> ArraySlice<RegionID> {
        regions[Int(offsets[index])..<Int(offsets[index + 1])]
    }

    /// Region `position` (0: the best) of ranking `index`; nil past its
    /// last. Unlike the subscript's slice, reading it retains nothing.
    public func region(_ position: Int, of index: Int) -> RegionID? {
        let at = Int(offsets[index]) + position
        return at < Int(offsets[index + 1]) ? regions[at] : nil
    }

    /// Interns rankings: equal orders get one index; index 0 is the default.
    struct Builder {
        private var regions: [RegionID] = []
        private var offsets: [UInt32] = [0]
        private var index: [[RegionID]: Int] = [:]

        init(defaultRanking: [RegionID]) { _ = intern(defaultRanking) }

        mutating func intern(_ ranking: [RegionID]) -> Int {
            if let known = index[ranking] { return known }
            regions += ranking
            offsets.append(UInt32(regions.count))
            index[ranking] = offsets.count - 2
            return offsets.count - 2
        }

        var table: RankingTable { RankingTable(regions: regions.exactCapacityCopy, offsets: offsets.exactCapacityCopy) }
    }
}
