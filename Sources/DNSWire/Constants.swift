/// A resource record type (RFC 1035 §3.2.2 and later registrations).
public struct RRType: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = RRType(1), ns = RRType(2), cname = RRType(5), soa = RRType(6)
    public static let ptr = RRType(12), hinfo = RRType(13), mx = RRType(15), txt = RRType(16)
    public static let aaaa = RRType(28), srv = RRType(33), naptr = RRType(35), opt = RRType(41)
    public static let ds = RRType(43), sshfp = RRType(44), rrsig = RRType(46), nsec = RRType(47)
    public static let dnskey = RRType(48), tlsa = RRType(52), svcb = RRType(64), https = RRType(65)
    public static let spf = RRType(99), ixfr = RRType(251), axfr = RRType(252), any = RRType(255)
    public static let caa = RRType(257)

    /// Mnemonics of the types this package knows by name.
    public static let mnemonics: [RRType: String] = [
        .a: "A", .ns: "NS", .cname: "CNAME", .soa: "SOA", .ptr: "PTR", .hinfo: "HINFO", .mx: "MX",
        .txt: "TXT", .aaaa: "AAAA", .srv: "SRV", .naptr: "NAPTR", .opt: "OPT", .ds: "DS",
        .sshfp: "SSHFP", .rrsig: "RRSIG", .nsec: "NSEC", .dnskey: "DNSKEY", .tlsa: "TLSA",
        .svcb: "SVCB", .https: "HTTPS", .spf: "SPF", .ixfr: "IXFR", .axfr: "AXFR", .any: "ANY",
        .caa: "CAA",
    ]
    private static let byMnemonic = Dictionary(uniqueKeysWithValues: mnemonics.map { ($1, $0) })

    /// Parses a mnemonic (`AAAA`) or the RFC 3597 generic form (`TYPE28`), ignoring case.
    public init?(mnemonic text: some StringProtocol) {
        let upper = text.uppercased()
        if let known = Self.byMnemonic[upper] { self = known; return }
        guard upper.hasPrefix("TYPE"), let value = UInt16(upper.dropFirst(4)) else { return nil }
        self.init(value)
    }

    public var description: String { Self.mnemonics[self] ?? "TYPE\(rawValue)" }

    /// Meta types and QTYPEs that never name stored data (RFC 6895 §3.1).
    public var isMetaType: Bool { rawValue == 41 || (rawValue >= 128 && rawValue <= 255) }

    public static func < (a: RRType, b: RRType) -> Bool { a.rawValue < b.rawValue }
}

/// A resource record class; Nearcast serves IN only.
public struct RRClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let `in` = RRClass(rawValue: 1), chaos = RRClass(rawValue: 3), any = RRClass(rawValue: 255)
    public var description: String {
        switch rawValue { case 1: "IN"; case 3: "CH"; case 4: "HS"; case 255: "ANY"; default: "CLASS\(rawValue)" }
    }
}

/// Response codes, including the extended ones carried in OPT (RFC 6891).
public struct RCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let noError = RCode(rawValue: 0), formErr = RCode(rawValue: 1), servFail = RCode(rawValue: 2)
    public static let nxDomain = RCode(rawValue: 3), notImp = RCode(rawValue: 4), refused = RCode(rawValue: 5)
    public static let badVers = RCode(rawValue: 16)
    public var description: String {
        switch rawValue {
        case 0: "NOERROR"; case 1: "FORMERR"; case 2: "SERVFAIL"; case 3: "NXDOMAIN"
        case 4: "NOTIMP"; case 5: "REFUSED"; case 16: "BADVERS"; default: "RCODE\(rawValue)"
        }
    }
}

/// Message opcodes (RFC 1035 §4.1.1); only QUERY is served.
public enum Opcode {
    public static let query: UInt8 = 0
}

/// Everything that can go wrong when reading or building DNS data.
public enum DNSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a field was complete.
    case truncated
    /// A name violates the wire or presentation rules.
    case badName(String)
    /// A message or record is structurally invalid.
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated: "message truncated"
        case .badName(let why): "bad name: \(why)"
        case .malformed(let why): why
        }
    }
}
