#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LatencyModel
import Logging

/// A small HTTP/1.1 server on POSIX sockets: one thread accepting, one per connection, keep-alive,
/// `Content-Length` request bodies. Enough for the probe object and for tests; not for heavy traffic.
///
/// Invariants: at most `maxConnections` connections are served at once (others are closed at once);
/// a connection idle for `idleTimeout` is closed; a head over 16 KiB or a body over `maxBodyBytes`
/// gets 431/413 and the connection closes; chunked request bodies get 501.
public final class MinimalHTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    /// The bound address and port (the real port when 0 was asked for).
    public let address: IPAddress
    public let port: UInt16
    private let listener: Socket
    private let handler: Handler
    private let maxConnections: Int
    private let maxBodyBytes: Int
    private let idleTimeout: Duration
    private let state = LockedCounter()
    private let logger: Logger

    static let maxHeadBytes = 16 * 1024

    /// Binds and listens on `address:port` and starts accepting.
    public init(address: IPAddress, port: UInt16, maxConnections: Int = 128, maxBodyBytes: Int = 1 << 20,
                idleTimeout: Duration = .seconds(30), logger: Logger, handler: @escaping Handler) throws(HTTPServerError) {
        guard let socket = Socket(family: SocketAddress.family(of: address), type: Int32(SOCK_STREAM.rawValue), protocol: 0) else {
            throw HTTPServerError("socket: \(String(cString: strerror(errno)))")
        }
        socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
        var (storage, length) = SocketAddress.make(address, port: port)
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket.descriptor, $0, length) } }
        guard bound == 0, listen(socket.descriptor, 128) == 0 else {
            throw HTTPServerError("cannot listen on \(address):\(port): \(String(cString: strerror(errno)))")
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.descriptor, $0, &actualLength) }
        }
        self.address = address
        self.port = SocketAddress.parse(actual)?.port ?? port
        self.listener = socket
        self.handler = handler
        self.maxConnections = maxConnections
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
        self.logger = logger
        let server = self
        Thread { server.acceptLoop() }.start()
    }

    /// Stops accepting; connections already open finish their current request and close.
    public func stop() {
        guard state.stop() else { return }
        shutdown(listener.descriptor, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while !state.isStopped {
            let fd = accept(listener.descriptor, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if !state.isStopped { logger.error("HTTP accept failed: \(String(cString: strerror(errno)))") }
                return
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let connection = Socket(adopting: fd)
            guard state.enter(limit: maxConnections) else { continue }
            Thread { [self] in
                serve(connection)
                state.leave()
            }.start()
        }
    }

    /// Serves requests on one connection until it closes, errs, idles out or asks for close.
    private func serve(_ connection: Socket) {
        var timeout = timeval(tv_sec: Int(idleTimeout.components.seconds), tv_usec: 0)
        _ = setsockopt(connection.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let terminator: [UInt8] = [13, 10, 13, 10]
        while !state.isStopped {
            guard let headEnd = pending.firstRange(of: terminator) else {
                guard pending.count <= Self.maxHeadBytes else { return reply(HTTPResponse(status: 431), on: connection) }
                let count = recv(connection.descriptor, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                pending += chunk[..<count]
                continue
            }
            guard let head = parseRequestHead(pending[..<headEnd.lowerBound]) else {
                return reply(HTTPResponse(status: 400), on: connection)
            }
            let request = HTTPRequest(method: head.method, path: "", headers: head.headers)
            if request.header("Transfer-Encoding") != nil { return reply(HTTPResponse(status: 501), on: connection) }
            guard let length = Int(request.header("Content-Length") ?? "0"), length >= 0 else {
                return reply(HTTPResponse(status: 400), on: connection)
            }
            guard length <= maxBodyBytes else { return reply(HTTPResponse(status: 413), on: connection) }
            while pending.count < headEnd.upperBound + length {
                let count = recv(connection.descriptor, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                pending += chunk[..<count]
            }
            var complete = request
            let target = head.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            complete.path = String(target[0])
            complete.query = target.count > 1 ? String(target[1]) : nil
            complete.body = Array(pending[headEnd.upperBound..<headEnd.upperBound + length])
            pending.removeFirst(headEnd.upperBound + length)

            let connectionHeader = request.header("Connection")?.lowercased()
            let keepAlive = head.version == "HTTP/1.1" ? connectionHeader != "close" : connectionHeader == "keep-alive"
            let response = handler(complete)
            guard sendAll(response.serialized(keepAlive: keepAlive, includeBody: head.method != "HEAD"), on: connection),
                  keepAlive
            else { return }
        }
    }

    private func reply(_ response: HTTPResponse, on connection: Socket) {
        _ = sendAll(response.serialized(keepAlive: false, includeBody: true), on: connection)
    }

    private func sendAll(_ bytes: [UInt8], on connection: Socket) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }
}

/// The server's error: it could not listen.
public struct HTTPServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Open-connection count and the stopped flag, behind a lock.
private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var open = 0
    private var stopped = false

    var isStopped: Bool { lock.withLock { stopped } }

    /// Marks stopped; false if it already was.
    func stop() -> Bool { lock.withLock { defer { stopped = true }; return !stopped } }

    /// Counts one more connection unless `limit` are open.
    func enter(limit: Int) -> Bool {
        lock.withLock {
            guard open < limit else { return false }
            open += 1
            return true
        }
    }

    func leave() { lock.withLock { open -= 1 } }
}
