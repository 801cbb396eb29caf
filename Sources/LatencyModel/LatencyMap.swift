import CPrefetch

/// One region's latency as seen from a network; `rttMs` is nil for regions
/// placed by the default order rather than by a measurement.
public struct RegionRTT: Hashable, Sendable {
    public var region: RegionID
    public var rttMs: Double?
    public init(region: RegionID, rttMs: Double?) { self.region = region; self.rttMs = rttMs }
}

/// A measured latency from a network to a region: the latency map's input.
public struct LatencyEntry: Hashable, Sendable {
    public var prefix: IPPrefix
    public var region: RegionID
    public var rttMs: Double
    public init(prefix: IPPrefix, region: RegionID, rttMs: Double) {
        self.prefix = prefix; self.region = region; self.rttMs = rttMs
    }
}

/// Where a client falls in the map: the ranking that applies and the widest
/// CIDR block around the client that shares it (its length is the ECS scope).
public struct MapHit: Hashable, Sendable {
    public var ranking: Int
    public var block: IPPrefix
}

/// The compiled latency map: every address of both families belongs to
/// exactly one range, and each range names a ranking of regions.
///
/// Invariants: `rankings[0]` is the default ranking; the ranges of a family
/// are sorted, disjoint and cover the whole address space; adjacent ranges
/// with the same ranking are merged, so the block a lookup answers is as
/// wide as the ranking allows. Immutable once built.
public struct LatencyMap: Sendable {
    /// Distinct region orders; index 0 is the default order.
    public let rankings: RankingTable
    private let v4: RangeTable<UInt32>
    private let v6: RangeTable<UInt128>
    /// The measurements per prefix, best first, for explanations.
    private let measured: [IPPrefix: [RegionRTT]]

    /// Compiles `entries`. For each prefix the regions are ranked by RTT
    /// (ties by `tieBreak`); a more specific prefix overrides a covering one.
    /// Addresses in no prefix get `defaultRanking`.
    public init(entries: [LatencyEntry], defaultRanking: [RegionID], tieBreak: (RegionID, RegionID) -> Bool = (<)) {
        var byPrefix: [IPPrefix: [RegionID: Double]] = [:]
        for entry in entries { byPrefix[entry.prefix, default: [:]][entry.region] = entry.rttMs }
        var measured: [IPPrefix: [RegionRTT]] = [:]
        for (prefix, rtts) in byPrefix {
            measured[prefix] = rtts.map { RegionRTT(region: $0.key, rttMs: $0.value) }.sorted {
                $0.rttMs! != $1.rttMs! ? $0.rttMs! < $1.rttMs! : tieBreak($0.region, $1.region)
            }
        }
        self.init(ranked: measured.map { ($0.key, $0.value.map(\.region)) }, underlay: Underlay(), defaultRanking: defaultRanking,
                  measured: measured)
    }

    /// Compiles rankings decided elsewhere, one per prefix (the prefixes must
    /// be distinct): the fast path for maps learned from measurements. Space
    /// that no prefix covers takes its ranking from `underlay` (a geographic
    /// prior, say), else the default. Keeps no per-prefix RTTs — those would
    /// cost more than the map itself — so `measurements(for:)` is nil;
    /// explanations take the RTTs from where the rankings came from.
    public init(rankedPrefixes: [(prefix: IPPrefix, ranking: [RegionID])], underlay: Underlay = Underlay(),
                defaultRanking: [RegionID]) {
        self.init(ranked: rankedPrefixes, underlay: underlay, defaultRanking: defaultRanking, measured: [:])
    }

    /// Compiles prefixes whose rankings are already interned in `rankings`
    /// (index 0: the default), the prefixes distinct: a map of a million
    /// networks without an array per network.
    public init(internedPrefixes: [(prefix: IPPrefix, ranking: Int)], rankings: consuming RankingTable.Builder,
                underlay: Underlay = Underlay()) {
        precondition(internedPrefixes.allSatisfy { $0.ranking >= 0 && $0.ranking < rankings.count }, "a ranking index the builder did not give")
        self.init(interned: internedPrefixes, rankings: rankings, underlay: underlay, measured: [:])
    }

    private init(ranked: [(prefix: IPPrefix, ranking: [RegionID])], underlay: Underlay, defaultRanking: [RegionID],
                 measured: [IPPrefix: [RegionRTT]]) {
        var rankings = RankingTable.Builder(defaultRanking: defaultRanking)
        let interned = ranked.map { ($0.prefix, rankings.intern($0.ranking)) }
        self.init(interned: interned, rankings: rankings, underlay: underlay, measured: measured)
    }

