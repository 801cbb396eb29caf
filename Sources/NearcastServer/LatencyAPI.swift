import Authority
import ControlAPI
import DNSWire
import Foundation
import HTTPTypes
import Hummingbird
import LatencyLearning
import LatencyModel
import LatencyPrediction
import MeasurementFormats
import NIOCore
import NIOPosix
import SigV4

/// The node's latency endpoints under `/nearcast/latency/` on the API
/// listener: ingestion, rebuild, explain, probe targets. Signed with SigV4
/// like the Route 53 API; JSON in and out; errors as
/// `{"error": {"code", "message"}}` with 400 (403 for signatures).
struct LatencyAPI: Sendable {
    let service: LatencyService?
    let data: ServedData
    let authenticator: RequestAuthenticator
    let recentSources: @Sendable () -> [(source: IPAddress, packet: [UInt8])]

    init(service: LatencyService?, data: ServedData, credentials: [Credential],
         recentSources: @escaping @Sendable () -> [(source: IPAddress, packet: [UInt8])]) {
        self.service = service
        self.data = data
        authenticator = RequestAuthenticator(credentials: credentials)
        self.recentSources = recentSources
    }
    static let pathPrefix = "/nearcast/latency/"
    /// Bulk loads are large: 256 MiB per request (about 5 million CSV rows).
    static let maxBody = 256 << 20

    struct Failure: Error {
        var status: HTTPResponse.Status
        var code: String
        var message: String
        static func input(_ message: String) -> Failure { Failure(status: .badRequest, code: "InvalidInput", message: message) }
    }

