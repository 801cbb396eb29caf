#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DNSWire
import LatencyModel

/// Measures a DNS query over UDP: `. NS` with RD=0, which every server can answer (any response,
/// even REFUSED, counts: it is the round trip that matters).
public enum DNSQueryProbe {
    /// The query, with message id `id`.
    public static func query(id: UInt16) -> [UInt8] {
        Message(header: Header(id: id), questions: [Question(name: .root, type: .ns)]).encode()
    }

    /// One query to `address:port`; the first datagram back with the same id and QR set ends it.
    /// Other datagrams are ignored. An ICMP port-unreachable is `.failed`. Blocks the calling thread.
    public static func measure(_ address: IPAddress, port: UInt16 = 53, timeout: Duration) -> ProbeOutcome {
        guard let socket = Socket(family: SocketAddress.family(of: address), type: Int32(SOCK_DGRAM.rawValue), protocol: 0) else {
            return .failed("socket: \(String(cString: strerror(errno)))")
        }
        let connected = socket.connect(to: address, port: port)
        guard connected == 0 else { return .failed(String(cString: strerror(connected))) }
        let id = UInt16.random(in: 0...UInt16.max)
        let packet = query(id: id)
        // Header: id (2 bytes), then flags with QR as the top bit.
        return socket.exchange(packet, timeout: timeout) { buffer, count in
            count >= 12 && buffer[0] == UInt8(id >> 8) && buffer[1] == UInt8(id & 0xFF) && buffer[2] & 0x80 != 0
        }
    }
}
