#if canImport(Glibc)
import Glibc
#endif
import DNSWire
import Foundation
import LatencyModel
@testable import ProbeAgent

/// A TCP listener on 127.0.0.1 (kernel-chosen port) that accepts nothing itself: the kernel completes
/// handshakes into the backlog, which is all a connect-time probe needs.
final class TCPListener: Sendable {
    let socket: Socket
    let port: UInt16

    init() throws {
        guard let socket = Socket(family: AF_INET, type: Int32(SOCK_STREAM.rawValue), protocol: 0) else { throw POSIXError(.EIO) }
        var (storage, length) = SocketAddress.make(.v4(0x7F00_0001), port: 0)
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket.descriptor, $0, length) } }
        guard bound == 0, listen(socket.descriptor, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        self.socket = socket
        self.port = boundPort(socket)
    }
}

/// A UDP DNS responder on `address` (127.0.0.1 unless told): answers each query after `delay`, echoing it with QR set
/// (or, with `wrongID`, with the id changed; with `silent`, not at all). Runs until `stop`.
final class DNSResponder: Sendable {
    let socket: Socket
    let port: UInt16
    private let stopped = LockedFlag()

    init(address: IPAddress = .v4(0x7F00_0001), delay: Duration = .zero, wrongID: Bool = false, silent: Bool = false) throws {
        guard let socket = Socket(family: AF_INET, type: Int32(SOCK_DGRAM.rawValue), protocol: 0) else { throw POSIXError(.EIO) }
        var (storage, length) = SocketAddress.make(address, port: 0)
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket.descriptor, $0, length) } }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        self.socket = socket
        self.port = boundPort(socket)
        let stopped = stopped
        Thread {
            var buffer = [UInt8](repeating: 0, count: 1500)
            while !stopped.value {
                guard socket.wait(for: Int16(POLLIN), timeout: .milliseconds(50)) else { continue }
                var peer = sockaddr_storage()
                var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket.descriptor, &buffer, buffer.count, 0, $0, &peerLength) }
                }
                guard count >= 12, !silent else { continue }
                var reply = Array(buffer[..<count])
                reply[2] |= 0x80
                if wrongID { reply[0] ^= 0xFF }
                if delay > .zero { Thread.sleep(forTimeInterval: delay.seconds) }
                _ = withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket.descriptor, reply, reply.count, 0, $0, peerLength) }
                }
            }
        }.start()
    }

    func stop() { stopped.set() }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}

/// The local port a bound socket got.
func boundPort(_ socket: Socket) -> UInt16 {
    var actual = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.descriptor, $0, &length) } }
    return SocketAddress.parse(actual)?.port ?? 0
}

/// A port on 127.0.0.1 with nothing listening (bound, then closed).
func closedPort() throws -> UInt16 {
    try TCPListener().port
}
