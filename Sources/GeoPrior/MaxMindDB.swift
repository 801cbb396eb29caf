import LatencyModel

/// Why a MaxMind DB file or one of its records cannot be read.
public enum MMDBError: Error, Equatable, CustomStringConvertible {
    case unreadable(FileReadError)
    /// No "\xAB\xCD\xEFMaxMind.com" marker in the file's last 128 KiB.
    case noMetadata
    /// A required metadata key is missing, has the wrong type or a bad value.
    case badMetadata(String)
    /// The search tree is not followed by a 16-byte separator inside the file.
    case treeOutOfBounds(nodeCount: Int, recordSize: Int, fileSize: Int)
    /// The walk used every bit of the address and still stands on a node.
    case treeTooDeep
    /// A tree record points outside the data section.
    case badRecord(UInt32)
    /// A field (or a pointer's target) at this data-section offset runs past
    /// the end of its section.
    case truncated(offset: Int)
    case invalidType(Int, offset: Int)
    case badSize(type: Int, size: Int, offset: Int)
    case invalidUTF8(offset: Int)
    case pointerToPointer(offset: Int)
    case mapKeyNotString(offset: Int)
    /// Nesting (containers and pointers) deeper than `MaxMindDB.maxDepth`,
    /// as a pointer loop would be, or more values than `maxValues` in one record.
    case tooComplex(offset: Int)

    public var description: String {
        switch self {
        case .unreadable(let error): error.description
        case .noMetadata: "not a MaxMind DB file: no metadata marker in the last 128 KiB"
        case .badMetadata(let what): "bad MaxMind DB metadata: \(what)"
        case .treeOutOfBounds(let nodes, let size, let fileSize):
            "search tree of \(nodes) nodes of \(size)-bit records does not fit in the \(fileSize)-byte file"
        case .treeTooDeep: "search tree deeper than the address is long"
        case .badRecord(let value): "search tree record \(value) points outside the data section"
        case .truncated(let offset): "data at offset \(offset) runs past the end of its section"
        case .invalidType(let type, let offset): "invalid data type \(type) at offset \(offset)"
        case .badSize(let type, let size, let offset): "invalid size \(size) for data type \(type) at offset \(offset)"
        case .invalidUTF8(let offset): "invalid UTF-8 string at offset \(offset)"
        case .pointerToPointer(let offset): "pointer at offset \(offset) points to another pointer"
        case .mapKeyNotString(let offset): "map key at offset \(offset) is not a string"
        case .tooComplex(let offset): "value at offset \(offset) nests too deeply or has too many parts"
        }
    }
}

/// A MaxMind DB (`.mmdb`) file read into memory: GeoIP2/GeoLite2 City,
/// Country, ASN and any other database of format version 2
/// (https://maxmind.github.io/MaxMind-DB/).
///
/// Invariants, checked once when opening: the record size is 24, 28 or 32
/// bits, and the search tree plus the 16-byte separator lies before the
/// metadata, so every node index below `nodeCount` reads inside the file.
/// Lookups never trap on a malformed file: each pointer, size and offset is
/// checked, and decoding is bounded in depth and in the number of values.
public struct MaxMindDB: Sendable {
    /// The largest nesting of containers and pointers decoded (GeoIP2
    /// records nest a handful of levels).
    public static let maxDepth = 32
    /// The most values decoded for one record (GeoIP2 records have hundreds
    /// at most); with `maxDepth`, bounds the work of any lookup.
    public static let maxValues = 100_000

    public let nodeCount: Int
    public let recordSize: Int
    /// 4 or 6: the tree is 32 or 128 levels deep.
    public let ipVersion: Int
    public let databaseType: String
    /// The build time, seconds since 1970.
    public let buildEpoch: UInt64
    public let metadata: MMDBValue

    let bytes: [UInt8]
    private let data: DataSection
    var dataSize: Int { data.end - data.start }
    /// Where IPv4 lookups start: the root, or in an IPv6 tree the record
    /// reached by 96 zero bits (::/96) — or the data or empty record ending
    /// that walk early, which then holds for all of IPv4.
    let ipv4Start: Int

    public init(path: String) throws(MMDBError) {
        let bytes: [UInt8]
        do { bytes = try readFileBytes(path) } catch { throw .unreadable(error) }
        try self.init(bytes: bytes)
    }

