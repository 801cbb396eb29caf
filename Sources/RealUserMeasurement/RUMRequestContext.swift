import Hummingbird
import NIOCore

/// A request context that keeps the TCP peer's address, which the collector
/// attributes reports to (or checks against the trusted proxies).
public struct RUMRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// nil when there is no socket (Hummingbird's in-process test client).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