    /// Interns the underlay's rankings and builds each family's ranges.
    private init(interned: [(prefix: IPPrefix, ranking: Int)], rankings: consuming RankingTable.Builder, underlay: Underlay,
                 measured: [IPPrefix: [RegionRTT]]) {
        let underlayIndex = underlay.rankings.map { rankings.intern($0) }
        var v4: [(start: UInt32, length: Int, ranking: Int)] = []
        var v6: [(start: UInt128, length: Int, ranking: Int)] = []
        for (prefix, index) in interned {
            switch prefix.address {
            case .v4(let start): v4.append((start, prefix.length, index))
            case .v6(let start): v6.append((start, prefix.length, index))
            }
        }
        self.rankings = rankings.table
        self.measured = measured
        self.v4 = RangeTable(prefixes: v4, underlay: underlay.v4.map { ($0.first, $0.last, underlayIndex[$0.ranking]) })
        self.v6 = RangeTable(prefixes: v6, underlay: underlay.v6.map { ($0.first, $0.last, underlayIndex[$0.ranking]) })
    }

    /// Rankings for address ranges that no prefix covers, e.g. by country.
    /// Each family's ranges must be sorted and disjoint; `ranking` indexes `rankings`.
    public struct Underlay: Sendable {
        public var rankings: [[RegionID]]
        public var v4: [(first: UInt32, last: UInt32, ranking: Int)]
        public var v6: [(first: UInt128, last: UInt128, ranking: Int)]
        public init(rankings: [[RegionID]] = [], v4: [(first: UInt32, last: UInt32, ranking: Int)] = [],
                    v6: [(first: UInt128, last: UInt128, ranking: Int)] = []) {
            self.rankings = rankings; self.v4 = v4; self.v6 = v6
        }
    }

    /// The ranking and block for `address`. Allocation-free.
    public func lookup(_ address: IPAddress) -> MapHit {
        switch address {
        case .v4(let a):
            let (start, length, ranking) = v4.lookup(a)
            return MapHit(ranking: ranking, block: IPPrefix(.v4(start), length: length))
        case .v6(let a):
            let (start, length, ranking) = v6.lookup(a)
            return MapHit(ranking: ranking, block: IPPrefix(.v6(start), length: length))
        }
    }

    /// Whether lookups are likely to miss the CPU's caches (tens of
    /// thousands of ranges and more): then it pays to prefetch a batch's
    /// lookups before answering it (`prefetchDirectory`, then `prefetchRange`).
    public var isLarge: Bool { rangeCount >= Self.largeRangeCount }
    static let largeRangeCount = 1 << 15

    /// Starts loading the directory entry `lookup(address)` reads first.
    /// Changes nothing; a no-op for maps without a directory.
    public func prefetchDirectory(for address: IPAddress) {
        switch address {
        case .v4(let a): v4.prefetchDirectory(a)
        case .v6(let a): v6.prefetchDirectory(a)
        }
    }

    /// Starts loading the range `lookup(address)` most likely ends on. Reads
    /// the directory entry, so call it after `prefetchDirectory(for:)` had
    /// time to bring that in (for a whole batch, after all of those).
    public func prefetchRange(for address: IPAddress) {
        switch address {
        case .v4(let a): v4.prefetchRange(a)
        case .v6(let a): v6.prefetchRange(a)
        }
    }

    /// The most specific measured prefix containing `address` and its
    /// measurements, best first; nil when the address is in no prefix.
    public func measurements(for address: IPAddress) -> (prefix: IPPrefix, rtts: [RegionRTT])? {
        for length in stride(from: address.bitWidth, through: 0, by: -1) {
            let prefix = IPPrefix(address, length: length)
            if let rtts = measured[prefix] { return (prefix, rtts) }
        }
        return nil
    }

    /// Number of ranges of one ranking in the compiled form (both families).
    public var rangeCount: Int { v4.count + v6.count }
}

extension Array {
    /// The elements in a buffer of exactly their size (an immutable table need not keep growth room).
    var exactCapacityCopy: [Element] { withUnsafeBufferPointer { Array($0) } }
}

/// A sorted partition of one address family into ranges of one ranking,
/// stored as (start, ranking) pairs: a range ends where the next one starts,
/// and the search's last probe brings the ranking into cache with it. A
/// lookup answers the widest aligned CIDR block around the address inside
/// its range — the block of the range's fewest-blocks CIDR cover that holds
/// the address, computed from the two starts rather than stored (storing
/// the cover took ten times the entries for scattered /24s).
///
/// Invariant: the first range starts at 0; neighbouring ranges have
/// different rankings. When `directory` is not empty, it has 2^k entries for
/// `directoryShift` = bitWidth − k, and `directory[i]` is the index of the
/// range holding the address whose top k bits are `i` (and the rest zero),
/// so a lookup searches only the ranges of its address's top bits.
struct RangeTable<Address: BlockAddress>: Sendable {
    /// A range: where it starts, and its ranking.
    private struct RangeStart {
        var packedStart: Address.Packed
        var ranking: UInt32
        var start: Address { Address(packed: packedStart) }
    }
    private var ranges: [RangeStart] = []
    private var directory: [UInt32] = []

