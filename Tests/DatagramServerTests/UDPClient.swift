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

    /// The next datagram, or nil if none arrives within `seconds`: 5 s by
    /// default, for a reply that must come even on a loaded machine (with
    /// 500 ms, a reply was missed while other suites and builds ran); tests
    /// that expect silence wait less.
    func receive(within seconds: Double = 5) -> [UInt8]? {
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, Int32(seconds * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count < 0 ? nil : Array(buffer[..<count])
    }

    func receiveText() -> String? { receive().map { String(decoding: $0, as: UTF8.self) } }
}
