import Foundation
import HTTPTypes
import Hummingbird
import LatencyLearning
import LatencyModel
import Logging

/// The public, unsigned RUM listener's content: the beacon (`GET /nearcast/beacon.js`), the collector
/// (`POST /nearcast/rum`, with `OPTIONS` for CORS) and the probe object (`GET /nearcast/probe-object`).
///
/// A valid report becomes one `Measurement` per result (source `.rum`, time = now, client = the sender's
/// network as `keptNetwork` cuts it), handed to the sink in one call and answered 204. Anything else is
/// answered 4xx with a short reason; nothing a client sends can crash it.
public struct RUMCollector: Sendable {
    public static let beaconPath = "/nearcast/beacon.js"
    public static let reportPath = "/nearcast/rum"

    let settings: RUMSettings
    /// The regions the beacon times, in the settings' order; unknown names are left out.
    let targets: [(name: String, id: RegionID, url: String)]
    let regionIDs: [String: RegionID]
    let attribution: ClientAttribution
    let rateLimit: ReportRateLimit?
    let sink: @Sendable ([LatencyLearning.Measurement]) -> Void
    let logger: Logger

    /// `sink` runs on the request's task: it should queue the measurements, not store them.
    public init(settings: RUMSettings, catalog: RegionCatalog, sink: @escaping @Sendable ([LatencyLearning.Measurement]) -> Void, logger: Logger) {
        var targets: [(name: String, id: RegionID, url: String)] = []
        for (name, url) in settings.regionURLs {
            guard let id = catalog.id(of: name) else {
                logger.warning("RUM: region '\(name)' is not in the region catalog; the beacon leaves it out")
                continue
            }
            targets.append((name, id, url))
        }
        self.settings = settings
        self.targets = targets
        regionIDs = Dictionary(targets.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        attribution = ClientAttribution(trustedProxies: settings.trustedProxies)
        rateLimit = settings.reportsPerNetworkPerMinute.map { ReportRateLimit(limit: $0) }
        self.sink = sink
        self.logger = logger
    }

    /// Serve this with `Application(responder: collector.responder, ...)` on the RUM listener.
    public var responder: CallbackResponder<RUMRequestContext> {
        CallbackResponder { request, context in
            await self.respond(to: request, peer: context.remoteAddress?.ipAddress.flatMap { IPAddress($0) })
        }
    }

    func respond(to request: Request, peer: IPAddress?) async -> Response {
        let path = request.uri.path
        switch (request.method, path) {
        case (.get, Self.beaconPath): return beacon(for: request, peer: peer)
        case (.post, Self.reportPath): return await collect(request, peer: peer)
        case (.options, Self.reportPath): return Response(status: .noContent, headers: Self.preflightHeaders)
        case (.get, ProbeObject.path): return ProbeObject.response()
        case (_, Self.beaconPath), (_, ProbeObject.path): return Self.plain(.methodNotAllowed, "use GET", [.allow: "GET"])
        case (_, Self.reportPath): return Self.plain(.methodNotAllowed, "use POST", [.allow: "POST, OPTIONS"])
        default: return Self.plain(.notFound, "not found")
        }
    }

    func collect(_ request: Request, peer: IPAddress?) async -> Response {
        guard let peer else { return Self.plain(.badRequest, "no peer address") }
        guard let client = attribution.client(peer: peer, forwardedFor: request.headers[values: Self.forwardedFor]) else {
            return Self.plain(.badRequest, "X-Forwarded-For from a trusted proxy holds no client address")
        }
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: settings.maxReportBytes) } catch {
            return Self.plain(.badRequest, "report larger than \(settings.maxReportBytes) bytes")
        }
        let report: RUMReport
        do {
            report = try RUMReport(body: Data(body.readableBytesView), regions: regionIDs, maxResults: settings.maxResultsPerReport)
        } catch {
            logger.debug("RUM report rejected", metadata: ["peer": "\(peer)", "reason": "\(error.reason)"])
            return Self.plain(.badRequest, error.reason)
        }
        let network = settings.keptNetwork.bucket(of: client)
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        if let rateLimit, !rateLimit.admit(network, nowMs: now) {
            return Self.plain(.tooManyRequests, "more than \(rateLimit.limit) reports a minute from \(network)", [.retryAfter: "60"])
        }
        sink(report.results.map { LatencyLearning.Measurement(timeMs: now, client: network, region: $0.region, rttMs: $0.rttMs, source: .rum) })
        return Response(status: .noContent, headers: [.accessControlAllowOrigin: "*"])
    }

    // MARK: Responses

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    static let preflightHeaders: HTTPFields = [
        .accessControlAllowOrigin: "*", .accessControlAllowMethods: "POST, OPTIONS",
        .accessControlAllowHeaders: "Content-Type", .accessControlMaxAge: "86400",
    ]

    /// A short plain-text answer, readable cross-origin.
    static func plain(_ status: HTTPResponse.Status, _ text: String, _ extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .accessControlAllowOrigin: "*"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
