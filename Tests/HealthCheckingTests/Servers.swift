import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import XCTest

/// What the test HTTP server sends for a request.
enum Reply: Sendable {
    case status(Int, body: String = "")
    /// Accepts the request and never answers.
    case silent
    /// Sends a 200 head, then one byte of body every 50 ms, forever.
    case trickle
    /// Sends a 200 head, then 16 KB of body every 10 ms, forever.
    case endless
}

/// A request as the test server received it.
struct ReceivedRequest: Sendable {
    var path: String
    var host: String?
    var userAgent: String?
}

/// An HTTP (or, with `tls`, HTTPS) server on 127.0.0.1 whose replies the test sets while it runs. It counts
/// requests and open connections and records the SNI name clients send.
final class TestHTTPServer: Sendable {
    private struct State {
        var reply: @Sendable (_ request: ReceivedRequest, _ number: Int) -> Reply = { _, _ in .status(200, body: "ok") }
        var requests: [ReceivedRequest] = []
        var openConnections = 0
        var serverNames: [String?] = []
    }
    private let state = NIOLockedValueBox(State())
    /// Set once, at the end of `init` (the child initializer needs `self` before the channel exists).
    private let boundChannel = NIOLockedValueBox<(any Channel)?>(nil)
    private var channel: any Channel { boundChannel.withLockedValue { $0! } }
    var port: Int { channel.localAddress!.port! }

    /// With `tls`, serves HTTPS with the self-signed certificate; `configure` may change the TLS configuration.
    init(group: any EventLoopGroup, tls: Bool = false, configure: (inout TLSConfiguration) -> Void = { _ in }) throws {
        let sslContext = tls ? try Self.sslContext(recordingNamesIn: state, configure: configure) : nil
        let bound = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [state] channel in
                state.withLockedValue { $0.openConnections += 1 }
                channel.closeFuture.whenComplete { _ in state.withLockedValue { $0.openConnections -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(server: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        boundChannel.withLockedValue { $0 = bound }
    }

    func stop() throws { try channel.close().wait() }

    /// Sets how requests are answered: `reply(request, n)` for the n-th request (from 1).
    func reply(_ reply: @escaping @Sendable (_ request: ReceivedRequest, _ number: Int) -> Reply) {
        state.withLockedValue { $0.reply = reply }
    }

    func reply(_ fixed: Reply) { reply { _, _ in fixed } }

    var requests: [ReceivedRequest] { state.withLockedValue { $0.requests } }
    var requestCount: Int { state.withLockedValue { $0.requests.count } }
    var openConnections: Int { state.withLockedValue { $0.openConnections } }
    var serverNames: [String?] { state.withLockedValue { $0.serverNames } }

    fileprivate func received(_ head: HTTPRequestHead) -> Reply {
        let request = ReceivedRequest(
            path: head.uri, host: head.headers.first(name: "Host"), userAgent: head.headers.first(name: "User-Agent"))
        return state.withLockedValue { state in
            state.requests.append(request)
            return state.reply(request, state.requests.count)
        }
    }

    private static func sslContext(
        recordingNamesIn state: NIOLockedValueBox<State>, configure: (inout TLSConfiguration) -> Void
    ) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(testCertificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(testPrivateKeyPEM.utf8), format: .pem)))
        configuration.sslContextCallback = { values, promise in
            state.withLockedValue { $0.serverNames.append(values.serverHostname) }
            promise.succeed(.noChanges)
        }
        configure(&configuration)
        return try NIOSSLContext(configuration: configuration)
    }
}

private final class Responder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let server: TestHTTPServer

    init(server: TestHTTPServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let channel = context.channel
        switch server.received(head) {
        case .status(let code, let body):
            let headers: HTTPHeaders = ["Content-Length": "\(body.utf8.count)", "Connection": "close"]
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: code), headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        case .silent:
            break
        case .trickle:
            stream(on: channel, head: context, bytes: 1, every: .milliseconds(50))
        case .endless:
            stream(on: channel, head: context, bytes: 16384, every: .milliseconds(10))
        }
    }

    /// Sends a 200 head without a length, then `bytes` of "x" every `interval` until the connection closes.
    private func stream(on channel: any Channel, head context: ChannelHandlerContext, bytes: Int, every interval: TimeAmount) {
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok))), promise: nil)
        let chunk = HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: "x"), count: bytes)))
        channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { task in
            guard channel.isActive else { return task.cancel() }
            channel.writeAndFlush(chunk, promise: nil)
        }
    }
}

/// A TCP server on 127.0.0.1 that does `onAccept` with every connection and counts them.
final class RawServer: Sendable {
    private let accepted = NIOLockedValueBox(0)
    private let channel: any Channel
    var port: Int { channel.localAddress!.port! }
    var acceptedCount: Int { accepted.withLockedValue { $0 } }

