#if canImport(Glibc)
import Glibc
#endif
import LatencyModel

/// A socket call that failed, with its errno.
public struct DatagramServerError: Error, CustomStringConvertible {
    public var operation: String
    public var code: Int32
    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}

/// Opens a UDP socket bound to `address:port` with SO_REUSEADDR and
/// SO_REUSEPORT (so several threads can bind the same port), a receive
/// buffer of `receiveBufferSize` where net.core.rmem_max allows (so a burst
/// is queued, not dropped), for IPv6 IPV6_V6ONLY as asked, and path MTU
/// discovery off for every family it sends (`omitPathMTU`). Returns the
/// descriptor and the bound port.
func openDatagramSocket(address: IPAddress, port: UInt16, ipv6Only: Bool,
                        receiveBufferSize: Int32 = 1 << 20) throws(DatagramServerError) -> (descriptor: Int32, port: UInt16) {
    let family = address.bitWidth == 32 ? AF_INET : AF_INET6
    let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { throw DatagramServerError(operation: "socket", code: errno) }
    do throws(DatagramServerError) {
        try setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, Int32(1), "SO_REUSEADDR")
        try setOption(descriptor, SOL_SOCKET, SO_REUSEPORT, Int32(1), "SO_REUSEPORT")
        try setOption(descriptor, SOL_SOCKET, SO_RCVBUF, receiveBufferSize, "SO_RCVBUF")  // the kernel caps it
        if family == AF_INET6 {
            try setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, Int32(ipv6Only ? 1 : 0), "IPV6_V6ONLY")
        }
        try omitPathMTU(descriptor, ipv4: family == AF_INET || !ipv6Only, ipv6: family == AF_INET6)
        var (storage, length) = socketAddress(address, port: port)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw DatagramServerError(operation: "bind \(address) port \(port)", code: errno) }
        var local = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &localLength) }
        }
        guard named == 0 else { throw DatagramServerError(operation: "getsockname", code: errno) }
        // sin_port and sin6_port sit at the same offset, right after the family.
        let boundPort = withUnsafeBytes(of: &local) {
            UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: MemoryLayout<sockaddr_in>.offset(of: \.sin_port)!, as: UInt16.self))
        }
        return (descriptor, boundPort)
    } catch {
        close(descriptor)
        throw error
    }
}

/// IP_PMTUDISC_OMIT (and its IPv6 twin) for the families the socket sends:
/// replies leave without DF and ignore path MTU information, so a forged
/// ICMP "fragmentation needed" or "packet too big" cannot make them
/// fragment (the DNS fragmentation attacks on resolvers' caches), as in
/// gdnsd, NSD and Knot. Replies are kept to `max_udp_payload` (1,232 bytes
/// by default, below IPv6's minimum MTU), so none needs fragmenting. The
/// kernel also skips a route-MTU lookup per reply.
private func omitPathMTU(_ descriptor: Int32, ipv4: Bool, ipv6: Bool) throws(DatagramServerError) {
    if ipv4 { try setOption(descriptor, Int32(IPPROTO_IP), IP_MTU_DISCOVER, IP_PMTUDISC_OMIT, "IP_MTU_DISCOVER") }
    if ipv6 { try setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_MTU_DISCOVER, IPV6_PMTUDISC_OMIT, "IPV6_MTU_DISCOVER") }
}

func setOption<Value: BitwiseCopyable>(_ descriptor: Int32, _ level: Int32, _ name: Int32, _ value: Value,
                              _ label: String) throws(DatagramServerError) {
    var value = value
    guard setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Value>.size)) == 0 else {
        throw DatagramServerError(operation: "setsockopt \(label)", code: errno)
    }
}
