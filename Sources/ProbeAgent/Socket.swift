#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LatencyModel

/// An owned file descriptor for a socket, closed when the last reference goes.
final class Socket: Sendable {
    let descriptor: Int32

    /// A new socket; nil with `errno` set when the kernel refuses (no permission, no such protocol).
    init?(family: Int32, type: Int32, protocol proto: Int32) {
        #if canImport(Glibc)
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), proto)
        #else
        let fd = socket(family, type, proto)
        #endif
        guard fd >= 0 else { return nil }
        descriptor = fd
    }

    init(adopting descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    func setNonBlocking() {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Waits up to `timeout` for `events` (POLLIN, POLLOUT); true when one is ready (or an error is pending).
    /// Sends `packet` (the socket is connected) and waits for a datagram
    /// that `isReply` accepts: its RTT, a timeout, or the failure.
    func exchange(_ packet: [UInt8], timeout: Duration, isReply: ([UInt8], Int) -> Bool) -> ProbeOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + timeout
        guard send(descriptor, packet, packet.count, 0) == packet.count else {
            return .failed("send: \(String(cString: strerror(errno)))")
        }
        var buffer = [UInt8](repeating: 0, count: 1500)
        while true {
            let left = deadline - clock.now
            guard left > .zero, wait(for: Int16(POLLIN), timeout: left) else { return .timeout }
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return .failed(String(cString: strerror(errno)))
            }
            if isReply(buffer, count) { return .rtt(clock.now - start) }
        }
    }

    func wait(for events: Int16, timeout: Duration) -> Bool {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        let milliseconds = max(0, Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        while true {
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }

    /// The pending error (SO_ERROR), 0 if none.
    var pendingError: Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &value, &length)
        return value
    }

    /// Connects to `address:port`; returns 0 or the errno (EINPROGRESS for a non-blocking TCP connect).
    func connect(to address: IPAddress, port: UInt16) -> Int32 {
        var (storage, length) = SocketAddress.make(address, port: port)
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connectSocket(descriptor, $0, length) }
        }
        return result == 0 ? 0 : errno
    }
}

/// The C `connect`, which the method above shadows.
private func connectSocket(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.connect(fd, address, length)
    #else
    Darwin.connect(fd, address, length)
    #endif
}

/// Socket addresses from and to `IPAddress`.
enum SocketAddress {
    static func family(of address: IPAddress) -> Int32 {
        if case .v4 = address { AF_INET } else { AF_INET6 }
    }

    /// `address:port` as socket address storage, and its length.
    static func make(_ address: IPAddress, port: UInt16) -> (storage: sockaddr_storage, length: socklen_t) {
        socketAddress(address, port: port)
    }

    /// The address and port in `storage`; nil for families other than IPv4 and IPv6.
    static func parse(_ storage: sockaddr_storage) -> (address: IPAddress, port: UInt16)? {
        withUnsafeBytes(of: storage) { IPAddress.withPort(socketAddress: $0.baseAddress!) }
    }
}

/// Runs blocking socket work on a thread of its own, so the cooperative pool never waits on `poll`.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.start()
    }
}
