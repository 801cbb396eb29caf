/// Serves the RUM probe object (`GET /nearcast/probe-object`): a few bytes that browsers fetch to time
/// the round trip to this region, with headers that let cross-origin pages read the timing.
public enum ProbeObjectResponder {
    public static let path = "/nearcast/probe-object"

    static let headers: [(name: String, value: String)] = [
        ("Content-Type", "text/plain"),
        ("Cache-Control", "no-store"),
        ("Access-Control-Allow-Origin", "*"),
        ("Timing-Allow-Origin", "*"),
    ]

    /// 200 with the object for GET/HEAD of `path` (any query: beacons add a cache buster), 204 for a
    /// CORS preflight, 405 for other methods, 404 elsewhere.
    public static func respond(_ request: HTTPRequest) -> HTTPResponse {
        guard request.path == path else { return HTTPResponse(status: 404, body: Array("not found\n".utf8)) }
        switch request.method {
        case "GET", "HEAD":
            return HTTPResponse(status: 200, headers: headers, body: Array("ok\n".utf8))
        case "OPTIONS":
            return HTTPResponse(status: 204, headers: headers + [
                ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"), ("Access-Control-Max-Age", "86400"),
            ])
        default:
            return HTTPResponse(status: 405, headers: [("Allow", "GET, HEAD, OPTIONS")])
        }
    }
}
