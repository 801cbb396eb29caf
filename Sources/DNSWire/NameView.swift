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

    /// A multiply–xorshift hash of the case-folded bytes, eight at a time:
    /// equal names (ignoring ASCII case) hash equally.
    public var hashCode: UInt64 {
        var hash = UInt64(truncatingIfNeeded: bytes.count) &* 0x9E37_79B9_7F4A_7C15
        let words = FoldedWords(bytes)
        for index in 0..<words.count {
            hash = (hash ^ words[index]) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 29
        }
        return hash ^ hash >> 32
    }

    /// An owned copy (allocates).
    public var domainName: DomainName { DomainName(uncheckedWire: Array(bytes)) }

    public static func == (a: NameView, b: NameView) -> Bool { foldedEqual(a.bytes, b.bytes) }

    /// True when the two byte strings are equal ignoring ASCII case, compared eight bytes at a time.
    static func foldedEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        let x = FoldedWords(a), y = FoldedWords(b)
        for index in 0..<x.count where x[index] != y[index] { return false }
        return true
    }
}

/// The bytes of a name as little-endian 64-bit words with ASCII letters
/// folded to lower case: whole words, then the last 8 bytes (overlapping
/// the one before) or, for names under 8 bytes, one zero-padded word. Two
/// byte strings of the same length are equal ignoring case exactly when
/// their words are.
struct FoldedWords {
    private let bytes: UnsafeRawBufferPointer
    let count: Int

    @inline(__always) init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        count = max(1, (bytes.count + 7) / 8)
    }

    @inline(__always) subscript(index: Int) -> UInt64 {
        let size = bytes.count
        guard size >= 8 else {
            var word: UInt64 = 0
            for i in 0..<size { word |= UInt64(bytes[i]) << UInt64(8 * i) }
            return Self.fold(word)
        }
        return Self.fold(bytes.loadUnaligned(fromByteOffset: min(8 * index, size - 8), as: UInt64.self))
    }

    /// Sets bit 5 of every byte from 'A' to 'Z' (SWAR: no byte's test carries into the next).
    @inline(__always) static func fold(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7 = word & (0x7F * ones)
        let atLeastA = low7 &+ (0x80 - 0x41) * ones   // high bit set where the byte is ≥ 'A'
        let pastZ = low7 &+ (0x80 - 0x5B) * ones      // high bit set where the byte is > 'Z'
        let upper = atLeastA & ~pastZ & ~word & (0x80 * ones)
        return word | upper >> 2
    }
}

extension DomainName {
    /// Runs `body` with a view of this name.
    public func withView<T>(_ body: (NameView) throws -> T) rethrows -> T {
        try wire.withUnsafeBytes { try body(NameView(unchecked: $0)) }
    }
}
