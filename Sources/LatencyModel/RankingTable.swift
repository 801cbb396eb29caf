#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// A ranking is copied into the table's one array of regions, and found
    /// again through an open-addressing table of indices hashed from its
    /// bytes, so interning a million rankings allocates no array per ranking.
    ///
    /// Invariant: `slots` has a power-of-two count, at least twice the
    /// number of rankings; a slot holds a ranking's index in its low 32 bits
    /// and the high 32 bits of its hash above them (so a probe compares
    /// rankings only when those match), or `empty`.
    public struct Builder: Sendable {
        private var regions: [RegionID] = []
        private var offsets: [UInt32] = [0]
        private var slots = [UInt64](repeating: Self.empty, count: 16)
        private static let empty = UInt64.max

        public init(defaultRanking: [RegionID]) { _ = intern(defaultRanking) }

        /// The number of rankings interned so far.
        public var count: Int { offsets.count - 1 }

        public mutating func intern(_ ranking: [RegionID]) -> Int { ranking.withUnsafeBufferPointer { intern($0) } }

        /// The index of `ranking`, added when new.
        public mutating func intern(_ ranking: UnsafeBufferPointer<RegionID>) -> Int {
            let hash = Self.hash(ranking), mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != Self.empty {
                let index = Int(truncatingIfNeeded: slots[slot] & 0xFFFF_FFFF)
                if slots[slot] >> 32 == hash >> 32, equals(index, ranking) { return index }
                slot = (slot + 1) & mask
            }
            let index = count
            regions.append(contentsOf: ranking)
            offsets.append(UInt32(regions.count))
            slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(index)
            if 2 * count > slots.count { rehash(into: 2 * slots.count) }
            return index
        }

        public var table: RankingTable { RankingTable(regions: regions.exactCapacityCopy, offsets: offsets.exactCapacityCopy) }

        private func equals(_ index: Int, _ ranking: UnsafeBufferPointer<RegionID>) -> Bool {
            let start = Int(offsets[index]), end = Int(offsets[index + 1])
            guard end - start == ranking.count else { return false }
            return regions.withUnsafeBufferPointer { stored in
                ranking.isEmpty || memcmp(stored.baseAddress! + start, ranking.baseAddress!, ranking.count * MemoryLayout<RegionID>.size) == 0
            }
        }

        private mutating func rehash(into slotCount: Int) {
            slots = [UInt64](repeating: Self.empty, count: slotCount)
            let mask = slotCount - 1
            regions.withUnsafeBufferPointer { stored in
                for index in 0..<count {
                    let hash = Self.hash(UnsafeBufferPointer(rebasing: stored[Int(offsets[index])..<Int(offsets[index + 1])]))
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while slots[slot] != Self.empty { slot = (slot + 1) & mask }
                    slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(index)
                }
            }
        }

        /// A multiply-xorshift hash of the regions, four at a time.
        private static func hash(_ ranking: UnsafeBufferPointer<RegionID>) -> UInt64 {
            let bytes = UnsafeRawBufferPointer(ranking)
            var hash = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
            var offset = 0
            while offset + 8 <= bytes.count {
                hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                hash ^= hash >> 31
                offset += 8
            }
            while offset < bytes.count { hash = (hash ^ UInt64(bytes[offset])) &* 0x100_0000_01B3; offset += 1 }
            hash = (hash ^ hash >> 29) &* 0x94D0_49BB_1331_11EB
            return hash ^ hash >> 32
        }
    }
}