    private var directoryShift = 0
    /// Tables with fewer ranges than this have no directory: their binary
    /// search takes a few steps anyway. (From a few hundred ranges on, the
    /// directory — 4 bytes per range at most — saves most of the steps,
    /// each a dependent load.)
    static var directoryThreshold: Int { 64 }

    var count: Int { ranges.count }

    /// Builds the partition from nested-or-disjoint prefixes (no duplicates);
    /// space no prefix covers gets the ranking of the `underlay` range holding
    /// it (sorted, disjoint ranges), else ranking 0.
    init(prefixes: [(start: Address, length: Int, ranking: Int)], underlay: [(first: Address, last: Address, ranking: Int)] = []) {
        let sorted = prefixes.sorted { $0.start != $1.start ? $0.start < $1.start : $0.length < $1.length }
        var ranges: [(first: Address, last: Address, ranking: Int)] = []
        func merge(_ first: Address, _ last: Address, _ ranking: Int) {
            if let previous = ranges.last, previous.ranking == ranking, previous.last &+ 1 == first {
                ranges[ranges.count - 1].last = last
            } else {
                ranges.append((first, last, ranking))
            }
        }
        var below = 0  // the first underlay range that may still overlap what comes next
        /// Emits [first, last]; an uncovered stretch (ranking -1) is filled from the underlay.
        func emit(_ first: Address, _ last: Address, _ ranking: Int) {
            guard ranking < 0 else { return merge(first, last, ranking) }
            var at = first
            while below < underlay.count, underlay[below].last < at { below += 1 }
            while below < underlay.count, underlay[below].first <= last {
                let range = underlay[below]
                if range.first > at { merge(at, range.first - 1, 0) }
                let end = min(range.last, last)
                merge(max(range.first, at), end, range.ranking)
                if end == last { return }
                at = end + 1
                if range.last <= last { below += 1 }
            }
            merge(at, last, 0)
        }
        var open: [(last: Address, ranking: Int)] = []
        var cursor: Address = 0
        var exhausted = false  // true once the cursor has passed Address.max
        func close(through last: Address, _ ranking: Int) {
            guard !exhausted, cursor <= last else { return }
            emit(cursor, last, ranking)
            if last == .max { exhausted = true } else { cursor = last + 1 }
        }
        for prefix in sorted {
            let last = prefix.start | Self.hostMask(prefix.length)
            while let top = open.last, top.last < prefix.start {
                close(through: top.last, top.ranking)
                open.removeLast()
            }
            if cursor < prefix.start { close(through: prefix.start - 1, open.last?.ranking ?? -1) }
            open.append((last, prefix.ranking))
        }
        while let top = open.popLast() { close(through: top.last, top.ranking) }
        close(through: .max, -1)
        self.ranges = ranges.map { RangeStart(packedStart: $0.first.packed, ranking: UInt32($0.ranking)) }
        if ranges.count >= Self.directoryThreshold {
            // One or two ranges per slice, so a search reads a cache line or two; 2^20 entries (4 MB) at most.
            let bits = min(20, Address.bitWidth, Int.bitWidth - ranges.count.leadingZeroBitCount - 1)
            directoryShift = Address.bitWidth - bits
            directory = makeDirectory(bits: bits)
        }
    }

    /// The index of the range holding the first address of every top-bits slice (one pass over the sorted starts).
    private func makeDirectory(bits: Int) -> [UInt32] {
        let shift = Address.bitWidth - bits
        var directory = [UInt32](repeating: 0, count: 1 << bits)
        var range = 0
        for slice in directory.indices {
            let first = Address(slice) << shift
            while range + 1 < ranges.count && ranges[range + 1].start <= first { range += 1 }
            directory[slice] = UInt32(range)
        }
        return directory
    }

    /// The bits below a prefix of `length`.
    @inline(__always) static func hostMask(_ length: Int) -> Address {
        length >= Address.bitWidth ? 0 : Address.max >> length
    }

    /// Starts loading `directory`'s entry for `address`, if there is a directory.
    func prefetchDirectory(_ address: Address) {
        guard !directory.isEmpty else { return }
        directory.withUnsafeBufferPointer { nearcast_prefetch($0.baseAddress! + Int(truncatingIfNeeded: address >> directoryShift)) }
    }

