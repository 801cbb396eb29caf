#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LatencyModel

/// Measures ICMP echo (ping) with an unprivileged datagram socket (`socket(AF_INET, SOCK_DGRAM,
/// IPPROTO_ICMP)`, ICMPv6 alike), which Linux allows to groups in `net.ipv4.ping_group_range`.
/// The kernel sets the identifier and checksum and delivers only replies to this socket.
public enum ICMPEchoProbe {
    /// Whether an echo socket of `address`'s family can be made; when not, the reason (e.g.
    /// "Permission denied"), to log once and stop trying.
    public static func unavailableReason(for address: IPAddress) -> String? {
        makeSocket(for: address) == nil ? String(cString: strerror(errno)) : nil
    }

    /// One echo request with sequence number `sequence`; the matching echo reply ends it. Blocks the calling thread.
    public static func measure(_ address: IPAddress, sequence: UInt16, timeout: Duration) -> ProbeOutcome {
        guard let socket = makeSocket(for: address) else {
            return .failed("ICMP echo socket not permitted: \(String(cString: strerror(errno)))")
        }
        let connected = socket.connect(to: address, port: 0)
        guard connected == 0 else { return .failed(String(cString: strerror(connected))) }
        let isV4 = SocketAddress.family(of: address) == AF_INET
        let (requestType, replyType): (UInt8, UInt8) = isV4 ? (8, 0) : (128, 129)
        var packet: [UInt8] = [requestType, 0, 0, 0, 0, 0, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        packet += Array("nearcast".utf8)
        let checksum = internetChecksum(packet)
        packet[2] = UInt8(checksum >> 8)
        packet[3] = UInt8(checksum & 0xFF)

        return socket.exchange(packet, timeout: timeout) { buffer, count in
            count >= 8 && buffer[0] == replyType && buffer[6] == packet[6] && buffer[7] == packet[7]
        }
    }

    private static func makeSocket(for address: IPAddress) -> Socket? {
        let isV4 = SocketAddress.family(of: address) == AF_INET
        return Socket(family: isV4 ? AF_INET : AF_INET6, type: Int32(SOCK_DGRAM.rawValue),
                      protocol: isV4 ? Int32(IPPROTO_ICMP) : Int32(IPPROTO_ICMPV6))
    }

    /// RFC 1071: the ones' complement of the ones' complement sum of 16-bit words.
    static func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
