/// Reads DNS wire data with bounds checks; every read throws instead of
/// trapping, so any byte sequence is safe to parse.
public struct WireReader: ~Copyable {
    public let bytes: UnsafeRawBufferPointer
    public var offset: Int

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }

    public mutating func u8() throws(DNSError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16() throws(DNSError) -> UInt16 {
        guard offset + 2 <= bytes.count else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    public mutating func u32() throws(DNSError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw .truncated }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    public mutating func bytes(_ count: Int) throws(DNSError) -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// A length-prefixed character-string (RFC 1035 §3.3).
    public mutating func characterString() throws(DNSError) -> [UInt8] {
        try bytes(Int(u8()))
    }

    /// Reads a possibly compressed name. Pointers must point strictly
    /// backwards, which bounds the work and rules out loops. Where the
    /// protocol forbids compression, `allowCompression: false` rejects pointers.
    public mutating func name(allowCompression: Bool = true) throws(DNSError) -> DomainName {
        var wire: [UInt8] = []
        var position = offset
        var limit = offset          // pointers must target bytes before this
        var endOfName: Int? = nil   // where reading continues after the name
        while true {
            guard position < bytes.count else { throw .truncated }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    wire.append(0)
                    offset = endOfName ?? position + 1
                    guard wire.count <= DomainName.maxWireLength else { throw .badName("name longer than 255 bytes") }
                    return DomainName(uncheckedWire: wire)
                }
                let end = position + 1 + Int(length)
                guard end <= bytes.count else { throw .truncated }
                wire.append(contentsOf: bytes[position..<end])
                guard wire.count < DomainName.maxWireLength else { throw .badName("name longer than 255 bytes") }
                position = end
            case 0xC0:
                guard allowCompression else { throw .badName("compressed name where compression is not allowed") }
                guard position + 1 < bytes.count else { throw .truncated }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < limit else { throw .badName("compression pointer does not point backwards") }
                if endOfName == nil { endOfName = position + 2 }
                limit = target
                position = target
            default:
                throw .badName("reserved label type")
            }
        }
    }
}

/// Runs `body` over the bytes of `array`, keeping the typed error.
func withReadableBytes<T>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(DNSError) -> T) throws(DNSError) -> T {
    try array.withUnsafeBytes { raw in Result { () throws(DNSError) in try body(raw) } }.get()
}
