import LatencyModel

/// Address ranges with a location, per family: what a geographic prior
/// covers. Each family's ranges are sorted and disjoint.
public struct LocatedRanges: Sendable {
    public var v4: [(first: UInt32, last: UInt32, location: GeoLocation)] = []
    public var v6: [(first: UInt128, last: UInt128, location: GeoLocation)] = []
    public init() {}
}

extension TorGeoIP {
    /// Every range with its country.
    public var locatedRanges: LocatedRanges {
        var ranges = LocatedRanges()
        ipv4.forEach { ranges.v4.append(($0, $1, GeoLocation(country: $2, point: nil)!)) }
        ipv6.forEach { ranges.v6.append(($0, $1, GeoLocation(country: $2, point: nil)!)) }
        return ranges
    }
}

extension MaxMindDB {
    /// Every network of the tree that has a location (country or
    /// coordinates), in address order; IPv6 networks only in an IPv6
    /// database, without the IPv4 subtree's aliases (::/96, ::ffff:0:0/96,
    /// 2002::/16), which IPv4 lookups reach anyway. Throws on a malformed
    /// tree or record.
    public func locatedRanges() throws(MMDBError) -> LocatedRanges {
        var ranges = LocatedRanges()
        var cache: [Int: GeoLocation?] = [:]
        func place(_ offset: Int) throws(MMDBError) -> GeoLocation? {
            if let known = cache[offset] { return known }
            let found = try self.location(atDataOffset: offset)
            cache[offset] = found
            return found
        }
        try walk(from: ipv4Start, width: 32, skipping: []) { (start, length, offset) throws(MMDBError) in
            guard let place = try place(offset) else { return }
            let first = UInt32(truncatingIfNeeded: start)
            ranges.v4.append((first, first | (length >= 32 ? 0 : UInt32.max >> length), place))
        }
        guard ipVersion == 6 else { return ranges }
        let aliases: [(UInt128, Int)] = [(0, 96), (UInt128(0xFFFF) << 32, 96), (UInt128(0x2002) << 112, 16)]
        try walk(from: 0, width: 128, skipping: aliases) { (start, length, offset) throws(MMDBError) in
            guard let place = try place(offset) else { return }
            ranges.v6.append((start, start | (length >= 128 ? 0 : UInt128.max >> length), place))
        }
        return ranges
    }

    /// Visits every data record under `node` in address order with its
    /// network (start, length) and data offset; `skipping` lists subtrees
    /// (start, length) not to enter.
    private func walk(from node: Int, width: Int, skipping: [(UInt128, Int)],
                      _ visit: (UInt128, Int, Int) throws(MMDBError) -> Void) throws(MMDBError) {
        var stack: [(record: Int, start: UInt128, length: Int)] = [(node, 0, 0)]
        while let (record, start, length) = stack.popLast() {
            if skipping.contains(where: { $0 == (start, length) }) { continue }
            if record == nodeCount { continue }
            if record > nodeCount {
                let offset = record - nodeCount - 16
                guard offset >= 0 && offset < dataSize else { throw .badRecord(UInt32(truncatingIfNeeded: record)) }
                try visit(start, length, offset)
                continue
            }
            guard length < width else { throw .treeTooDeep }
            let bit = UInt128(1) << (width - 1 - length)
            // Right first, so the left (lower) half is visited first.
            stack.append((Self.record(bytes, recordSize, node: record, bit: 1), start | bit, length + 1))
            stack.append((Self.record(bytes, recordSize, node: record, bit: 0), start, length + 1))
        }
    }
}
