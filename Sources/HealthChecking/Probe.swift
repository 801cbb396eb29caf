#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Route53Model

/// What one request to an endpoint found.
struct ProbeResult: Sendable {
    var healthy: Bool
    var report: String

    init(_ outcome: Outcome, resolvedIP: String?) {
        healthy = outcome.healthy
        report = outcome.report(resolvedIP: resolvedIP)
    }
}

/// One request to a check's endpoint, the way a Route 53 health checker makes it.
///
/// Every phase has a deadline (lookup and connection, status code, body), so a probe always ends, and it
/// always closes its connection: one connection per request.
struct Probe: Sendable {
    let check: HealthCheck
    /// Verifies no certificate: "HTTPS health checks don't validate SSL/TLS certificates, so checks don't
    /// fail if a certificate is invalid or expired" (Developer Guide).
    let tls: NIOSSLContext
    /// The local address to send from, if set (see `HealthCheckSettings.sourceAddress`).
    let source: SocketAddress?

    private var config: HealthCheckConfig { check.config }
    private var port: Int { config.port ?? (config.type.usesTLS ? 443 : 80) }
    private var connectLimit: TimeAmount { config.type.usesHTTP ? Limits.httpConnect : Limits.tcpConnect }

    /// Runs the request on `loop`. `register` sees the connection before it is opened and may refuse it
    /// (the check was stopped meanwhile). The future never fails.
    func run(on loop: any EventLoop, register: @escaping @Sendable (any Channel) -> Bool) -> EventLoopFuture<ProbeResult> {
        target(on: loop).flatMap { address, resolvedIP in
            request(address, on: loop, register: register).recover(Outcome.init).map { ProbeResult($0, resolvedIP: resolvedIP) }
        }.recover { ProbeResult(Outcome($0), resolvedIP: nil) }
    }

    /// The address to connect to: IPAddress, or else an IPv4 address of FullyQualifiedDomainName, looked up
    /// for every request. API Reference (FullyQualifiedDomainName): "Route 53 sends a DNS request to the
    /// domain that you specify for FullyQualifiedDomainName at the interval that you specify for
    /// RequestInterval. Using an IPv4 address that DNS returns, Route 53 then checks the health of the endpoint."
    private func target(on loop: any EventLoop) -> EventLoopFuture<(SocketAddress, resolvedIP: String?)> {
        let port = self.port
        if let ip = config.ipAddress {
            return loop.makeCompletedFuture { (try SocketAddress(ipAddress: ip, port: port), nil) }
        }
        guard let name = config.fullyQualifiedDomainName else { return loop.makeFailedFuture(DNSResolutionFailed()) }
        let resolved = loop.makePromise(of: SocketAddress.self)
        let deadline = loop.scheduleTask(in: connectLimit) { resolved.fail(DNSResolutionFailed()) }
        NIOThreadPool.singleton.runIfActive(eventLoop: loop) { try resolveIPv4(name, port: port) }.cascade(to: resolved)
        return resolved.futureResult.always { _ in deadline.cancel() }.map { ($0, $0.ipAddress) }
    }

    /// Connects within the connection limit; TCP checks are then done, HTTP checks send their request.
    private func request(
        _ address: SocketAddress, on loop: any EventLoop, register: @escaping @Sendable (any Channel) -> Bool
    ) -> EventLoopFuture<Outcome> {
        let outcome = loop.makePromise(of: Outcome.self)
        var bootstrap = ClientBootstrap(group: loop)
        if let source, source.protocol == address.protocol { bootstrap = bootstrap.bind(to: source) }
        bootstrap
            .connectTimeout(connectLimit)
            .channelInitializer { channel in
                guard register(channel) else { return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
                return channel.eventLoop.makeCompletedFuture { try addHandlers(to: channel, outcome: outcome) }
            }
            .connect(to: address)
            .whenComplete { connected in
                switch connected {
                case .success(let channel) where !config.type.usesHTTP:
                    outcome.succeed(.connected)
                    channel.close(promise: nil)
                case .success: break  // HTTPProbeHandler completes `outcome` and closes the connection
                case .failure(let error): outcome.fail(error)
                }
            }
        return outcome.futureResult
    }

    private func addHandlers(to channel: any Channel, outcome: EventLoopPromise<Outcome>) throws {
        guard config.type.usesHTTP else { return }
        let pipeline = channel.pipeline.syncOperations
        if config.type.usesTLS {
            try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
        }
        try pipeline.addHTTPClientHandlers()
        let search = config.type.matchesString ? Array((config.searchString ?? "").utf8) : nil
        try pipeline.addHandler(HTTPProbeHandler(request: requestHead, searchString: search, outcome: outcome))
    }

    /// SNI: FullyQualifiedDomainName when EnableSNI is set (API Reference, EnableSNI: "Specify whether you
    /// want Amazon Route 53 to send the value of FullyQualifiedDomainName to the endpoint in the client_hello
    /// message during TLS negotiation"). An IP address is not a server name (RFC 6066), so it is not sent.
    private var serverName: String? {
        guard config.enableSNI == true, let name = config.fullyQualifiedDomainName,
              (try? SocketAddress(ipAddress: name, port: 0)) == nil else { return nil }
        return name
    }

    /// GET ResourcePath, with Route 53's Host header and User-Agent. The User-Agent names the health check,
    /// as Route 53's does: "Amazon-Route53-Health-Check-Service (ref <id>; report http://amzn.to/1vsZADi)"
    /// (seen in access logs: JayBizzle/Crawler-Detect#469, awsdocs/amazon-route53-docs#20).
    var requestHead: HTTPRequestHead {
        let path = config.resourcePath ?? ""
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: path.hasPrefix("/") ? path : "/" + path, headers: [
            "Host": hostHeader,
            "User-Agent": "Amazon-Route53-Health-Check-Service (ref \(check.id); report http://amzn.to/1vsZADi)",
            "Connection": "close",
        ])
    }

    /// API Reference (FullyQualifiedDomainName): FullyQualifiedDomainName, or IPAddress when there is none;
    /// ":Port" is added unless the port is 80 for HTTP and HTTP_STR_MATCH, or 443 for HTTPS and
    /// HTTPS_STR_MATCH. An IPv6 address is bracketed, as a Host header requires (RFC 7230).
    var hostHeader: String {
        var host = config.fullyQualifiedDomainName ?? config.ipAddress ?? ""
        if host.contains(":") { host = "[\(host)]" }
        return port == (config.type.usesTLS ? 443 : 80) ? host : "\(host):\(port)"
    }
}

/// The first IPv4 address of `name` (blocking: runs on the thread pool).
private func resolveIPv4(_ name: String, port: Int) throws -> SocketAddress {
    var hints = addrinfo()
    hints.ai_family = AF_INET
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list, let address = first.pointee.ai_addr else {
        throw DNSResolutionFailed()
    }
    defer { freeaddrinfo(list) }
    var ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
    ipv4.sin_port = in_port_t(UInt16(port).bigEndian)
    return SocketAddress(ipv4, host: name)
}
