#if canImport(Glibc)
import Glibc
#endif

extension IPAddress {
    /// The address of a `sockaddr_in` or `sockaddr_in6` at `address`, with
    /// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) unwrapped to IPv4; nil
    /// for other families.
    public init?(socketAddress address: UnsafeRawPointer) {
        guard let found = Self.withPort(socketAddress: address) else { return nil }
        self = found.address
    }

    /// As `init?(socketAddress:)`, with the port.
    public static func withPort(socketAddress address: UnsafeRawPointer) -> (address: IPAddress, port: UInt16)? {
        let port = UInt16(bigEndian: address.loadUnaligned(fromByteOffset: MemoryLayout<sockaddr_in>.offset(of: \.sin_port)!, as: UInt16.self))
        switch Int32(address.load(as: sa_family_t.self)) {
        case AF_INET:
            let v4 = address.loadUnaligned(fromByteOffset: MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!, as: UInt32.self)
            return (.v4(UInt32(bigEndian: v4)), port)
        case AF_INET6:
            let offset = MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!
            let high = UInt64(bigEndian: address.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let low = UInt64(bigEndian: address.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            if high == 0 && low >> 32 == 0xFFFF { return (.v4(UInt32(truncatingIfNeeded: low)), port) }
            return (.v6(UInt128(high) << 64 | UInt128(low)), port)
        default:
            return nil
        }
    }
}

/// `address:port` as socket address storage, and its length.
public func socketAddress(_ address: IPAddress, port: UInt16) -> (storage: sockaddr_storage, length: socklen_t) {
    var storage = sockaddr_storage()
    switch address {
    case .v4(let v4):
        var raw = sockaddr_in()
        raw.sin_family = sa_family_t(AF_INET)
        raw.sin_port = port.bigEndian
        raw.sin_addr.s_addr = v4.bigEndian
        withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: raw, as: sockaddr_in.self) }
        return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
    case .v6(let v6):
        var raw = sockaddr_in6()
        raw.sin6_family = sa_family_t(AF_INET6)
        raw.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &raw.sin6_addr) { bytes in
            bytes.storeBytes(of: UInt64(truncatingIfNeeded: v6 >> 64).bigEndian, as: UInt64.self)
            bytes.storeBytes(of: UInt64(truncatingIfNeeded: v6).bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: raw, as: sockaddr_in6.self) }
        return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
    }
}
