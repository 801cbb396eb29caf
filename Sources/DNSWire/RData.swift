/// Record data of the types Nearcast knows, plus any other type kept as
/// opaque bytes (RFC 3597).
///
/// Invariant: each case holds exactly what its wire form holds, so
/// `decode(encode(x)) == x` for every value built from valid input.
public enum RData: Hashable, Sendable {
    case a(IPv4Bytes)
    case aaaa(IPv6Bytes)
    case ns(DomainName)
    case cname(DomainName)
    case ptr(DomainName)
    case soa(SOA)
    case mx(preference: UInt16, exchange: DomainName)
    /// TXT and SPF: one or more character-strings.
    case txt([[UInt8]])
    case spf([[UInt8]])
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DomainName)
    case caa(flags: UInt8, tag: [UInt8], value: [UInt8])
    case naptr(order: UInt16, preference: UInt16, flags: [UInt8], services: [UInt8], regexp: [UInt8], replacement: DomainName)
    case ds(keyTag: UInt16, algorithm: UInt8, digestType: UInt8, digest: [UInt8])
    case sshfp(algorithm: UInt8, fingerprintType: UInt8, fingerprint: [UInt8])
    case tlsa(usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8])
    /// SVCB and HTTPS (RFC 9460); `params` are in strictly increasing key order.
    case svcb(SVCB)
    case https(SVCB)
    /// Any other type, as the bytes of its RDATA.
    case unknown(type: RRType, data: [UInt8])

    public var type: RRType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .cname: .cname
        case .ptr: .ptr
        case .soa: .soa
        case .mx: .mx
        case .txt: .txt
        case .spf: .spf
        case .srv: .srv
        case .caa: .caa
        case .naptr: .naptr
        case .ds: .ds
        case .sshfp: .sshfp
        case .tlsa: .tlsa
        case .svcb: .svcb
        case .https: .https
        case .unknown(let type, _): type
        }
    }

    /// The domain name this record points at, if any: targets whose address
    /// records belong in the additional section.
    public var target: DomainName? {
        switch self {
        case .ns(let name), .cname(let name), .ptr(let name): name
        case .mx(_, let name): name
        case .srv(_, _, _, let name): name
        case .svcb(let s), .https(let s): s.target
        default: nil
        }
    }
}

public typealias IPv4Bytes = InlineBytes4
public typealias IPv6Bytes = InlineBytes16

/// Four address bytes held inline.
public struct InlineBytes4: Hashable, Sendable {
    public var bytes: (UInt8, UInt8, UInt8, UInt8)
    public init(_ b: [UInt8]) { bytes = (b[0], b[1], b[2], b[3]) }
    public var array: [UInt8] { [bytes.0, bytes.1, bytes.2, bytes.3] }
    public static func == (a: Self, b: Self) -> Bool { a.array == b.array }
    public func hash(into h: inout Hasher) { h.combine(array) }
}