    public init(bytes: [UInt8]) throws(MMDBError) {
        let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
        let searchFrom = max(0, bytes.count - 128 * 1024)
        guard let markerAt = bytes.lastIndex(of: marker, from: searchFrom) else { throw .noMetadata }
        let metadataStart = markerAt + marker.count
        let metadata = try DataSection(bytes: bytes, start: metadataStart, end: bytes.count).value(at: 0)

        func unsigned(_ key: String) throws(MMDBError) -> UInt64 {
            switch metadata[key] {
            case .uint16(let v): UInt64(v)
            case .uint32(let v): UInt64(v)
            case .uint64(let v): v
            default: throw .badMetadata("\(key) is missing or not an unsigned integer")
            }
        }
        guard try unsigned("binary_format_major_version") == 2 else {
            throw .badMetadata("binary_format_major_version is not 2")
        }
        let recordSize = try unsigned("record_size")
        guard [24, 28, 32].contains(recordSize) else { throw .badMetadata("record_size \(recordSize) is not 24, 28 or 32") }
        let ipVersion = try unsigned("ip_version")
        guard ipVersion == 4 || ipVersion == 6 else { throw .badMetadata("ip_version \(ipVersion) is not 4 or 6") }
        guard let databaseType = metadata["database_type"]?.string else { throw .badMetadata("database_type is missing") }
        let nodeCount = try unsigned("node_count")
        guard nodeCount <= UInt32.max, nodeCount * recordSize / 4 + 16 <= UInt64(markerAt) else {
            throw .treeOutOfBounds(nodeCount: Int(clamping: nodeCount), recordSize: Int(recordSize), fileSize: bytes.count)
        }

        self.nodeCount = Int(nodeCount)
        self.recordSize = Int(recordSize)
        self.ipVersion = Int(ipVersion)
        self.databaseType = databaseType
        self.buildEpoch = try unsigned("build_epoch")
        self.metadata = metadata
        self.bytes = bytes
        self.data = DataSection(bytes: bytes, start: self.nodeCount * self.recordSize / 4 + 16, end: markerAt)
        var start = 0
        for _ in 0..<(ipVersion == 6 ? 96 : 0) where start < self.nodeCount {
            start = Self.record(bytes, self.recordSize, node: start, bit: 0)
        }
        self.ipv4Start = start
    }

    /// The record for `address` and the network it holds for (in the
    /// address's own family), or nil when the database has no data for it.
    /// An IPv4 address in an IPv6 database is looked up under ::/96; an IPv6
    /// address in an IPv4 database has no data. Throws when the tree or the
    /// record is malformed.
    public func lookup(_ address: IPAddress) throws(MMDBError) -> (prefix: IPPrefix, value: MMDBValue)? {
        guard let found = try find(address) else { return nil }
        return (found.prefix, try data.value(at: found.offset))
    }

    /// Where `address` is, from a GeoIP2/GeoLite2 City or Country record:
    /// `country.iso_code` (else `registered_country.iso_code`, all some
    /// networks have) and `location.latitude`/`longitude`. Decodes only
    /// those fields, so it is several times faster than `lookup`.
    public func location(_ address: IPAddress) throws(MMDBError) -> GeoLocation? {
        guard let offset = try find(address)?.offset else { return nil }
        return try location(atDataOffset: offset)
    }

    /// The location in the record at `offset` of the data section.
    func location(atDataOffset offset: Int) throws(MMDBError) -> GeoLocation? {
        func field(_ path: String...) throws(MMDBError) -> MMDBValue? { try data.value(at: offset, path: path) }
        var country = try field("country", "iso_code")?.string
        if country == nil { country = try field("registered_country", "iso_code")?.string }
        let latitude = try field("location", "latitude")?.number, longitude = try field("location", "longitude")?.number
        return GeoLocation(country: country, point: latitude.flatMap { la in longitude.map { GeoPoint(latitude: la, longitude: $0) } })
    }

