#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOSSL

/// The result of one request, and its status text as GetHealthCheckStatus shows it.
///
/// Route 53 does not publish its status texts. Verified wording:
/// - "Success: HTTP Status Code 200, OK": compared against real GetHealthCheckStatus output in public code
///   (and the same form is used for every status code: "HTTP Status Code <code>, <reason phrase>").
/// - "Failure: The health checker could not establish a connection within the timeout limit.": the
///   GetHealthCheckLastFailureReason example in Route 53's API Reference.
/// - "Failure: Resolved IP: 12.345.67.89. The connection was closed by the endpoint.": a sample of real
///   output in the Ansible amazon.aws `route53_info` documentation; it also shows where an endpoint given by
///   FullyQualifiedDomainName gets its "Resolved IP".
/// - "DNS resolution failed": the error the API Reference (HealthCheckConfig.FullyQualifiedDomainName) names.
/// - "SSL alert handshake_failure": the status the API Reference (EnableSNI) names.
/// The other texts are Nearcast's, written in the same style (marked "ours" below).
enum Outcome: Sendable {
    case connected
    case status(HTTPResponseStatus)
    case searchStringMissing(HTTPResponseStatus)
    case connectTimeout
    case refused
    case closedByEndpoint
    case responseTimeout
    case bodyTimeout
    case dnsFailure
    case tlsFailure(String)
    case invalidResponse
    case other(String)

    /// Route 53: healthy on a TCP connection, or an HTTP status code "of 200 or greater and less than 400"
    /// (with the search string found, for string matching).
    var healthy: Bool {
        switch self {
        case .connected: true
        case .status(let status): (200..<400).contains(status.code)
        default: false
        }
    }

    /// The status text: "Success: " or "Failure: ", "Resolved IP: <address>. " when the endpoint was found
    /// by its domain name, then what happened.
    func report(resolvedIP: String?) -> String {
        (healthy ? "Success: " : "Failure: ") + (resolvedIP.map { "Resolved IP: \($0). " } ?? "") + text
    }

    private var text: String {
        switch self {
        case .connected: "TCP connection established."  // ours
        case .status(let status): "HTTP Status Code \(status.code), \(status.reasonPhrase)"
        case .searchStringMissing(let status):  // ours, after the verified status form
            "HTTP Status Code \(status.code), \(status.reasonPhrase). The response body didn't contain the search string in its first \(Limits.searchedBytes) bytes."
        case .connectTimeout: "The health checker could not establish a connection within the timeout limit."
        case .refused: "The endpoint refused the connection."  // ours
        case .closedByEndpoint: "The connection was closed by the endpoint."
        case .responseTimeout: "The endpoint did not send an HTTP status code within the timeout limit."  // ours
        case .bodyTimeout: "The endpoint did not send the response body within the timeout limit."  // ours
        case .dnsFailure: "DNS resolution failed."
        case .tlsFailure(let reason): reason
        case .invalidResponse: "The endpoint did not send a valid HTTP response."  // ours
        case .other(let reason): reason  // ours: the system's description of the error
        }
    }
}

extension Outcome {
    /// The outcome of a request that failed with `error`.
    init(_ error: any Error) {
        switch error {
        case ChannelError.connectTimeout: self = .connectTimeout
        case let error as IOError where error.errnoCode == ECONNREFUSED: self = .refused
        case let error as IOError where error.errnoCode == ECONNRESET || error.errnoCode == EPIPE:
            self = .closedByEndpoint
        case ChannelError.eof, ChannelError.ioOnClosedChannel, NIOSSLError.uncleanShutdown: self = .closedByEndpoint
        case is DNSResolutionFailed: self = .dnsFailure
        case is HTTPParserError: self = .invalidResponse
        case let error as NIOSSLError: self = .tlsFailure(Self.tlsText(error))
        default: self = .other("\(error).")
        }
    }

    /// "SSL alert handshake_failure" when the endpoint sent that alert (the status the API Reference names for
    /// an endpoint that needs SNI); otherwise BoringSSL's reasons, e.g. "TLS negotiation failed:
    /// WRONG_VERSION_NUMBER." (ours), taken from texts like "Error: 268435703 error:100000f7:SSL
    /// routines:OPENSSL_internal:WRONG_VERSION_NUMBER at <file>:<line>".
    private static func tlsText(_ error: NIOSSLError) -> String {
        guard case .handshakeFailed(.sslError(let stack)) = error else { return "TLS negotiation failed: \(error)." }
        let reasons = stack.map { "\($0)".split(separator: " at ").first?.split(separator: ":").last.map(String.init) ?? "" }
        return reasons.contains("SSLV3_ALERT_HANDSHAKE_FAILURE")
            ? "SSL alert handshake_failure" : "TLS negotiation failed: \(reasons.joined(separator: ", "))."
    }
}

/// A domain name without an IPv4 address, or a lookup that did not finish within the connection time limit.
struct DNSResolutionFailed: Error {}
