/// A serialized `Aggregates` could not be read.
public struct AggregatesDecodingError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { "aggregates: \(message)" }
}

/// Aggregates as bytes, for checkpoints. Little-endian, version 3:
///
///     "NCAG", version UInt16, IPv4 bucket length UInt8, IPv6 bucket length UInt8,
///     half-life ms Int64, bucket count UInt64, state count UInt64
///     per bucket (21 bytes): masked address UInt128, tag UInt8 (`PrefixKey`), state count UInt32
///     per state (22 bytes), buckets' states in bucket order:
///         region UInt16, location, scale, support Float32, newest second UInt32,
///         candidate level and samples in a row UInt16, candidate weight UInt16 (`RobustEstimate`'s codes)
///     checksum UInt64 of everything before it
///
/// Version 2 (written before the candidate counted its samples in a row) is
/// the same with the candidate level alone in steps of 1/4096; it is still
/// read, its candidates with no sample in a row (their weight alone counts,
/// as it did). Version 1 (written before the estimator had a candidate
/// level) has 18-byte states that end at the newest second; it is still
/// read, its states without a candidate.
///
/// Decoding checks every length, key and value and the checksum, so truncated
/// or altered bytes throw. The bucket policy and half-life come back as saved:
/// whether they match the configuration is the caller's decision.
extension Aggregates {
    static let codingMagic: [UInt8] = Array("NCAG".utf8)
    static let codingVersion: UInt16 = 3
    static let headerSize = 32, bucketSize = 21, stateSize = 22, checksumSize = 8
    /// The state size of each version this build reads (index: version).
    static let stateSizes = [0, 18, 22, 22]

