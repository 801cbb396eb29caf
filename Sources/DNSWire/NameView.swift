/// A domain name in uncompressed wire form, read in place (in a packet or a
/// `ByteStore`) instead of owned: the allocation-free query path's names.
///
/// Invariants: `bytes` is a valid name as `DomainName.wire` is (labels of
/// 1...63 bytes, the root label last, at most 255 bytes), and the memory it
/// points at outlives the view. Equality and `hashCode` ignore ASCII case.
public struct NameView: Equatable {
    public let bytes: UnsafeRawBufferPointer

    /// Wraps bytes already known to hold exactly one valid name.
    public init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The uncompressed name at `offset` of `packet`, or nil when it is
    /// compressed, malformed or runs past the end (the general parser decides those).
    public init?(uncompressedIn packet: UnsafeRawBufferPointer, at offset: Int) {
        var position = offset
        while true {
            guard position < packet.count, position - offset < DomainName.maxWireLength else { return nil }
            let length = Int(packet[position])
            guard length & 0xC0 == 0 else { return nil }
            position += length + 1
            if length == 0 { break }
        }
        guard position - offset <= DomainName.maxWireLength else { return nil }
        bytes = UnsafeRawBufferPointer(rebasing: packet[offset..<position])
    }

    public var isRoot: Bool { bytes.count == 1 }

    /// The number of labels, not counting the root.
    public var labelCount: Int {
        var count = 0, i = 0
        while bytes[i] != 0 { count += 1; i += Int(bytes[i]) + 1 }
        return count
    }

    /// The name without its leftmost label; the root's parent is the root.
    public var parent: NameView {
        guard !isRoot else { return self }
        return NameView(unchecked: UnsafeRawBufferPointer(rebasing: bytes[(Int(bytes[0]) + 1)...]))
    }

    /// The name with its `count` leftmost labels removed.
    public func dropping(labels count: Int) -> NameView {
        var i = 0
        for _ in 0..<count where bytes[i] != 0 { i += Int(bytes[i]) + 1 }
        return NameView(unchecked: UnsafeRawBufferPointer(rebasing: bytes[i...]))
    }

    /// True when this name equals `other` or lies below it.
    public func isSubdomain(of other: NameView) -> Bool {
        let extra = labelCount - other.labelCount
        return extra >= 0 && dropping(labels: extra) == other
    }

    /// FNV-1a over the lowercased bytes: equal names hash equally.
    public var hashCode: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(asciiLower(byte))) &* 0x100_0000_01B3 }
        return hash
    }

    /// An owned copy (allocates).
    public var domainName: DomainName { DomainName(uncheckedWire: Array(bytes)) }

    public static func == (a: NameView, b: NameView) -> Bool {
        guard a.bytes.count == b.bytes.count else { return false }
        for i in 0..<a.bytes.count where asciiLower(a.bytes[i]) != asciiLower(b.bytes[i]) { return false }
        return true
    }
}

extension DomainName {
    /// Runs `body` with a view of this name.
    public func withView<T>(_ body: (NameView) throws -> T) rethrows -> T {
        try wire.withUnsafeBytes { try body(NameView(unchecked: $0)) }
    }
}