    init(group: any EventLoopGroup, onAccept: @escaping @Sendable (any Channel) -> Void = { _ in }) throws {
        let accepted = self.accepted
        channel = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                accepted.withLockedValue { $0 += 1 }
                onAccept(channel)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    func stop() throws { try channel.close().wait() }
}

/// A port on 127.0.0.1 that nothing listens on.
func closedPort(group: any EventLoopGroup) throws -> Int {
    let server = try RawServer(group: group)
    let port = server.port
    try server.stop()
    return port
}

let testCertificatePEM = """
-----BEGIN CERTIFICATE-----
MIIDCzCCAfOgAwIBAgIUXCSYSlgX+AindPWofUcniW/8AQswDQYJKoZIhvcNAQEL
BQAwFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTAxNDIxMVoYDzIxMjYx
MTAxMDE0MjExWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQDWjBI1jBDviTm5H/1nNm3I16RkDpMgo26h6emIugPU
OMhzkKuqvRn3QAbJmC/ikfhWNIzslTGVntCXsXUp2IMNb6eVpk+SlrbD0uMCmlRc
9aB85mVXNabJWfe0aQwvZA0UN7Ui/+IM+Gx4kCVje5XXt8OEFC+rl+N3SGdOqrFn
7i2hKqel9scgqBxuyqfv3iHk598VbTGOwq/8Tpw+h7OftPF/ON5u/+z/p9y36BPn
Z3DogG5HooY+FDCOtdhLBDjYklaMpD2tKlD8a7k6++EL4qJd/W1aM+ImQ3KuSeiw
BtbPVFULR6qfs5p/l2nhxA+WdFOGVqqSmWxBrJjR3qCHAgMBAAGjUzBRMB0GA1Ud
DgQWBBTGVuO9ObJX+xXIctQAnkIRoquJIjAfBgNVHSMEGDAWgBTGVuO9ObJX+xXI
ctQAnkIRoquJIjAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQBO
/W5jNgatd1blSplxOHR9CzEiKWCF4lAUyqkQbwjwUoPhTPdPYC3+ZkE+jzIGP68F
nMSoirYhXjScWSxssBwgZo4/bBGFtCANVy8IKqYE9SjRBV56TNblzTU6Ac36ozo6
U4EaxHOZ87gwXDb94YDEpbCwtacyxNC7k0H7gpMXNuGQ9yC2Mesh8Pozu8hI68Cq
90FeaaeI6MBdPAT/ECh8CbetoQ6HntQJW/h6mpo4ZoMuwSWJUORpfKGlWucpjhFc
Di6+pVulFznipxzm0HVZMzxwTn7fiUiYY5jtkkBvmmSJ9Ney097Or//7FHBP0SQ6
aoVVhP1nTSzkSQLYMntc
-----END CERTIFICATE-----
"""

let testPrivateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDWjBI1jBDviTm5
H/1nNm3I16RkDpMgo26h6emIugPUOMhzkKuqvRn3QAbJmC/ikfhWNIzslTGVntCX
sXUp2IMNb6eVpk+SlrbD0uMCmlRc9aB85mVXNabJWfe0aQwvZA0UN7Ui/+IM+Gx4
kCVje5XXt8OEFC+rl+N3SGdOqrFn7i2hKqel9scgqBxuyqfv3iHk598VbTGOwq/8
Tpw+h7OftPF/ON5u/+z/p9y36BPnZ3DogG5HooY+FDCOtdhLBDjYklaMpD2tKlD8
a7k6++EL4qJd/W1aM+ImQ3KuSeiwBtbPVFULR6qfs5p/l2nhxA+WdFOGVqqSmWxB
rJjR3qCHAgMBAAECggEAIj73hR6XcXTJBvjJPRleCsoJDoOZDoOn3CZ3RYDTraNm
s7OrAzTuGR5aNwGY2ySLrE71E6p44LYZ+6yy0/wgZxukd2m1l+OAxt85pye1QaVf
ebBZCsOgnNFEjcKa1FG3GLwPqMeJcKKSxefUX/3RHD7T8Zg7R7uV7mtbOh5a9Qiv
0xY0fbsT8lR9JhN6PDyMesfNjqnurJ+o4pt2d6hW9dfkmSYFIoRutTB0D+Izqlft
Xz8E5qP7pP050eRB0f5Pc4H4fFNoomSehB8XZoYjM86KZWuy1JUv5+uWXJdsg3zW
WPmk7BMCrEeUEL4UcEOWzvUTtXIPnE+zP581WD3FyQKBgQD0lKAfk/0L9kn4Ax2V
s+VdXVHKYoLhgW7cXfAnydDbxxOXKPof0CgMSqow561NJOeEINKmdDgTi5zdIeda
xQjv21DgDgBThpnjZUqj+boJHav8vVOPrmqjSoyuisAoK2aD8qF6GpmjOAOJSBHt
T3PlIv904QEL5DbEpvTEidqyGwKBgQDgkHfYabFy/O/1UqzLXuw+u+ZwKcmcK52M
QI9Sx5rn2KiJa3JyWmGynH2ak7RKSFihTfiDlQo3vsEQcVT+oXXUSZj5b7DJrmz4
eXRZE2iEBJZHKs4HdkpMUK1i9OyqJyjhcI7JR0NJ9huWjl5TxL+7MEi7DQ1BViHd
MJjS/23SBQKBgQDMX2FJ4dSCaWQ33QqcrH1Nvgv5bMXm/8wOUmS6Krbe34QsPK59
ZOgCFWYPhZhXrS3UR8UeGGE/W9tRIOJ9A8ZK/12eS7TUFtaCoIJ1cNiWg3fSsrWf
i2RKXKIfu4uERXfdbCKosI+PRuAVl+Z7AXhbkRobpWTFdgaZ3tULYhIf3wKBgAKG
fWKIpb82SviGSn0q/xshf9DpF2RTNT1biIEUz5Al5pdNBwd0Lr8UdXEkkhV3xM9j
khTguzGvSnqF27/VTv7pKPg9Ik7SUFVnAED0L+u0JYB9Yb3Bvcon6hs/x92N/S6z
1lc7Hu2Y/+xsg3ELuGBBhb/cwLZoYo8bOcy9pJ2FAoGARyhNrPeEqnTmsXHmIDxZ
Gr7d82lr99M2kKV73EASDFJAn8SVhz31pQRsBlkRZm01s/k7W2Vybc/VLsEfxoS2
6SgZK3b7joaHzlFBrBGHE/hlGv6uZSlfemjzfjrmHc1wRT9ICxbdnfCrQmKjrWK+
CLT/Y41zgjq1mEfl8MNEVZw=
-----END PRIVATE KEY-----
"""