/// Sixteen address bytes held inline.
public struct InlineBytes16: Hashable, Sendable {
    public var high: UInt64, low: UInt64
    public init(_ b: [UInt8]) {
        high = b[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = b[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }
    public var array: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }
}

public struct SOA: Hashable, Sendable {
    public var mname: DomainName, rname: DomainName
    public var serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32
    public init(mname: DomainName, rname: DomainName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32) {
        self.mname = mname; self.rname = rname; self.serial = serial
        self.refresh = refresh; self.retry = retry; self.expire = expire; self.minimum = minimum
    }
}

public struct SVCB: Hashable, Sendable {
    public struct Param: Hashable, Sendable {
        public var key: UInt16, value: [UInt8]
        public init(key: UInt16, value: [UInt8]) { self.key = key; self.value = value }
    }
    public var priority: UInt16, target: DomainName, params: [Param]
    public init(priority: UInt16, target: DomainName, params: [Param]) {
        self.priority = priority; self.target = target; self.params = params
    }
}

extension RData {
    /// Decodes RDATA of `type` occupying exactly `length` bytes at the reader's offset.
    /// Names may be compressed only in the types RFC 3597 §4 allows.
    public static func decode(type: RRType, length: Int, from reader: inout WireReader) throws(DNSError) -> RData {
        let end = reader.offset + length
        guard length >= 0, end <= reader.bytes.count else { throw .truncated }
        var r = WireReader(reader.bytes, offset: reader.offset)
        let value: RData
        switch type {
        case .a:
            guard length == 4 else { throw .malformed("A record data must be 4 bytes") }
            value = .a(IPv4Bytes(try r.bytes(4)))
        case .aaaa:
            guard length == 16 else { throw .malformed("AAAA record data must be 16 bytes") }
            value = .aaaa(IPv6Bytes(try r.bytes(16)))
        case .ns: value = .ns(try r.name())
        case .cname: value = .cname(try r.name())
        case .ptr: value = .ptr(try r.name())
        case .soa:
            value = .soa(SOA(mname: try r.name(), rname: try r.name(), serial: try r.u32(), refresh: try r.u32(),
                             retry: try r.u32(), expire: try r.u32(), minimum: try r.u32()))
        case .mx: value = .mx(preference: try r.u16(), exchange: try r.name())
        case .txt, .spf:
            var strings: [[UInt8]] = []
            while r.offset < end { strings.append(try r.characterString()) }
            guard !strings.isEmpty else { throw .malformed("\(type) record without strings") }
            value = type == .txt ? .txt(strings) : .spf(strings)
        case .srv:
            value = .srv(priority: try r.u16(), weight: try r.u16(), port: try r.u16(), target: try r.name())
        case .caa:
            let flags = try r.u8()
            let tag = try r.characterString()
            guard end >= r.offset else { throw .truncated }
            value = .caa(flags: flags, tag: tag, value: try r.bytes(end - r.offset))
        case .naptr:
            value = .naptr(order: try r.u16(), preference: try r.u16(), flags: try r.characterString(),
                           services: try r.characterString(), regexp: try r.characterString(), replacement: try r.name())
        case .ds:
            let keyTag = try r.u16(), algorithm = try r.u8(), digestType = try r.u8()
            guard end >= r.offset else { throw .truncated }
            value = .ds(keyTag: keyTag, algorithm: algorithm, digestType: digestType, digest: try r.bytes(end - r.offset))
        case .sshfp:
            let algorithm = try r.u8(), fpType = try r.u8()
            guard end >= r.offset else { throw .truncated }
            value = .sshfp(algorithm: algorithm, fingerprintType: fpType, fingerprint: try r.bytes(end - r.offset))
        case .tlsa:
            let usage = try r.u8(), selector = try r.u8(), matching = try r.u8()
            guard end >= r.offset else { throw .truncated }
            value = .tlsa(usage: usage, selector: selector, matchingType: matching, data: try r.bytes(end - r.offset))
        case .svcb, .https:
            let priority = try r.u16()
            let target = try r.name(allowCompression: false)  // RFC 9460 §2.2
            var params: [SVCB.Param] = []
            while r.offset < end {
                let key = try r.u16()
                let value = try r.bytes(Int(try r.u16()))
                if let last = params.last, last.key >= key { throw .malformed("SvcParamKeys out of order") }
                params.append(.init(key: key, value: value))
            }
            let svcb = SVCB(priority: priority, target: target, params: params)
            value = type == .svcb ? .svcb(svcb) : .https(svcb)
        default:
            value = .unknown(type: type, data: try r.bytes(length))
        }
        guard r.offset == end else { throw .malformed("\(type) record data has \(end - r.offset) bytes too many or too few") }
        reader.offset = end
        return value
    }

    /// Appends the RDATA (without its length). Names are compressed only in
    /// the RFC 1035 types (RFC 3597 §4).
    public func encode(into w: inout WireWriter) {
        switch self {
        case .a(let address): w.append(address.array)
        case .aaaa(let address): w.append(address.array)
        case .ns(let name), .cname(let name), .ptr(let name): w.name(name)
        case .soa(let soa):
            w.name(soa.mname); w.name(soa.rname)
            w.u32(soa.serial); w.u32(soa.refresh); w.u32(soa.retry); w.u32(soa.expire); w.u32(soa.minimum)
        case .mx(let preference, let exchange): w.u16(preference); w.name(exchange)
        case .txt(let strings), .spf(let strings): strings.forEach { w.characterString($0) }
        case .srv(let priority, let weight, let port, let target):
            w.u16(priority); w.u16(weight); w.u16(port); w.name(target, compress: false)
        case .caa(let flags, let tag, let value): w.u8(flags); w.characterString(tag); w.append(value)
        case .naptr(let order, let preference, let flags, let services, let regexp, let replacement):
            w.u16(order); w.u16(preference)
            w.characterString(flags); w.characterString(services); w.characterString(regexp)
            w.name(replacement, compress: false)
        case .ds(let keyTag, let algorithm, let digestType, let digest):
            w.u16(keyTag); w.u8(algorithm); w.u8(digestType); w.append(digest)
        case .sshfp(let algorithm, let fpType, let fingerprint): w.u8(algorithm); w.u8(fpType); w.append(fingerprint)
        case .tlsa(let usage, let selector, let matching, let data): w.u8(usage); w.u8(selector); w.u8(matching); w.append(data)
        case .svcb(let s), .https(let s):
            w.u16(s.priority); w.name(s.target, compress: false)
            for p in s.params { w.u16(p.key); w.u16(UInt16(p.value.count)); w.append(p.value) }
        case .unknown(_, let data): w.append(data)
        }
    }

    /// The RDATA in uncompressed wire form, as RFC 3597's `\#` form shows it.
    public var uncompressedWire: [UInt8] {
        var w = WireWriter()
        switch self {
        case .ns(let n), .cname(let n), .ptr(let n): w.name(n, compress: false)
        case .mx(let p, let n): w.u16(p); w.name(n, compress: false)
        case .soa(let s):
            w.name(s.mname, compress: false); w.name(s.rname, compress: false)
            [s.serial, s.refresh, s.retry, s.expire, s.minimum].forEach { w.u32($0) }
        default: encode(into: &w)
        }
        return w.bytes
    }
}
