import HTTPTypes
import Hummingbird
import LatencyModel

/// Serving the beacon: the script with this collector's URL (from the request's Host) and the regions inlined.
extension RUMCollector {
    func beacon(for request: Request, peer: IPAddress?) -> Response {
        guard let host = request.head.authority, Self.isPlainHost(host) else {
            return Self.plain(.badRequest, "missing or malformed Host header")
        }
        let config = BeaconScript.Config(
            collector: "\(scheme(of: request, peer: peer))://\(host)\(Self.reportPath)",
            max: settings.regionsPerBeacon ?? 0,
            regions: targets.map { .init(region: $0.name, url: $0.url) })
        let headers: HTTPFields = [
            .contentType: "application/javascript; charset=utf-8", .cacheControl: "public, max-age=300",
            .vary: "Host, X-Forwarded-Proto", .accessControlAllowOrigin: "*",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: BeaconScript.render(config))))
    }

    /// `https` when a trusted proxy says the browser used it; otherwise `http`, which this listener speaks.
    func scheme(of request: Request, peer: IPAddress?) -> String {
        guard let peer, attribution.isTrusted(peer),
              let proto = request.headers[values: Self.forwardedProto].last?.lowercased(), proto == "https" else { return "http" }
        return proto
    }

    /// A host name or address with an optional port: nothing that could leave the inlined URL.
    static func isPlainHost(_ host: String) -> Bool {
        (1...255).contains(host.utf8.count) && host.utf8.allSatisfy(hostBytes.contains)
    }

    private static let hostBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:[]".utf8)
}
