import Authority
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif
import LatencyModel

/// Answers DNS over UDP: one datagram in, at most one datagram out.
/// Replies are written as they are made and flushed once per read batch,
/// so NIO sends them with one sendmmsg call.
final class UDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let snapshot: LoopSnapshot
    private let logger: Logger

    init(snapshot: LoopSnapshot, logger: Logger) { self.snapshot = snapshot; self.logger = logger }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let source = IPAddress(envelope.remoteAddress) else { return }
        let current = snapshot.current
        guard let reply = envelope.data.withUnsafeReadableBytes({ current.respond(to: $0, source: source, transport: .udp) })
        else { return }
        let buffer = context.channel.allocator.buffer(bytes: reply)
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    /// UDP errors (an ICMP unreachable from one client, say) must not close the socket.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("UDP error", metadata: ["error": "\(error)"])
    }
}

/// Answers DNS over TCP (RFC 7766): frames are 2-byte-length prefixed;
/// pipelined queries are answered in order; idle connections are closed.
final class TCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let snapshot: LoopSnapshot
    private let source: IPAddress

    init(snapshot: LoopSnapshot, source: IPAddress) { self.snapshot = snapshot; self.source = source }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let current = snapshot.current
        guard let reply = frame.withUnsafeReadableBytes({ current.respond(to: $0, source: source, transport: .tcp) }) else {
            context.close(promise: nil)  // a response or a runt is no DNS query: drop the connection
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: reply.count + 2)
        buffer.writeInteger(UInt16(reply.count))
        buffer.writeBytes(reply)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
        else { context.fireUserInboundEventTriggered(event) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}

extension IPAddress {
    /// The address of a socket, with IPv4-mapped IPv6 addresses unwrapped.
    init?(_ socketAddress: SocketAddress) {
        switch socketAddress {
        case .v4(let address):
            self = .v4(UInt32(bigEndian: address.address.sin_addr.s_addr))
        case .v6(let address):
            var raw = address.address.sin6_addr
            let bytes = withUnsafeBytes(of: &raw) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                self.init(bytes: Array(bytes[12...]))
            } else {
                self.init(bytes: bytes)
            }
        default:
            return nil
        }
    }
}

/// Parses `host:port` or `[v6host]:port`.
func parseListenAddress(_ text: String) throws -> SocketAddress {
    let host: Substring, port: Substring
    if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
        host = text[text.index(after: text.startIndex)..<close]
        let rest = text[text.index(after: close)...]
        guard rest.hasPrefix(":") else { throw ListenAddressError(text: text) }
        port = rest.dropFirst()
    } else {
        guard let colon = text.lastIndex(of: ":") else { throw ListenAddressError(text: text) }
        host = text[..<colon]
        port = text[text.index(after: colon)...]
    }
    guard let number = Int(port), (0...65535).contains(number) else { throw ListenAddressError(text: text) }
    return try SocketAddress(ipAddress: String(host), port: number)
}

struct ListenAddressError: Error, CustomStringConvertible {
    var text: String
    var description: String { "bad listen address '\(text)' (want 127.0.0.1:5300 or [::1]:5300)" }
}

/// The DNS listeners of one node: per address, one SO_REUSEPORT UDP socket
/// per event loop and one TCP listener.
public final class DNSListeners: Sendable {
    public let group: MultiThreadedEventLoopGroup
    public let distributor: SnapshotDistributor
    private let channels: NIOLockedValueBox<[Channel]> = NIOLockedValueBox([])
    private let logger: Logger

    public init(threads: Int, initial: Snapshot, logger: Logger) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        distributor = SnapshotDistributor(loops: Array(group.makeIterator()), initial: initial)
        self.logger = logger
    }

    /// Binds every address; returns the bound addresses (useful with port 0).
    public func start(listen: [String], tcpIdleTimeoutMs: Int) async throws -> [SocketAddress] {
        var bound: [SocketAddress] = []
        for text in listen {
            let address = try parseListenAddress(text)
            let tcp = try await tcpBootstrap(idleTimeoutMs: tcpIdleTimeoutMs).bind(to: address).get()
            track(tcp)
            let port = tcp.localAddress?.port ?? address.port ?? 0
            let udpAddress = try SocketAddress(ipAddress: address.ipAddress!, port: port)
            for loop in group.makeIterator() {
                let holder = distributor.holder(for: loop)
                let logger = self.logger
                let udp = try await DatagramBootstrap(group: loop)
                    .channelOption(.socketOption(.so_reuseaddr), value: 1)
                    .channelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
                    .channelOption(.datagramVectorReadMessageCount, value: 32)
                    .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 2048))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(UDPHandler(snapshot: holder, logger: logger))
                        }
                    }
                    .bind(to: udpAddress).get()
                track(udp)
            }
            bound.append(tcp.localAddress ?? address)
        }
        return bound
    }

    private func tcpBootstrap(idleTimeoutMs: Int) -> ServerBootstrap {
        let distributor = self.distributor
        return ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let remote = channel.remoteAddress, let source = IPAddress(remote) else {
                        throw ChannelError.inappropriateOperationForState
                    }
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(readTimeout: .milliseconds(Int64(idleTimeoutMs))))
                    try sync.addHandler(ByteToMessageHandler(LengthFieldBasedFrameDecoder(lengthFieldBitLength: .twoBytes)))
                    try sync.addHandler(TCPHandler(snapshot: distributor.holder(for: channel.eventLoop), source: source))
                }
            }
    }

    private func track(_ channel: Channel) { channels.withLockedValue { $0.append(channel) } }

    /// Closes every listener and stops the event loops.
    public func shutdown() async {
        for channel in channels.withLockedValue({ $0 }) { try? await channel.close() }
        try? await group.shutdownGracefully()
    }
}
