#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as an unsigned integer in network bit order.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    /// Parses dotted-quad IPv4 or any RFC 4291 IPv6 text form (via inet_pton).
    public init?(_ text: some StringProtocol) {
        let string = String(text)
        if string.utf8.contains(UInt8(ascii: ":")) {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, string, &raw) == 1 else { return nil }
            self = .v6(withUnsafeBytes(of: raw) { bytes in
                UInt128(UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))) << 64
                    | UInt128(UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            })
        } else {
            var raw = in_addr()
            guard inet_pton(AF_INET, string, &raw) == 1 else { return nil }
            self = .v4(UInt32(bigEndian: raw.s_addr))
        }
    }

    /// Builds an address from 4 or 16 bytes in network order.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(Self.integer(from: bytes))
        case 16: self = .v6(Self.integer(from: bytes))
        default: return nil
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let v): (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) }
        case .v6(let v): (0..<16).map { UInt8(truncatingIfNeeded: v >> (120 - 8 * $0)) }
        }
    }

    /// 32 or 128.
    public var bitWidth: Int { if case .v4 = self { 32 } else { 128 } }

    /// Canonical text: dotted quad, or RFC 5952 IPv6 (via inet_ntop).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = bitWidth == 32 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        precondition(ok, "inet_ntop cannot fail on a valid address")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func integer<T: FixedWidthInteger>(from bytes: [UInt8]) -> T {
        bytes.reduce(T.zero) { $0 << 8 | T($1) }
    }
}

/// A network: an address with all bits beyond `length` zero.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let length: Int

    /// Masks `address` to `length` bits; `length` must fit the family.
    public init(_ address: IPAddress, length: Int) {
        precondition(length >= 0 && length <= address.bitWidth)
        self.length = length
        switch address {
        case .v4(let v): self.address = .v4(length == 0 ? 0 : v & (UInt32.max << (32 - length)))
        case .v6(let v): self.address = .v6(length == 0 ? 0 : v & (UInt128.max << (128 - length)))
        }
    }

    /// Parses `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a host prefix).
    /// Bits set beyond the length are rejected: `10.0.0.1/8` is an error.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        let slash = bytes.firstIndex(of: UInt8(ascii: "/"))
        guard let address = IPAddress(String(decoding: bytes[..<(slash ?? bytes.endIndex)], as: UTF8.self)) else { return nil }
        var length = address.bitWidth
        if let slash {
            let digits = bytes[(slash + 1)...]
            guard (1...3).contains(digits.count), digits.allSatisfy({ $0 &- 0x30 < 10 }) else { return nil }
            length = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard length <= address.bitWidth else { return nil }
        }
        self.init(address, length: length)
        guard self.address == address else { return nil }
    }

    public var description: String { "\(address)/\(length)" }

    /// True when `other` is this prefix or lies inside it.
    public func contains(_ other: IPAddress) -> Bool {
        other.bitWidth == address.bitWidth && IPPrefix(other, length: length).address == address
    }
}