    func respond(to request: Request) async -> Response {
        var request = request
        do {
            let body: [UInt8]
            do { body = Array(buffer: try await request.collectBody(upTo: Self.maxBody)) } catch {
                throw Failure(status: .contentTooLarge, code: "RequestTooLarge", message: "the body is larger than \(Self.maxBody) bytes")
            }
            if let failure = authenticator.failure(of: request, body: body) {
                throw Failure(status: .forbidden, code: failure.code, message: failure.message)
            }
            let query = request.uri.queryParameters
            let parameters = Dictionary(query.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
            let operation = String(request.uri.path.dropFirst(Self.pathPrefix.count))
            let method = request.method, contentType = request.headers[.contentType] ?? ""
            // Parsing, learning and rebuilding block: keep them off the cooperative pool.
            let (status, document) = try await NIOThreadPool.singleton.runIfActive {
                let (status, object) = try dispatch(method: method, operation: operation, parameters: parameters, body: body,
                                                    contentType: contentType)
                return (status, Self.encode(object))
            }
            return Self.response(status, document)
        } catch let failure as Failure {
            return Self.json(failure.status, ["error": ["code": failure.code, "message": failure.message]])
        } catch {
            return Self.json(.internalServerError, ["error": ["code": "InternalFailure", "message": "\(error)"]])
        }
    }

    private func dispatch(method: HTTPRequest.Method, operation: String, parameters: [String: String], body: [UInt8],
                          contentType: String) throws -> (HTTPResponse.Status, [String: Any]) {
        switch (method, operation) {
        case (.post, "measurements"): return try ingest(parameters, body: body, contentType: contentType)
        case (.post, "rebuild"): return (.ok, try rebuild())
        case (.get, "explain"): return (.ok, try explain(parameters))
        case (.get, "probe-targets"): return (.ok, try probeTargets(parameters))
        default:
            throw Failure(status: .notFound, code: "UnknownOperation", message: "no operation \(method) \(Self.pathPrefix)\(operation)")
        }
    }

    private func learning() throws -> LatencyService {
        guard let service else { throw Failure.input("latency learning is off on this node: add a 'latency:' section to the config file") }
        return service
    }

    private func ingest(_ parameters: [String: String], body: [UInt8], contentType: String) throws -> (HTTPResponse.Status, [String: Any]) {
        let service = try learning()
        let partial = try Self.flag(parameters["partial"], "partial")
        let source = try parameters["source"].map { text in
            guard let source = LatencyLearning.Measurement.Source(rawValue: text) else {
                throw Failure.input("source must be rum, probe or import, got '\(text)'")
            }
            return source
        } ?? .imported
        let parsed = try Self.parse(body, contentType: contentType, catalog: data.catalog, source: source)
        let keep = parsed.rejected.isEmpty || partial
        if keep { try service.ingest(parsed.accepted) }
        let object: [String: Any] = [
            "accepted": parsed.accepted.count, "rejected": parsed.rejected.count, "kept": keep ? parsed.accepted.count : 0,
            "partial": partial,
            "errors": parsed.rejected.prefix(1000).map { ["line": $0.line, "reason": ($0.item.map { "measurements[\($0)]: " } ?? "") + $0.reason] as [String: Any] },
        ]
        return (keep ? .ok : .badRequest, object)
    }

    private func rebuild() throws -> [String: Any] {
        let report = try learning().rebuild()
        return ["buckets": report.buckets, "ranges": report.ranges, "rankings": report.rankings,
                "ranked_networks": report.rankedNetworks, "underlay_ranges": report.underlayRanges,
                "build_ms": report.buildMs, "version": report.snapshotVersion]
    }

    private func explain(_ parameters: [String: String]) throws -> [String: Any] {
        let service = try learning()
        guard let text = parameters["client"], let client = IPAddress(text) else {
            throw Failure.input("client must be an IPv4 or IPv6 address, got '\(parameters["client"] ?? "")'")
        }
        let snapshot = data.snapshot
        let catalog = snapshot.catalog
        let hit = snapshot.latencyMap.lookup(client)
        let ranking = snapshot.latencyMap.rankings[hit.ranking]
        var object: [String: Any] = [
            "client": client.description,
            "ranking": ranking.map(catalog.name(of:)),
            "block": hit.block.description, "scope": hit.block.length,
        ]
        if let (prediction, hold) = service.explain(client, servedFirst: ranking.first) {
            let now = LatencyService.nowMs()
            object["bucket"] = prediction.bucket.description
            object["location"] = prediction.location.map { ["country": $0.country ?? NSNull(),
                                                            "latitude": $0.point?.latitude ?? NSNull(),
                                                            "longitude": $0.point?.longitude ?? NSNull()] as [String: Any] } ?? NSNull()
            object["regions"] = prediction.regions.map { estimate in [
                "region": catalog.name(of: estimate.region), "rtt_ms": estimate.rttMs.map(tenths) ?? NSNull(),
                "source": estimate.source.rawValue, "from": estimate.from ?? NSNull(),
                "samples": estimate.samples.map(hundredths) ?? NSNull(),
                "age_s": estimate.lastSampleMs.map { max(0, (now - $0) / 1000) } ?? NSNull(),
                "pending_ms": estimate.pendingMs.map(tenths) ?? NSNull(),
                "pending_samples": estimate.pendingSamples.map(hundredths) ?? NSNull(),
                "standard_error": estimate.standardError > 0 ? rounded(estimate.standardError, decimals: 4) : NSNull(),
            ] as [String: Any] }
            if let hold {
                object["held"] = [
                    "region": catalog.name(of: hold.kept), "rtt_ms": tenths(hold.keptMs), "ranked_at_ms": tenths(hold.rankedAtMs),
                    "faster": catalog.name(of: hold.faster), "faster_rtt_ms": tenths(hold.fasterMs),
                    "needs_ms": tenths(hold.requirement.marginMs), "needs_percent": tenths((1 - exp(-hold.requirement.logRatio)) * 100),
                    "released": hold.requirement.released, "takes_over": hold.takesOver,
                ] as [String: Any]
            }
        }
        if let name = parameters["name"] {
            let type = parameters["type"] ?? "A"
            guard let qtype = RRType(mnemonic: type) else { throw Failure.input("unknown type '\(type)'") }
            guard let qname = try? DomainName(parsing: name.hasSuffix(".") ? name : name + ".") else {
                throw Failure.input("'\(name)' is not a domain name")
            }
            let resolution = snapshot.resolve(Question(name: qname, type: qtype), client: ClientLocation(address: client))
            var answer = AnswerReport.json(resolution, catalog: catalog)
            answer["name"] = qname.description
            answer["type"] = qtype.description
            answer["scope"] = resolution.scope
            object["answer"] = answer
        }
        return object
    }

    private func probeTargets(_ parameters: [String: String]) throws -> [String: Any] {
        let service = try learning()
        guard let region = parameters["region"], data.catalog.id(of: region) != nil else {
            throw Failure.input("region must name a known region, got '\(parameters["region"] ?? "")'")
        }
        let targets = ProbeTargets.collect(configured: service.settings.probeTargets, recent: recentSources(),
                                           buckets: service.settings.bucketPolicy)
        return ["interval_s": service.settings.probeIntervalMs / 1000, "region": region,
                "targets": targets.map { ["address": $0.address.description, "kind": $0.kind, "port": $0.port ?? NSNull()] as [String: Any] }]
    }

    /// The batch in `body`: JSON when the content type says so (or, without
    /// one, when it looks like JSON), else CSV.
    private static func parse(_ body: [UInt8], contentType: String, catalog: RegionCatalog,
                              source: LatencyLearning.Measurement.Source) throws -> ParsedMeasurements {
        let type = contentType.lowercased()
        let format: MeasurementFormat = type.contains("json") ? .json : type.contains("csv") ? .csv : MeasurementFormat.detect(body)
        let parser = MeasurementParser(catalog: catalog, defaultSource: source, maxRows: maxRows)
        do {
            return try parser.parse(body, format: format, nowMs: LatencyService.nowMs())
        } catch {
            throw Failure.input("\(error)")
        }
    }

    /// Rows per request (a CSV row is at least ~30 bytes: 256 MiB holds about 8 million).
    static let maxRows = 10_000_000

    private static func flag(_ text: String?, _ name: String) throws -> Bool {
        switch text?.lowercased() {
        case nil, "false", "0": return false
        case "true", "1": return true
        default: throw Failure.input("\(name) must be true or false, got '\(text!)'")
        }
    }

    private static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    private static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        response(status, encode(object))
    }

    private static func response(_ status: HTTPResponse.Status, _ document: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }
}

/// `value` to `decimals` decimal places, as explain reports numbers.
private func rounded(_ value: Double, decimals: Int) -> Double {
    let scale = (0..<decimals).reduce(1.0) { value, _ in value * 10 }
    return (value * scale).rounded() / scale
}
/// `value` to one decimal place, as explain reports RTTs.
private func tenths(_ value: Double) -> Double { rounded(value, decimals: 1) }
/// `value` to two decimal places, as explain reports sample weights.
private func hundredths(_ value: Double) -> Double { rounded(value, decimals: 2) }
