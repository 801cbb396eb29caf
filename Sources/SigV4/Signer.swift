import Crypto

/// Signs requests with AWS Signature Version 4 (AWS4-HMAC-SHA256) in headers, as botocore's `SigV4Auth`
/// does for non-S3 services: the same canonical request `SigV4Verifier` checks.
///
/// Invariant: a request sent with `headers` plus the headers `sign` returns, and `Host: host`, verifies
/// with a `SigV4Verifier` that knows the credential, for the service signed, within its clock-skew window.
public struct SigV4Signer: Sendable {
    public let credential: Credential
    public let region: String
    public let service: String

    /// Headers never signed, because proxies may change or drop them (botocore's `SIGNED_HEADERS_BLACKLIST`).
    static let unsignedHeaders: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// Headers `sign` produces itself; values for them in the caller's headers are ignored.
    static let producedHeaders: Set<String> = ["authorization", "host", "x-amz-date", "x-amz-content-sha256"]

    public init(credential: Credential, region: String = "us-east-1", service: String = "route53") {
        self.credential = credential
        self.region = region
        self.service = service
    }

    /// The headers to add to a request: `X-Amz-Date`, `X-Amz-Content-SHA256` (the body's hex SHA-256) and
    /// `Authorization`, in that order.
    ///
    /// - Parameters:
    ///   - target: the request target as sent on the request line: the path, percent-encoded, then
    ///     optionally `?` and the query string, also percent-encoded (`/a%20b?x=1&y=%2A`).
    ///   - host: the Host header the request will carry (`127.0.0.1:8053`; botocore omits a default port).
    ///   - headers: the request's other headers. All of them are signed except hop-by-hop ones and
    ///     User-Agent; a header sent but not passed here is simply left unsigned.
    ///   - now: the signing time in seconds since 1970-01-01T00:00:00Z.
    public func sign(method: String, target: String, host: String, headers: [(name: String, value: String)] = [],
                     body: [UInt8] = [], now: Int64) -> [(name: String, value: String)] {
        let timestamp = Timestamp(secondsSince1970: now)
        let scope = CredentialScope(date: timestamp.dateStamp, region: region, service: service, terminator: "aws4_request")
        let produced: [(name: String, value: String)] = [
            ("X-Amz-Date", timestamp.iso8601Basic),
            ("X-Amz-Content-SHA256", Canonical.hexSHA256(body)),
        ]
        let signable = headers.filter {
            let name = $0.name.lowercased()
            return !Self.unsignedHeaders.contains(name) && !Self.producedHeaders.contains(name)
        } + [("Host", host)] + produced
        let signedHeaders = Set(signable.map { $0.name.lowercased() }).sorted()

        let (path, query) = Self.split(target)
        let canonicalRequest = Canonical.request(
            method: method, path: path, query: Canonical.queryParameters(query), excluding: nil,
            signedHeaders: signedHeaders, headers: signable, body: body)
        let stringToSign = Canonical.stringToSign(timestamp: timestamp, scope: scope, canonicalRequest: canonicalRequest)
        let key = Canonical.signingKey(secret: credential.secretAccessKey, scope: scope)
        let signature = Canonical.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization = "\(SignatureClaim.algorithm) Credential=\(credential.accessKeyID)/\(scope.description), "
            + "SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
        return produced + [("Authorization", authorization)]
    }

    /// The target split at the first `?` into path and query (nil without `?`).
    private static func split(_ target: String) -> (path: String, query: String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }
}
