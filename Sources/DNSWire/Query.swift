/// The parts of an ordinary query that answering needs, read in place
/// without allocating: the header, one uncompressed question, and an
/// optional OPT record with its client subnet.
///
/// `Query(parsing:)` accepts only requests that `Message.parse` accepts and
/// reads them the same way; it declines everything else (compressed or
/// several questions, records besides OPT, trailing bytes, malformed EDNS),
/// which the general parser then handles.
public struct Query {
    public var id: UInt16
    public var flags: UInt16
    public var name: NameView
    public var type: RRType
    public var rrclass: RRClass
    /// The question's bytes (name, type, class) in the packet, starting at offset 12.
    public var question: UnsafeRawBufferPointer
    public var edns: QueryEDNS?

    public var header: Header { Header(id: id, flags: flags) }

    public init?(parsing packet: UnsafeRawBufferPointer) {
        guard packet.count >= 12, packet.u16(at: 4) == 1, packet.u16(at: 6) == 0, packet.u16(at: 8) == 0 else { return nil }
        let additional = packet.u16(at: 10)
        guard additional <= 1, let name = NameView(uncompressedIn: packet, at: 12) else { return nil }
        let questionEnd = 12 + name.bytes.count + 4
        guard questionEnd <= packet.count else { return nil }
        id = packet.u16(at: 0)
        flags = packet.u16(at: 2)
        self.name = name
        type = RRType(packet.u16(at: questionEnd - 4))
        rrclass = RRClass(rawValue: packet.u16(at: questionEnd - 2))
        question = UnsafeRawBufferPointer(rebasing: packet[12..<questionEnd])
        if additional == 1 {
            guard let edns = QueryEDNS(optAt: questionEnd, in: packet) else { return nil }
            self.edns = edns
        } else {
            guard questionEnd == packet.count else { return nil }
            edns = nil
        }
    }
}

/// A query's OPT record (RFC 6891), read in place.
public struct QueryEDNS {
    public var udpPayloadSize: UInt16
    public var version: UInt8
    public var dnssecOK: Bool
    public var clientSubnet: QueryClientSubnet?

    /// The OPT record at `offset`, which must end the packet; nil when it is
    /// anything else or malformed.
    init?(optAt offset: Int, in packet: UnsafeRawBufferPointer) {
        // Root owner (1), type (2), class (2), TTL (4), RDLENGTH (2).
        guard offset + 11 <= packet.count, packet[offset] == 0, packet.u16(at: offset + 1) == RRType.opt.rawValue else { return nil }
        udpPayloadSize = packet.u16(at: offset + 3)
        version = packet[offset + 6]
        dnssecOK = packet[offset + 7] & 0x80 != 0
        let dataStart = offset + 11
        guard dataStart + Int(packet.u16(at: offset + 9)) == packet.count else { return nil }
        clientSubnet = nil
        var position = dataStart
        while position < packet.count {
            guard position + 4 <= packet.count else { return nil }
            let code = packet.u16(at: position), length = Int(packet.u16(at: position + 2))
            let end = position + 4 + length
            guard end <= packet.count else { return nil }
            if code == EDNS.clientSubnetCode {
                guard clientSubnet == nil,
                      let subnet = QueryClientSubnet(UnsafeRawBufferPointer(rebasing: packet[(position + 4)..<end])) else { return nil }
                clientSubnet = subnet
            }
            position = end
        }
    }
}

/// A query's client subnet option (RFC 7871 §6), checked as `ClientSubnet` checks it.
public struct QueryClientSubnet {
    public var family: UInt16
    public var sourcePrefix: UInt8
    public var scopePrefix: UInt8
    /// The address bytes as sent (⌈sourcePrefix/8⌉ of them).
    public var address: UnsafeRawBufferPointer

    public var maxPrefix: Int { family == 1 ? 32 : 128 }

    init?(_ option: UnsafeRawBufferPointer) {
        guard option.count >= 4 else { return nil }
        family = option.u16(at: 0)
        sourcePrefix = option[2]
        scopePrefix = option[3]
        address = UnsafeRawBufferPointer(rebasing: option[4...])
        guard family == 1 || family == 2, Int(sourcePrefix) <= maxPrefix, Int(scopePrefix) <= maxPrefix,
              address.count == (Int(sourcePrefix) + 7) / 8 else { return nil }
        if sourcePrefix % 8 != 0, let last = address.last, last & (0xFF >> (sourcePrefix % 8)) != 0 { return nil }
    }

    /// The address, padded with zeros to the family's width, as an unsigned
    /// integer in network bit order (an IPv4 address in the low 32 bits).
    public var fullAddress: UInt128 {
        var value: UInt128 = 0
        for index in 0..<(maxPrefix / 8) { value = value << 8 | UInt128(index < address.count ? address[index] : 0) }
        return value
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian 16-bit value at `offset`; the caller checked the bounds.
    @inline(__always) func u16(at offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }
}