    public func serialized() -> [UInt8] {
        let stateCount = self.stateCount
        let total = Self.headerSize + bucketCount * Self.bucketSize + stateCount * Self.stateSize + Self.checksumSize
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let bytes = UnsafeMutableRawBufferPointer(buffer)
            var writer = ByteWriter(bytes: bytes)
            writer.append(contentsOf: Self.codingMagic)
            writer.append(Self.codingVersion)
            writer.append(UInt8(bucketPolicy.ipv4Length))
            writer.append(UInt8(bucketPolicy.ipv6Length))
            writer.append(halfLifeMs)
            writer.append(UInt64(bucketCount))
            writer.append(UInt64(stateCount))
            for bucket in 0..<bucketCount {
                writer.append(index.addresses[bucket])
                writer.append(index.tags[bucket])
                writer.append(rows[bucket].count)
            }
            for bucket in 0..<bucketCount {
                for (region, state) in row(bucket) {
                    writer.append(region)
                    writer.append(state.location.bitPattern)
                    writer.append(state.scale.bitPattern)
                    writer.append(state.support.bitPattern)
                    writer.append(state.lastSecond)
                    writer.append(state.candidateCode)
                    writer.append(state.candidateWeightCode)
                }
            }
            writer.append(Checksum.of(UnsafeRawBufferPointer(rebasing: bytes[..<writer.offset])))
            initialized = writer.offset
        }
    }

    public init(serialized bytes: [UInt8]) throws(AggregatesDecodingError) {
        self = try bytes.withUnsafeBufferPointer { (buffer) throws(AggregatesDecodingError) in try Self.decode(UnsafeRawBufferPointer(buffer)) }
    }

    private static func decode(_ raw: UnsafeRawBufferPointer) throws(AggregatesDecodingError) -> Aggregates {
        func fail(_ message: String) -> AggregatesDecodingError { AggregatesDecodingError(message: message) }
        guard raw.count >= headerSize + checksumSize else { throw fail("\(raw.count) bytes is shorter than the header") }
        guard raw.prefix(4).elementsEqual(codingMagic) else { throw fail("not serialized aggregates (bad magic)") }
        var reader = ByteReader(bytes: raw)
        reader.offset = 4
        let version: UInt16 = reader.read()
        guard version >= 1 && version <= codingVersion else {
            throw fail("unsupported version \(version) (this build reads 1 to \(codingVersion))")
        }
        let stateSize = stateSizes[Int(version)]
        let body = raw.count - checksumSize
        guard Checksum.of(UnsafeRawBufferPointer(rebasing: raw[..<body])) == UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: body, as: UInt64.self))
        else { throw fail("checksum mismatch: the data is corrupt") }
        let ipv4Length = Int(reader.read() as UInt8), ipv6Length = Int(reader.read() as UInt8)
        let halfLifeMs: Int64 = reader.read()
        let bucketCount: UInt64 = reader.read(), stateCount: UInt64 = reader.read()
        guard ipv4Length <= 32, ipv6Length <= 128, halfLifeMs > 0 else { throw fail("invalid bucket lengths or half-life") }
        let room = UInt64(body - headerSize)
        guard bucketCount <= room / UInt64(bucketSize), stateCount <= room / UInt64(stateSize),
              bucketCount * UInt64(bucketSize) + stateCount * UInt64(stateSize) == room
        else { throw fail("\(raw.count) bytes do not hold \(bucketCount) buckets and \(stateCount) states") }
        var aggregates = Aggregates(bucketPolicy: BucketPolicy(ipv4Length: ipv4Length, ipv6Length: ipv6Length), halfLifeMs: halfLifeMs)
        aggregates.rows.reserveCapacity(Int(bucketCount))
        var start: UInt64 = 0
        for bucket in 0..<Int(bucketCount) {
            let key = PrefixKey(address: reader.read(), tag: reader.read())
            let count: UInt32 = reader.read()
            guard key.isCanonical else { throw fail("bucket \(bucket) has an invalid prefix") }
            guard aggregates.index.insert(key).inserted else { throw fail("bucket \(bucket) (\(key.prefix)) appears twice") }
            guard start + UInt64(count) <= stateCount else { throw fail("bucket \(bucket) has more states than the data") }
            aggregates.rows.append(Row(start: UInt32(start), count: count, room: count))
            start += UInt64(count)
        }
        guard start == stateCount else { throw fail("the buckets hold \(start) states, not \(stateCount)") }
        aggregates.regions.reserveCapacity(Int(stateCount))
        aggregates.states.reserveCapacity(Int(stateCount))
        for state in 0..<Int(stateCount) {
            aggregates.regions.append(reader.read())
            let location = Float32(bitPattern: reader.read()), scale = Float32(bitPattern: reader.read())
            let support = Float32(bitPattern: reader.read()), lastSecond: UInt32 = reader.read()
            var candidate: UInt16 = version >= 2 ? reader.read() : 0
            let candidateWeight: UInt16 = version >= 2 ? reader.read() : 0
            if version == 2 { candidate &= ~RobustEstimate.inARowMask }  // the level in steps of 1/1024, no sample in a row
            guard location.isFinite, scale.isFinite, support.isFinite else { throw fail("state \(state) is not finite") }
            aggregates.states.append(RobustEstimate(location: location, scale: scale, support: support, lastSecond: lastSecond,
                                                    candidateCode: candidate, candidateWeightCode: candidateWeight))
        }
        return aggregates
    }
}

extension PrefixKey {
    /// A tag of a possible family and length, and no address bits beyond the length.
    var isCanonical: Bool {
        if tag >= Self.ipv4Tag {
            let length = Int(tag - Self.ipv4Tag)
            return length <= 32 && address >> 32 == 0 && (length == 32 || UInt32(address) & (UInt32.max >> length) == 0)
        }
        let length = Int(tag)
        return length <= 128 && (length == 128 || address & (UInt128.max >> length) == 0)
    }
}

/// A 64-bit checksum that any change to one 8-byte word alters (each step is
/// a bijection of the running value for a fixed word).
enum Checksum {
    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            h = mix(h, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        for (shift, byte) in bytes[offset...].enumerated() { tail |= UInt64(byte) << (8 * shift) }
        return mix(mix(h, tail), 0)
    }

    private static func mix(_ h: UInt64, _ word: UInt64) -> UInt64 {
        let x = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
        return (x ^ (x >> 31)) &* 0x94D0_49BB_1331_11EB
    }
}

/// Writes little-endian integers into preallocated bytes.
struct ByteWriter {
    let bytes: UnsafeMutableRawBufferPointer
    var offset = 0

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
    }

    mutating func append(contentsOf values: [UInt8]) {
        for value in values { append(value) }
    }
}

/// Reads little-endian integers; callers check the length first.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func read<T: FixedWidthInteger>() -> T {
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return value
    }
}
