import HTTPTypes
import Hummingbird

/// The tiny object the beacon times in each region: a few bytes that are never
/// cached, readable from any origin, with timing details any origin may see
/// (`Timing-Allow-Origin`), so Resource Timing can measure it cross-origin.
/// Served by the RUM collector and by `nearcast probe` in each region.
public enum ProbeObject {
    public static let path = "/nearcast/probe-object"

    /// The headers that make cross-origin timing possible; also what a region's own server must send.
    public static let headers: HTTPFields = [
        .contentType: "text/plain; charset=utf-8",
        .cacheControl: "no-store",
        .accessControlAllowOrigin: "*",
        HTTPField.Name("Timing-Allow-Origin")!: "*",
    ]

    public static let body = "nearcast\n"

    /// The response to `GET /nearcast/probe-object`.
    public static func response() -> Response {
        Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
