/// Writes a DNS message into memory the caller owns, compressing names
/// exactly as `WireWriter` does (the same pointers, so the same bytes), and
/// never allocating.
///
/// Invariants: `count <= buffer.count`; the suffix table lists, in the order
/// written, where each name suffix written below offset 0x4000 starts and
/// its uncompressed length. Once `isFull` or `lostSuffix` is set the
/// message is unusable: the caller rewrites it or takes another path.
public struct ResponseWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    public private(set) var count = 0
    /// A write did not fit in the buffer.
    public private(set) var isFull = false
    /// The suffix table overflowed, so later names might compress differently from `WireWriter`.
    public private(set) var lostSuffix = false
    private var suffixOffsets = SIMD64<UInt16>(), suffixLengths = SIMD64<UInt16>(), suffixCount = 0

    /// How many name suffixes one message may offer for compression.
    public static let maxSuffixes = 64

    public init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    /// The bytes written so far.
    public var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<count]) }

    @inline(__always) public mutating func u8(_ value: UInt8) {
        guard count < buffer.count else { isFull = true; return }
        buffer[count] = value
        count += 1
    }

    @inline(__always) public mutating func u16(_ value: UInt16) { bigEndian(value) }

    @inline(__always) public mutating func u32(_ value: UInt32) { bigEndian(value) }

    /// Writes `value` in network byte order with one bounds check.
    @inline(__always) private mutating func bigEndian<Value: FixedWidthInteger>(_ value: Value) {
        let size = MemoryLayout<Value>.size
        guard size <= buffer.count - count else { isFull = true; return }
        buffer.storeBytes(of: value.bigEndian, toByteOffset: count, as: Value.self)
        count += size
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= buffer.count - count else { isFull = true; return }
        UnsafeMutableRawBufferPointer(rebasing: buffer[count..<(count + bytes.count)]).copyMemory(from: bytes)
        count += bytes.count
    }

    /// Overwrites a 16-bit field written earlier.
    public mutating func patch16(at offset: Int, _ value: UInt16) {
        guard offset + 2 <= count else { return }
        buffer[offset] = UInt8(value >> 8)
        buffer[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Drops everything from `length` on, forgetting compression targets there.
    public mutating func truncate(to length: Int) {
        guard length <= count else { return }
        count = length
        isFull = false
        while suffixCount > 0, Int(suffixOffsets[suffixCount - 1]) >= length { suffixCount -= 1 }
    }

    /// Offers the suffixes of `name`, already written at `offset` (a question
    /// copied from the request), as compression targets.
    public mutating func noteName(_ name: NameView, writtenAt offset: Int) {
        var i = 0
        while name.bytes[i] != 0 {
            remember(offset + i, length: name.bytes.count - i)
            i += Int(name.bytes[i]) + 1
        }
    }

    /// Writes `name`, compressed against earlier names when `compress` is set;
    /// names written in full still become targets for later ones.
    public mutating func name(_ name: NameView, compress: Bool = true) {
        let wire = name.bytes
        var i = 0
        while wire[i] != 0, !isFull {
            if compress, let target = firstSuffix(equalTo: UnsafeRawBufferPointer(rebasing: wire[i...])) {
                u16(0xC000 | UInt16(target))
                return
            }
            remember(count, length: wire.count - i)
            let end = i + Int(wire[i]) + 1
            append(UnsafeRawBufferPointer(rebasing: wire[i..<end]))
            i = end
        }
        u8(0)
    }

    /// Writes one IN-class record: owner, type, class, TTL and the RDATA of
    /// `template` (whose bytes are in `store`), compressed as `Message.encode` does.
    public mutating func record(owner: NameView, ttl: UInt32, _ template: RDataTemplate, in store: ByteStore) {
        name(owner)
        u16(template.type.rawValue); u16(RRClass.in.rawValue); u32(ttl)
        let lengthAt = count
        u16(0)
        let rdata = template.bytes(in: store)
        var done = 0
        func writeName(at offset: Int16) {
            guard offset >= 0, let name = NameView(uncompressedIn: rdata, at: Int(offset)) else { return }
            append(UnsafeRawBufferPointer(rebasing: rdata[done..<Int(offset)]))
            self.name(name, compress: template.compressesNames)
            done = Int(offset) + name.bytes.count
        }
        writeName(at: template.firstName)
        writeName(at: template.secondName)
        append(UnsafeRawBufferPointer(rebasing: rdata[done...]))
        patch16(at: lengthAt, UInt16(truncatingIfNeeded: count - lengthAt - 2))
    }

    private mutating func remember(_ offset: Int, length: Int) {
        guard offset < 0x4000 else { return }
        guard suffixCount < Self.maxSuffixes else { lostSuffix = true; return }
        suffixOffsets[suffixCount] = UInt16(offset)
        suffixLengths[suffixCount] = UInt16(length)
        suffixCount += 1
    }

    /// The offset of the first remembered suffix equal to `suffix` (ignoring case).
    private func firstSuffix(equalTo suffix: UnsafeRawBufferPointer) -> Int? {
        guard !isFull else { return nil }   // a suffix may point at bytes that were never written
        for index in 0..<suffixCount where Int(suffixLengths[index]) == suffix.count {
            if written(at: Int(suffixOffsets[index]), equals: suffix) { return Int(suffixOffsets[index]) }
        }
        return nil
    }

    /// True when the name written at `offset` (following pointers) has the labels of `suffix`.
    private func written(at offset: Int, equals suffix: UnsafeRawBufferPointer) -> Bool {
        // Written uncompressed, the name's bytes equal the suffix's (a pointer
        // can only stand where the suffix has a length byte, below 0xC0, so it never matches).
        if offset + suffix.count <= count,
           NameView.foldedEqual(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[offset..<(offset + suffix.count)]), suffix) {
            return true
        }
        var position = offset, i = 0
        while true {
            var length = buffer[position]
            while length & 0xC0 == 0xC0 {
                position = Int(length & 0x3F) << 8 | Int(buffer[position + 1])
                length = buffer[position]
            }
            guard length == suffix[i] else { return false }
            if length == 0 { return true }
            for k in 1...Int(length) where asciiLower(buffer[position + k]) != asciiLower(suffix[i + k]) { return false }
            position += Int(length) + 1
            i += Int(length) + 1
        }
    }
}