    /// The network holding `address` and its record's data-section offset.
    private func find(_ address: IPAddress) throws(MMDBError) -> (prefix: IPPrefix, offset: Int)? {
        let bits: UInt128, width: Int, start: Int
        switch address {
        case .v4(let v): (bits, width, start) = (UInt128(v), 32, ipv4Start)
        case .v6(let v):
            guard ipVersion == 6 else { return nil }
            (bits, width, start) = (v, 128, 0)
        }
        var record = start, depth = 0
        while depth < width && record < nodeCount {
            record = Self.record(bytes, recordSize, node: record, bit: Int(truncatingIfNeeded: bits >> (width - 1 - depth) & 1))
            depth += 1
        }
        if record == nodeCount { return nil }
        guard record > nodeCount else { throw .treeTooDeep }
        let offset = record - nodeCount - 16
        guard offset >= 0 && offset < data.end - data.start else { throw .badRecord(UInt32(record)) }
        return (IPPrefix(address, length: depth), offset)
    }

    /// Record `bit` (0 left, 1 right) of node `node`; the caller keeps `node`
    /// below the node count, which the initializer checked fits the file.
    static func record(_ bytes: [UInt8], _ recordSize: Int, node: Int, bit: Int) -> Int {
        func be(_ at: Int, _ count: Int) -> Int { (at..<at + count).reduce(0) { $0 << 8 | Int(bytes[$1]) } }
        switch recordSize {
        case 24: return be(node * 6 + bit * 3, 3)
        case 28:
            let base = node * 7, middle = Int(bytes[base + 3])
            return bit == 0 ? (middle & 0xF0) << 20 | be(base, 3) : (middle & 0x0F) << 24 | be(base + 4, 3)
        default: return be(node * 8 + bit * 4, 4)
        }
    }
}

/// The data section (or the metadata, which is decoded the same way): the
/// bytes start..<end of the file; offsets and pointers count from `start`.
private struct DataSection {
    let bytes: [UInt8]
    let start: Int
    let end: Int

    func value(at offset: Int) throws(MMDBError) -> MMDBValue {
        var position = start + offset
        var budget = MaxMindDB.maxValues
        return try decode(&position, depth: 0, budget: &budget)
    }

    /// The value under the map keys `path` inside the value at `offset`, or
    /// nil where a key is missing or a value is not a map; the other
    /// entries are skipped, not decoded.
    func value(at offset: Int, path: [String]) throws(MMDBError) -> MMDBValue? {
        var position = start + offset
        var budget = MaxMindDB.maxValues
        for (depth, key) in path.enumerated() {
            if let target = try pointerTarget(&position) { position = target }
            let (type, size) = try header(&position)
            guard type == 7 else { return nil }
            var found = false
            for _ in 0..<size {
                if try mapKey(&position, depth: depth + 1, budget: &budget) == key { found = true; break }
                try skip(&position, depth: depth + 1, budget: &budget)
            }
            guard found else { return nil }
        }
        return try decode(&position, depth: path.count, budget: &budget)
    }

    private func offset(_ position: Int) -> Int { position - start }

