/// The OPT pseudo-record's contents (RFC 6891).
public struct EDNS: Hashable, Sendable {
    public var udpPayloadSize: UInt16
    /// The upper eight bits of the 12-bit response code.
    public var extendedRCode: UInt8
    public var version: UInt8
    public var dnssecOK: Bool
    /// The client subnet option, if present and valid (RFC 7871).
    public var clientSubnet: ClientSubnet?
    /// Options other than ECS, as received; never echoed by the server.
    public var otherOptions: [(code: UInt16, data: [UInt8])] { _otherOptions.map { ($0.code, $0.data) } }
    var _otherOptions: [Option]

    struct Option: Hashable, Sendable { var code: UInt16; var data: [UInt8] }

    public static let clientSubnetCode: UInt16 = 8

    public init(udpPayloadSize: UInt16 = 1232, extendedRCode: UInt8 = 0, version: UInt8 = 0,
                dnssecOK: Bool = false, clientSubnet: ClientSubnet? = nil) {
        self.udpPayloadSize = udpPayloadSize; self.extendedRCode = extendedRCode
        self.version = version; self.dnssecOK = dnssecOK; self.clientSubnet = clientSubnet
        self._otherOptions = []
    }

    /// Decodes an OPT record's CLASS, TTL and RDATA. A malformed option
    /// list, a second ECS option or a malformed ECS option throws.
    init(payloadSize: UInt16, ttl: UInt32, data: [UInt8]) throws(DNSError) {
        self.init(udpPayloadSize: payloadSize, extendedRCode: UInt8(ttl >> 24), version: UInt8((ttl >> 16) & 0xFF),
                  dnssecOK: ttl & 0x8000 != 0)
        try withReadableBytes(data) { (raw) throws(DNSError) in
            var r = WireReader(raw)
            while r.remaining > 0 {
                let code = try r.u16()
                let value = try r.bytes(Int(try r.u16()))
                if code == Self.clientSubnetCode {
                    guard clientSubnet == nil else { throw .malformed("more than one client subnet option") }
                    clientSubnet = try ClientSubnet(option: value)
                } else {
                    _otherOptions.append(Option(code: code, data: value))
                }
            }
        }
    }

    /// Appends the OPT record. Only the ECS option is written.
    func encode(into w: inout WireWriter) {
        w.u8(0)
        w.u16(RRType.opt.rawValue)
        w.u16(udpPayloadSize)
        w.u8(extendedRCode); w.u8(version); w.u16(dnssecOK ? 0x8000 : 0)
        guard let ecs = clientSubnet else { w.u16(0); return }
        let option = ecs.optionData
        w.u16(UInt16(option.count + 4))
        w.u16(Self.clientSubnetCode); w.u16(UInt16(option.count)); w.append(option)
    }

    public static func == (a: EDNS, b: EDNS) -> Bool {
        a.udpPayloadSize == b.udpPayloadSize && a.extendedRCode == b.extendedRCode && a.version == b.version
            && a.dnssecOK == b.dnssecOK && a.clientSubnet == b.clientSubnet && a._otherOptions == b._otherOptions
    }
    public func hash(into h: inout Hasher) { h.combine(udpPayloadSize); h.combine(clientSubnet); h.combine(_otherOptions) }
}

/// The EDNS Client Subnet option (RFC 7871 §6).
///
/// Invariants: `family` is 1 (IPv4) or 2 (IPv6); `sourcePrefix` fits the
/// family; `address` holds exactly ⌈sourcePrefix/8⌉ bytes with no bits set
/// beyond `sourcePrefix`.
public struct ClientSubnet: Hashable, Sendable {
    public var family: UInt16
    public var sourcePrefix: UInt8
    public var scopePrefix: UInt8
    public var address: [UInt8]

    public var maxPrefix: Int { family == 1 ? 32 : 128 }

    /// Validates and wraps the parts; throws on any violation of the invariants.
    public init(family: UInt16, sourcePrefix: UInt8, scopePrefix: UInt8, address: [UInt8]) throws(DNSError) {
        guard family == 1 || family == 2 else { throw .malformed("client subnet family \(family) is not 1 or 2") }
        let max = family == 1 ? 32 : 128
        guard sourcePrefix <= max else { throw .malformed("client subnet source prefix \(sourcePrefix) exceeds \(max)") }
        guard scopePrefix <= max else { throw .malformed("client subnet scope prefix \(scopePrefix) exceeds \(max)") }
        let needed = (Int(sourcePrefix) + 7) / 8
        guard address.count == needed else {
            throw .malformed("client subnet address has \(address.count) bytes, prefix /\(sourcePrefix) needs \(needed)")
        }
        if sourcePrefix % 8 != 0, let last = address.last, last & (0xFF >> (sourcePrefix % 8)) != 0 {
            throw .malformed("client subnet address has bits set beyond /\(sourcePrefix)")
        }
        self.family = family; self.sourcePrefix = sourcePrefix; self.scopePrefix = scopePrefix; self.address = address
    }

    init(option data: [UInt8]) throws(DNSError) {
        guard data.count >= 4 else { throw .malformed("client subnet option shorter than 4 bytes") }
        try self.init(family: UInt16(data[0]) << 8 | UInt16(data[1]), sourcePrefix: data[2], scopePrefix: data[3],
                      address: Array(data[4...]))
    }

    var optionData: [UInt8] { [UInt8(family >> 8), UInt8(family & 0xFF), sourcePrefix, scopePrefix] + address }

    /// The address padded with zeros to the family's full length.
    public var fullAddress: [UInt8] { address + [UInt8](repeating: 0, count: maxPrefix / 8 - address.count) }
}
