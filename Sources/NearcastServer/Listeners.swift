import Authority
import DatagramServer
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix
import LatencyModel

/// Answers DNS over UDP on one `DatagramServer` thread: one datagram in, at
/// most one datagram out, written straight into the thread's output buffer.
struct UDPQueryHandler: DatagramHandler {
    private var snapshot: ThreadSnapshot
    private var random = QueryRandom()
    private let cache = AnswerCache()
    private let counters: QueryCounters
    /// The map lookups of the batch being prepared; its capacity, a whole
    /// batch, is kept, so preparing allocates nothing.
    private var lookups: [IPAddress] = []

    init(snapshot: ThreadSnapshot, counters: QueryCounters) {
        self.snapshot = snapshot; self.counters = counters
        lookups.reserveCapacity(DatagramServer.batchSize)
    }

    mutating func refresh() { snapshot.refresh() }

    /// With a large latency map, starts every lookup of the batch before
    /// the first answer: all directory entries, then the ranges they point
    /// to, so the cache misses overlap (two dependent misses per query
    /// otherwise, docs/performance.md).
    mutating func prepare(_ batch: ReceivedBatch) {
        let current = snapshot.current
        guard current.latencyMap.isLarge else { return }
        lookups.removeAll(keepingCapacity: true)
        for (request, source) in batch {
            guard let address = current.prefetchableLookup(answering: request, source: source) else { continue }
            current.latencyMap.prefetchDirectory(for: address)
            lookups.append(address)
        }
        for address in lookups { current.latencyMap.prefetchRange(for: address) }
    }

    mutating func respond(to request: UnsafeRawBufferPointer, source: IPAddress,
                          into output: UnsafeMutableRawBufferPointer) -> Int? {
        snapshot.current.respond(to: request, source: source, transport: .udp, into: output, random: &random, cache: cache,
                                 counters: counters)
    }
}

/// Answers DNS over TCP (RFC 7766): frames are 2-byte-length prefixed;
/// pipelined queries are answered in order; idle connections are closed.
/// Replies are written into the loop's reply buffer, then gathered in one
/// connection buffer per read and flushed together; the buffer is reused
/// once the socket took it, so steady pipelining allocates nothing per query.
final class TCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let snapshot: LoopSnapshot
    private let source: IPAddress
    private var replies = ByteBuffer()
    private var random = QueryRandom()
    /// Set when a frame was no query: frames of the same read that follow it are not answered (or counted).
    private var closing = false

    init(snapshot: LoopSnapshot, source: IPAddress) { self.snapshot = snapshot; self.source = source }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let frame = unwrapInboundIn(data)
        let current = snapshot.current, output = snapshot.replyBuffer, cache = snapshot.cache, counters = snapshot.counters
        guard let length = frame.withUnsafeReadableBytes({
            current.respond(to: $0, source: source, transport: .tcp, into: output, random: &random, cache: cache, counters: counters)
        }) else {
            closing = true
            context.close(promise: nil)  // a response or a runt is no DNS query: drop the connection
            return
        }
        replies.writeInteger(UInt16(length))
        replies.writeBytes(UnsafeRawBufferPointer(rebasing: output[..<length]))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard replies.readableBytes > 0 else { return context.flush() }
        context.writeAndFlush(wrapOutboundOut(replies), promise: nil)
        replies.clear()  // copies on write only while the socket still holds the old bytes
    }

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
        case .v4(let address): self.init(rawSocketAddress: address.address)
        case .v6(let address): self.init(rawSocketAddress: address.address)
        default: return nil
        }
    }

    private init?<Raw>(rawSocketAddress raw: Raw) {
        guard let address = withUnsafeBytes(of: raw, { $0.baseAddress.flatMap(IPAddress.init(socketAddress:)) }) else { return nil }
        self = address
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

/// The DNS listeners of one node: per address, `threads` UDP threads
/// (`DatagramServer`, SO_REUSEPORT sockets, recvmmsg/sendmmsg) and one TCP
/// listener on NIO's event loops.
public final class DNSListeners: Sendable {
    public let group: MultiThreadedEventLoopGroup
    public let distributor: SnapshotDistributor
    private let threadsPerAddress: Int
    private let channels: NIOLockedValueBox<[Channel]> = NIOLockedValueBox([])
    private let udpServers: NIOLockedValueBox<[(server: DatagramServer, threads: [Int])]> = NIOLockedValueBox([])
    /// One per UDP thread, kept after the thread stops so that totals never go down.
    private let udpCounters: NIOLockedValueBox<[QueryCounters]> = NIOLockedValueBox([])
    private let logger: Logger

    public init(threads: Int, initial: Snapshot, logger: Logger) {
        threadsPerAddress = max(1, threads)
        group = MultiThreadedEventLoopGroup(numberOfThreads: threadsPerAddress)
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
            guard let ip = IPAddress(address), let udpPort = UInt16(exactly: port) else { throw ListenAddressError(text: text) }
            try startUDP(address: ip, port: udpPort)
            bound.append(tcp.localAddress ?? address)
        }
        return bound
    }

    /// Starts `threadsPerAddress` UDP threads on `address:port`. Like NIO's
    /// TCP listener, an IPv6 wildcard also takes IPv4 (no IPV6_V6ONLY).
    private func startUDP(address: IPAddress, port: UInt16) throws {
        let distributor = self.distributor
        // nil until started; a publish before that cannot wake the threads, so
        // they are woken once when it is set (idle threads have no timer).
        let server = NIOLockedValueBox<DatagramServer?>(nil)
        let threads = distributor.addThreads(threadsPerAddress) { server.withLockedValue { $0?.wake() } }
        let counters = threads.map { _ in QueryCounters() }
        udpCounters.withLockedValue { $0 += counters }
        do {
            let started = try DatagramServer(address: address, port: port,
                                             configuration: .init(threads: threadsPerAddress, ipv6Only: false,
                                                                  firstThreadNumber: threads.first ?? 0)) { index in
                UDPQueryHandler(snapshot: ThreadSnapshot(distributor: distributor, thread: threads[index]), counters: counters[index])
            }
            server.withLockedValue { $0 = started }
            started.wake()
            udpServers.withLockedValue { $0.append((started, threads)) }
        } catch {
            distributor.removeThreads(threads)
            throw error
        }
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

    /// Every request answered or dropped so far, per transport.
    public func queryCounts() -> [(transport: String, counts: QueryCounts)] {
        [("udp", udpCounters.withLockedValue { $0 }.reduce(QueryCounts()) { $0 + $1.counts() }),
         ("tcp", distributor.loopCounters.reduce(QueryCounts()) { $0 + $1.counts() })]
    }

    /// Recently answered UDP queries (one in 64 per thread, the last 1,024
    /// per thread, each cut to 512 bytes), copied: for the probe agent.
    public func recentQueries() -> [(source: IPAddress, packet: [UInt8])] {
        udpServers.withLockedValue { $0 }.flatMap { $0.server.recentDatagrams() }
    }

    /// Stops the UDP threads, closes every listener and stops the event loops.
    public func shutdown() async {
        let servers = udpServers.withLockedValue { servers in
            defer { servers = [] }
            return servers
        }
        for (server, threads) in servers {
            server.stop()
            distributor.removeThreads(threads)
        }
        for channel in channels.withLockedValue({ $0 }) { try? await channel.close() }
        try? await group.shutdownGracefully()
    }
}
