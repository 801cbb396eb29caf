#if canImport(Glibc)
import Glibc
#endif
@testable import DatagramServer
import LatencyModel

/// A blocking UDP client socket for the tests, bound to an ephemeral port.
final class UDPClient {
    let descriptor: Int32
    let localPort: UInt16

    init(bindTo address: IPAddress) throws {
        let opened = try openDatagramSocket(address: address, port: 0, ipv6Only: true)
        descriptor = opened.descriptor
        localPort = opened.port
        try setOption(descriptor, SOL_SOCKET, SO_RCVTIMEO, timeval(tv_sec: 0, tv_usec: 500_000), "SO_RCVTIMEO")
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8], to address: IPAddress, port: UInt16) {
        var (storage, length) = socketAddress(address, port: port)
        let sent = bytes.withUnsafeBytes { payload in
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, payload.baseAddress, payload.count, 0, $0, length)
                }
            }
        }
        precondition(sent == bytes.count, "test client send failed: \(errno)")
    }

    func send(_ text: String, to address: IPAddress, port: UInt16) { send(Array(text.utf8), to: address, port: port) }

    /// The next datagram, or nil after the 500 ms receive timeout.
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count < 0 ? nil : Array(buffer[..<count])
    }

    func receiveText() -> String? { receive().map { String(decoding: $0, as: UTF8.self) } }
}
