import NIOCore
import Route53Model

/// How this node runs its health checks.
public struct HealthCheckSettings: Sendable {
    /// Multiplies every RequestInterval (1 in production; tests and labs use e.g. 0.05 so that a 10 s
    /// interval is 0.5 s). Timeouts are not scaled.
    public var timeScale: Double
    /// The local address requests are sent from (for hosts with several);
    /// nil lets the system choose. Used only for endpoints of its family.
    public var sourceAddress: String?

    public init(timeScale: Double = 1, sourceAddress: String? = nil) {
        self.timeScale = timeScale; self.sourceAddress = sourceAddress
    }

    /// The pause between the end of one request and the start of the next.
    func interval(_ config: HealthCheckConfig) -> TimeAmount {
        .nanoseconds(Int64(Double(config.requestInterval) * 1e9 * timeScale))
    }
}

/// Route 53's time and size limits, from its Developer Guide ("How Amazon Route 53 determines whether a
/// health check is healthy"): "TCP health checks – Route 53 must be able to establish a TCP connection with
/// the endpoint within ten seconds"; "HTTP and HTTPS health checks – Route 53 must be able to establish a
/// TCP connection with the endpoint within four seconds. In addition, the endpoint must respond with an HTTP
/// status code of 2xx or 3xx within two seconds after connecting"; with string matching, "After a Route 53
/// health checker receives the HTTP status code, it must receive the response body from the endpoint within
/// the next two seconds. ... The string must appear entirely in the first 5,120 bytes of the response body".
enum Limits {
    static let tcpConnect = TimeAmount.seconds(10)
    static let httpConnect = TimeAmount.seconds(4)
    /// From the connection to the status code (the TLS handshake included).
    static let response = TimeAmount.seconds(2)
    /// From the status code to the search string (string matching only).
    static let body = TimeAmount.seconds(2)
    static let searchedBytes = 5120
}