extension ResponseWriter {
    /// Starts the response to `query`: its header with the query's ID, flags
    /// and counts 0 (for `patch16`), QDCOUNT 1, and its question, whose name
    /// suffixes become compression targets unless `offeringNames` is false
    /// (what follows is written already, as bytes).
    public mutating func begin(answering query: Query, offeringNames: Bool = true) {
        u16(query.id)
        u16(0); u16(1); u16(0); u16(0); u16(0)
        append(query.question)
        if offeringNames { noteName(query.name, writtenAt: 12) }
    }

    /// The response's OPT record as `EDNS.encode` writes it: `payloadSize`,
    /// the extended bits of `rcode`, the request's DO bit, and the request's
    /// ECS option echoed with `scope` (RFC 6891 §6.1.3, RFC 7871 §7.2.1).
    public mutating func opt(answering request: QueryEDNS, payloadSize: Int, rcode: RCode, scope: UInt8) {
        u8(0)
        u16(RRType.opt.rawValue)
        u16(UInt16(payloadSize))
        u8(UInt8(truncatingIfNeeded: rcode.rawValue >> 4)); u8(0); u16(request.dnssecOK ? 0x8000 : 0)
        guard let ecs = request.clientSubnet else { u16(0); return }
        let length = UInt16(ecs.address.count + 4)
        u16(length + 4)
        u16(EDNS.clientSubnetCode); u16(length)
        u16(ecs.family); u8(ecs.sourcePrefix); u8(scope)
        append(ecs.address)
    }
}
