/// A line of a country RTT table that cannot be used.
public struct CountryRTTTableError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// Measured RTTs between countries: the RIPE Atlas table in
/// `shared/data/country-rtt-ripe-atlas-2025.csv` (columns
/// `cty1,cty2,rtt_cnt,rtt_avg,…`, found by name in the header).
///
/// The value kept is `rtt_avg`, the mean of all pings between the two
/// countries. The other statistics are worse: `rtt_min` is polluted by
/// mislocated probes (a fifth of the pairs have a minimum under half what
/// light in fibre needs; AU–GB's is 0.3 ms) and `rtt_std`/`rtt_max` by
/// timeouts of minutes, so no robust centre can be derived from them; and of
/// avg, min, (avg+min)/2 and a lognormal median avg/√(1+cv²), distance
/// explains avg best (R² 0.62 against ≤ 0.60 for pairs with ≥ 10,000 pings).
/// The mean's excess (access networks, queues, tails) is shared by every
/// destination from one country, so rankings by it hold.
///
/// Invariants: symmetric (a row serves both directions); rows with fewer
/// than `minimumPings` pings, or codes that are not two capital letters
/// (the file has `None` and `Unknown`), are left out.
public struct CountryRTTTable: Sendable {
    public struct Pair: Hashable, Sendable {
        public let a: String
        public let b: String
        public let rttMs: Double
        public let pings: Int
    }

    /// Every pair kept, in file order.
    public let pairs: [Pair]
    private let index: [Key: Int]

    public init(path: String, minimumPings: Int = 100) throws {
        try self.init(csv: readFileBytes(path), minimumPings: minimumPings)
    }

    public init(csv: [UInt8], minimumPings: Int = 100) throws(CountryRTTTableError) {
        let lines = csv.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            (line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
                .split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
        }
        let header = lines[0]
        func column(_ name: String) throws(CountryRTTTableError) -> Int {
            guard let at = header.firstIndex(of: name) else { throw CountryRTTTableError(line: 1, reason: "no column \(name)") }
            return at
        }
        let a = try column("cty1"), b = try column("cty2"), count = try column("rtt_cnt"), avg = try column("rtt_avg")
        var pairs: [Pair] = [], index: [Key: Int] = [:]
        for (number, fields) in zip(2..., lines.dropFirst()) where fields != [""] {
            guard fields.count == header.count, let pings = Int(fields[count]), let rtt = Double(fields[avg]),
                  rtt.isFinite, rtt >= 0 else {
                throw CountryRTTTableError(line: number, reason: "expected \(header.count) fields with a count and an RTT")
            }
            guard pings >= minimumPings, let key = Key(fields[a], fields[b]) else { continue }
            guard index[key] == nil else { throw CountryRTTTableError(line: number, reason: "pair \(fields[a])–\(fields[b]) repeated") }
            index[key] = pairs.count
            pairs.append(Pair(a: fields[a], b: fields[b], rttMs: rtt, pings: pings))
        }
        self.pairs = pairs
        self.index = index
    }

    /// The pairs for which `isIncluded` is true.
    public func filter(_ isIncluded: (Pair) -> Bool) -> CountryRTTTable {
        let kept = pairs.filter(isIncluded)
        return CountryRTTTable(pairs: kept, index: Dictionary(uniqueKeysWithValues: kept.enumerated().map { (Key($1.a, $1.b)!, $0) }))
    }

    private init(pairs: [Pair], index: [Key: Int]) {
        self.pairs = pairs
        self.index = index
    }

    /// The RTT between countries `a` and `b` in either order, in ms.
    public func rttMs(_ a: String, _ b: String) -> Double? {
        Key(a, b).flatMap { index[$0] }.map { pairs[$0].rttMs }
    }

    /// An unordered pair of codes packed into 32 bits.
    private struct Key: Hashable {
        let packed: UInt32
        init?(_ a: some StringProtocol, _ b: some StringProtocol) {
            func code(_ s: some StringProtocol) -> UInt32? {
                let bytes = Array(s.utf8)
                guard bytes.count == 2, bytes.allSatisfy({ $0 &- UInt8(ascii: "A") < 26 }) else { return nil }
                return UInt32(bytes[0]) << 8 | UInt32(bytes[1])
            }
            guard let x = code(a), let y = code(b) else { return nil }
            packed = min(x, y) << 16 | max(x, y)
        }
    }
}