    private func take(_ count: Int, _ position: inout Int) throws(MMDBError) -> ArraySlice<UInt8> {
        guard count <= end - position else { throw .truncated(offset: offset(position)) }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private func integer<T: FixedWidthInteger>(_ count: Int, _ position: inout Int) throws(MMDBError) -> T {
        try take(count, &position).reduce(T.zero) { $0 << 8 | T($1) }
    }

    /// Counts one more value at `position` and checks the limits.
    private func enter(_ position: Int, depth: Int, budget: inout Int) throws(MMDBError) {
        budget -= 1
        guard depth <= MaxMindDB.maxDepth, budget >= 0 else { throw .tooComplex(offset: offset(position)) }
    }

    /// When the field at `position` is a pointer: moves past it and returns
    /// where it points, which must be inside the section and not a pointer.
    private func pointerTarget(_ position: inout Int) throws(MMDBError) -> Int? {
        guard position < end, bytes[position] >> 5 == 1 else { return nil }
        let fieldOffset = offset(position)
        let control: UInt8 = try integer(1, &position)
        let high = Int(control & 7)
        let pointer: Int = switch control >> 3 & 3 {
        case 0: high << 8 | (try integer(1, &position))
        case 1: (high << 16 | (try integer(2, &position))) + 2048
        case 2: (high << 24 | (try integer(3, &position))) + 526_336
        default: try integer(4, &position)
        }
        let target = start + pointer
        guard target < end else { throw .truncated(offset: pointer) }
        guard bytes[target] >> 5 != 1 else { throw .pointerToPointer(offset: fieldOffset) }
        return target
    }

    /// The type and payload size of the (non-pointer) field at `position`,
    /// moving past its control bytes to the payload.
    private func header(_ position: inout Int) throws(MMDBError) -> (type: Int, size: Int) {
        let fieldOffset = offset(position)
        let control: UInt8 = try integer(1, &position)
        var type = Int(control >> 5)
        if type == 0 {
            type = 7 + Int(try integer(1, &position) as UInt8)
            guard type >= 8 else { throw .invalidType(type, offset: fieldOffset) }
        }
        let size = Int(control & 0x1F)
        return switch size {
        case 29: (type, 29 + (try integer(1, &position)))
        case 30: (type, 285 + (try integer(2, &position)))
        case 31: (type, 65_821 + (try integer(3, &position)))
        default: (type, size)
        }
    }

    private func mapKey(_ position: inout Int, depth: Int, budget: inout Int) throws(MMDBError) -> String {
        let keyOffset = offset(position)
        guard case .string(let key) = try decode(&position, depth: depth, budget: &budget) else {
            throw .mapKeyNotString(offset: keyOffset)
        }
        return key
    }

    /// Moves past the field at `position` (past the pointer itself when the
    /// field is one) without decoding it.
    private func skip(_ position: inout Int, depth: Int, budget: inout Int) throws(MMDBError) {
        try enter(position, depth: depth, budget: &budget)
        if try pointerTarget(&position) != nil { return }
        let (type, size) = try header(&position)
        switch type {
        case 7, 11:
            for _ in 0..<(type == 7 ? 2 * size : size) { try skip(&position, depth: depth + 1, budget: &budget) }
        case 14: break // a boolean's size is its value
        default: _ = try take(size, &position)
        }
    }

    /// Decodes the field at `position` and moves past it (past the pointer
    /// itself when the field is one).
    private func decode(_ position: inout Int, depth: Int, budget: inout Int) throws(MMDBError) -> MMDBValue {
        let fieldOffset = offset(position)
        try enter(position, depth: depth, budget: &budget)
        if var target = try pointerTarget(&position) { return try decode(&target, depth: depth + 1, budget: &budget) }
        let (type, size) = try header(&position)
        func check(_ valid: Bool) throws(MMDBError) {
            guard valid else { throw .badSize(type: type, size: size, offset: fieldOffset) }
        }
        switch type {
        case 2:
            guard let text = String(validating: try take(size, &position), as: UTF8.self) else {
                throw .invalidUTF8(offset: fieldOffset)
            }
            return .string(text)
        case 3:
            try check(size == 8)
            return .double(Double(bitPattern: try integer(8, &position)))
        case 4: return .bytes(Array(try take(size, &position)))
        case 5: try check(size <= 2); return .uint16(try integer(size, &position))
        case 6: try check(size <= 4); return .uint32(try integer(size, &position))
        case 7:
            var entries: [String: MMDBValue] = [:]
            for _ in 0..<size {
                let key = try mapKey(&position, depth: depth + 1, budget: &budget)
                entries[key] = try decode(&position, depth: depth + 1, budget: &budget)
            }
            return .map(entries)
        // A short int32 is zero-extended, as libmaxminddb reads it.
        case 8: try check(size <= 4); return .int32(Int32(bitPattern: try integer(size, &position)))
        case 9: try check(size <= 8); return .uint64(try integer(size, &position))
        case 10: try check(size <= 16); return .uint128(try integer(size, &position))
        case 11:
            var elements: [MMDBValue] = []
            for _ in 0..<size { elements.append(try decode(&position, depth: depth + 1, budget: &budget)) }
            return .array(elements)
        case 14: try check(size <= 1); return .bool(size == 1)
        case 15:
            try check(size == 4)
            return .float(Float(bitPattern: try integer(4, &position)))
        default: throw .invalidType(type, offset: fieldOffset)
        }
    }
}

extension [UInt8] {
    /// The start of the last occurrence of `pattern` at or after `from`.
    func lastIndex(of pattern: [UInt8], from: Int) -> Int? {
        guard count - pattern.count >= from else { return nil }
        return stride(from: count - pattern.count, through: from, by: -1).first { at in
            pattern.indices.allSatisfy { self[at + $0] == pattern[$0] }
        }
    }
}
