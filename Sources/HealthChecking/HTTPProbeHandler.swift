import NIOCore
import NIOHTTP1

/// Sends a check's GET when the connection opens and decides on the response: on its status code, or, for
/// string matching, on the search string in the first 5,120 bytes of the body.
///
/// Completes `outcome` once (the first completion wins: a decision, an error, the connection closing, or a
/// deadline) and then closes the connection. Reads stop at 5,120 body bytes, so an endless body costs at most
/// that much; the deadlines bound a server that never answers or trickles bytes.
final class HTTPProbeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let request: HTTPRequestHead
    /// The search string's bytes (Route 53 "considers case when searching"); nil when only the status counts.
    private let searchString: [UInt8]?
    private let outcome: EventLoopPromise<Outcome>
    /// The status of a 2xx/3xx response whose body is being searched.
    private var status: HTTPResponseStatus?
    /// The first body bytes, at most 5,120.
    private var body: [UInt8] = []
    private var found = false
    private var deadline: Scheduled<Void>?

    init(request: HTTPRequestHead, searchString: [UInt8]?, outcome: EventLoopPromise<Outcome>) {
        self.request = request
        self.searchString = searchString
        self.outcome = outcome
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, Limits.response, .responseTimeout)
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            guard let needle = searchString, Outcome.status(response.status).healthy else {
                return finish(context, .status(response.status))
            }
            status = response.status
            found = needle.isEmpty
            arm(context, Limits.body, .bodyTimeout)
        case .body(let chunk):
            guard status != nil, let needle = searchString else { return }
            let from = max(0, body.count - needle.count + 1)  // only where a new match can start
            body += chunk.readableBytesView.prefix(Limits.searchedBytes - body.count)
            found = found || body[from...].firstRange(of: needle) != nil
            if found || body.count == Limits.searchedBytes { finish(context, searched) }
        case .end:
            if status != nil { finish(context, searched) }
        }
    }

    /// Before the status code, the endpoint hung up; after it, a close-delimited body ended.
    func channelInactive(context: ChannelHandlerContext) {
        finish(context, searched)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, Outcome(error))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    /// The outcome of the body read so far.
    private var searched: Outcome {
        guard let status else { return .closedByEndpoint }
        return found ? .status(status) : .searchStringMissing(status)
    }

    /// Replaces the running deadline: when it passes, the request fails with `timeout`.
    private func arm(_ context: ChannelHandlerContext, _ limit: TimeAmount, _ timeout: Outcome) {
        deadline?.cancel()
        let (outcome, channel) = (self.outcome, context.channel)
        deadline = context.eventLoop.scheduleTask(in: limit) {
            outcome.succeed(timeout)
            channel.close(promise: nil)
        }
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Outcome) {
        deadline?.cancel()
        outcome.succeed(result)
        context.close(promise: nil)
    }
}
