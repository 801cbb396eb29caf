#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LatencyModel

/// Measures the time a TCP handshake takes: from `connect` to the socket becoming writable.
public enum TCPConnectProbe {
    /// One connect to `address:port`, then close. Only a completed handshake is a round trip; a refusal
    /// or unreachable network is `.failed`, silence for `timeout` is `.timeout`. Blocks the calling thread.
    public static func measure(_ address: IPAddress, port: UInt16, timeout: Duration) -> ProbeOutcome {
        guard let socket = Socket(family: SocketAddress.family(of: address), type: Int32(SOCK_STREAM.rawValue), protocol: 0) else {
            return .failed("socket: \(String(cString: strerror(errno)))")
        }
        socket.setNonBlocking()
        let clock = ContinuousClock()
        let start = clock.now
        let started = socket.connect(to: address, port: port)
        if started != 0 && started != EINPROGRESS {
            return .failed(String(cString: strerror(started)))
        }
        if started == EINPROGRESS {
            guard socket.wait(for: Int16(POLLOUT), timeout: timeout) else { return .timeout }
        }
        let elapsed = clock.now - start
        let error = socket.pendingError
        return error == 0 ? .rtt(elapsed) : .failed(String(cString: strerror(error)))
    }
}
