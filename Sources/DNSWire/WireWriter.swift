/// Appends DNS wire data to a byte array, compressing names (RFC 1035 §4.1.4).
///
/// Compression matches names case-insensitively; a name is compressed only
/// against suffixes already written by this writer at offsets below 0x4000.
public struct WireWriter {
    public private(set) var bytes: [UInt8]
    /// Lowercased name suffixes written so far and where they start.
    private var suffixes: [(suffix: ArraySlice<UInt8>, offset: Int)] = []

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    public mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func u32(_ value: UInt32) {
        u16(UInt16(value >> 16))
        u16(UInt16(truncatingIfNeeded: value))
    }

    public mutating func append(_ data: some Collection<UInt8>) { bytes.append(contentsOf: data) }

    /// Writes a length-prefixed character-string; callers keep it ≤ 255 bytes.
    public mutating func characterString(_ data: [UInt8]) {
        u8(UInt8(data.count))
        append(data)
    }

    /// Overwrites a 16-bit field written earlier, e.g. a length or a count.
    public mutating func patch16(at offset: Int, _ value: UInt16) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Drops everything from `length` on, forgetting compression targets there.
    public mutating func truncate(to length: Int) {
        bytes.removeSubrange(length...)
        suffixes.removeAll { $0.offset >= length }
    }

    /// Writes `name`, compressed against earlier names when `compress` is set.
    /// Names written uncompressed still become targets for later names.
    public mutating func name(_ name: DomainName, compress: Bool = true) {
        let wire = name.wire
        let lowered = wire.map(asciiLower)[...]
        var i = 0
        while wire[i] != 0 {
            let suffix = lowered[i...]
            if compress, let hit = suffixes.first(where: { $0.suffix == suffix }) {
                u16(0xC000 | UInt16(hit.offset))
                return
            }
            if bytes.count < 0x4000 { suffixes.append((suffix, bytes.count)) }
            let length = Int(wire[i])
            append(wire[i...(i + length)])
            i += length + 1
        }
        u8(0)
    }
}