    /// Starts loading the first range of `address`'s directory slice (where
    /// the search starts; slices hold one or two ranges), if there is a directory.
    func prefetchRange(_ address: Address) {
        guard !directory.isEmpty else { return }
        let first = Int(directory[Int(truncatingIfNeeded: address >> directoryShift)])
        ranges.withUnsafeBufferPointer { nearcast_prefetch($0.baseAddress! + first) }
    }

    /// The widest aligned block holding `address` inside its range, and the
    /// range's ranking: binary search for the last start ≤ address, among
    /// the ranges of its top bits when there is a directory.
    func lookup(_ address: Address) -> (start: Address, length: Int, ranking: Int) {
        var low = 0, high = ranges.count - 1
        if !directory.isEmpty {
            let slice = Int(truncatingIfNeeded: address >> directoryShift)
            low = Int(directory[slice])
            if slice + 1 < directory.count { high = Int(directory[slice + 1]) }
        }
        while low < high {
            let mid = (low + high + 1) / 2
            if ranges[mid].start <= address { low = mid } else { high = mid - 1 }
        }
        let range = ranges[low]
        // The block may reach neither the address before the range nor the
        // next range's start: it must be longer than the bits the address
        // shares with either (both differ from it, so the length stays ≤ bitWidth).
        var length = 0
        if range.start > 0 { length = ((range.start - 1) ^ address).leadingZeroBitCount + 1 }
        if low + 1 < ranges.count { length = max(length, (ranges[low + 1].start ^ address).leadingZeroBitCount + 1) }
        return (address & ~Self.hostMask(length), length, Int(range.ranking))
    }
}

/// An address family's integer as a range table stores it: with 8-byte
/// alignment, so that a range of an IPv6 table takes 24 bytes, not the 32
/// that `UInt128`'s 16-byte alignment would pad it to.
protocol BlockAddress: FixedWidthInteger & UnsignedInteger & Sendable {
    associatedtype Packed: Sendable
    var packed: Packed { get }
    init(packed: Packed)
}

extension UInt32: BlockAddress {
    var packed: UInt32 { self }
    init(packed: UInt32) { self = packed }
}

extension UInt128: BlockAddress {
    struct Halves: Sendable {
        var high: UInt64
        var low: UInt64
    }
    var packed: Halves { Halves(high: UInt64(truncatingIfNeeded: self >> 64), low: UInt64(truncatingIfNeeded: self)) }
    init(packed: Halves) { self = UInt128(packed.high) << 64 | UInt128(packed.low) }
}

extension LatencyMap {
    /// Parses the latency map's CSV text (`prefix,region,rtt_ms`; `#` comments,
    /// blank lines and a header line are skipped). Returns the entries and one
    /// message per bad line, as `file:line: message`. Works on UTF-8 bytes:
    /// maps have millions of lines.
    public static func parseCSV(_ text: String, file: String, catalog: RegionCatalog) -> (entries: [LatencyEntry], errors: [String]) {
        var entries: [LatencyEntry] = []
        var errors: [String] = []
        var text = text
        text.withUTF8 { bytes in
            var lineNumber = 0
            for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                let line = trimmed(rawLine.prefix { $0 != UInt8(ascii: "#") })
                if line.isEmpty || (lineNumber == 1 && line.starts(with: "prefix,".utf8)) { continue }
                let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map(trimmed)
                let location = "\(file):\(lineNumber)"
                guard fields.count == 3 else {
                    errors.append("\(location): expected 'prefix,region,rtt_ms', got \(fields.count) fields"); continue
                }
                let (prefixText, regionText, rttText) = (string(fields[0]), string(fields[1]), string(fields[2]))
                guard let prefix = IPPrefix(prefixText) else {
                    errors.append("\(location): bad prefix '\(prefixText)' (want e.g. 192.0.2.0/24 with no host bits set)"); continue
                }
                guard let region = catalog.id(of: regionText) else {
                    errors.append("\(location): unknown region '\(regionText)'"); continue
                }
                guard let rtt = Double(rttText), rtt.isFinite, rtt >= 0 else {
                    errors.append("\(location): bad rtt_ms '\(rttText)' (want a non-negative number)"); continue
                }
                entries.append(LatencyEntry(prefix: prefix, region: region, rttMs: rtt))
            }
        }
        return (entries, errors)
    }

    /// The bytes without leading and trailing spaces, tabs and carriage returns.
    private static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !blank($0) }) else { return bytes[bytes.endIndex...] }
        let last = bytes.lastIndex(where: { !blank($0) })!
        return bytes[first...last]
    }

    private static func string(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
