import Crypto

/// An HTTP request as received, in the form the verifier needs. Framework-independent: the HTTP
/// layer copies its request into one of these.
public struct SignedRequest: Sendable {
    /// The method as sent, e.g. "POST".
    public var method: String
    /// The path as sent, still percent-encoded, e.g. "/2013-04-01/hostedzone/Z1/rrset/".
    public var path: String
    /// The raw query string as sent, without "?", e.g. "name=%5C052.example.com.&type=A"; nil if none.
    public var query: String?
    /// Every header as received: any case, repeated names kept in order. Must include Host
    /// (for HTTP/2, the :authority value under the name "host").
    public var headers: [(name: String, value: String)]
    /// The whole body. Its SHA-256 is what the canonical request signs; an X-Amz-Content-SHA256
    /// header is never trusted in its place, so "UNSIGNED-PAYLOAD" does not verify.
    public var body: [UInt8]

    public init(method: String, path: String, query: String? = nil, headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// An access key pair.
public struct Credential: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(accessKeyID: String, secretAccessKey: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }
}

/// Why a request failed verification. Each case maps onto one AWS error: `code` and `message` are
/// what AWS answers; Route 53 sends every one of them with HTTP 403.
public enum SigV4Failure: Error, Equatable, Sendable {
    /// No Authorization header and no presigned-query parameters.
    case missingAuthentication
    /// The Authorization header or presigned query is malformed or lacks a part (or the date);
    /// the text is AWS's message.
    case incompleteSignature(String)
    /// The access key id is not known.
    case invalidAccessKey
    /// The credential scope names another service or terminator, or a day other than the request's,
    /// or Host or X-Amz-Security-Token is left unsigned. The text is AWS's message.
    case signatureRejected(String)
    /// The signing time is outside the clock-skew window, or past a presigned URL's X-Amz-Expires.
    /// The text is AWS's message ("Signature expired: ... is now earlier than ...").
    case requestExpired(String)
    /// The signature is not the one the secret key gives. Carries what should have been signed.
    case signatureMismatch(canonicalRequest: String, stringToSign: String)

    /// The AWS error code.
    public var code: String {
        switch self {
        case .missingAuthentication: "MissingAuthenticationToken"
        case .incompleteSignature: "IncompleteSignature"
        case .invalidAccessKey: "InvalidClientTokenId"
        case .signatureRejected, .requestExpired, .signatureMismatch: "SignatureDoesNotMatch"
        }
    }

    /// The AWS error message.
    public var message: String {
        switch self {
        case .missingAuthentication:
            "Request is missing Authentication Token"
        case .incompleteSignature(let text), .signatureRejected(let text), .requestExpired(let text):
            text
        case .invalidAccessKey:
            "The security token included in the request is invalid."
        case .signatureMismatch(let canonicalRequest, let stringToSign):
            "The request signature we calculated does not match the signature you provided. "
                + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                + "The Canonical String for this request should have been\n'\(canonicalRequest)'\n\n"
                + "The String-to-Sign should have been\n'\(stringToSign)'\n"
        }
    }
}

/// Verifies AWS Signature Version 4 (AWS4-HMAC-SHA256), as botocore, the AWS CLI and the AWS SDKs
/// sign for non-S3 services: header authentication, and presigned query strings.
///
/// Any region in the credential scope is accepted; the service must be `service`. Signing keys
/// are derived afresh for every request (four HMACs).
public struct SigV4Verifier: Sendable {
    public let service: String
    public let maxClockSkew: Duration
    private let credentials: @Sendable (String) -> Credential?

    /// `credentials` looks up the secret for an access key id; nil means no such key.
    public init(service: String = "route53", maxClockSkew: Duration = .seconds(300),
                credentials: @escaping @Sendable (String) -> Credential?) {
        self.service = service
        self.maxClockSkew = maxClockSkew
        self.credentials = credentials
    }

    /// Verifies the Authorization header, or failing that the presigned-query parameters, against
    /// the request and `now` (seconds since 1970-01-01T00:00:00Z). Returns the access key id.
    ///
    /// Checks run in this order, the first failure winning: the signature's parts are present and
    /// well formed; the access key is known; scope and signed headers are acceptable; the signing
    /// time is within `maxClockSkew` of `now` (for a presigned URL: not before `now - maxClockSkew`,
    /// not after X-Amz-Expires); the signature matches, compared in constant time.
    public func verify(_ request: SignedRequest, now: Int64) -> Result<String, SigV4Failure> {
        let query = Canonical.queryParameters(request.query)
        let parsed: Result<SignatureClaim, SigV4Failure>
        let presigned: Bool
        if let authorization = request.headers.first(where: { $0.name.lowercased() == "authorization" })?.value {
            (parsed, presigned) = (SignatureClaim.fromHeader(authorization, headers: request.headers), false)
        } else if let fromQuery = SignatureClaim.fromQuery(query) {
            (parsed, presigned) = (fromQuery, true)
        } else {
            return .failure(.missingAuthentication)
        }
        let claim: SignatureClaim
        switch parsed {
        case .success(let c): claim = c
        case .failure(let failure): return .failure(failure)
        }

        guard let credential = credentials(claim.accessKeyID) else { return .failure(.invalidAccessKey) }
        if let problem = scopeProblem(claim, request: request, presigned: presigned) {
            return .failure(.signatureRejected(problem))
        }
        if let problem = timeProblem(claim, now: Timestamp(secondsSince1970: now)) {
            return .failure(.requestExpired(problem))
        }

        let canonicalRequest = Canonical.request(
            method: request.method, path: request.path, query: query, excluding: presigned ? "X-Amz-Signature" : nil,
            signedHeaders: claim.signedHeaders, headers: request.headers, body: request.body)
        let stringToSign = Canonical.stringToSign(timestamp: claim.timestamp, scope: claim.scope,
                                                  canonicalRequest: canonicalRequest)
        let key = Canonical.signingKey(secret: credential.secretAccessKey, scope: claim.scope)
        guard let provided = Self.lowercaseHexBytes(claim.signature),
              HMAC<SHA256>.isValidAuthenticationCode(provided, authenticating: Array(stringToSign.utf8), using: key)
        else {
            return .failure(.signatureMismatch(canonicalRequest: canonicalRequest, stringToSign: stringToSign))
        }
        return .success(claim.accessKeyID)
    }

    /// AWS's messages for an unacceptable scope or signed-header list, joined; nil if acceptable.
    private func scopeProblem(_ claim: SignatureClaim, request: SignedRequest, presigned: Bool) -> String? {
        var problems: [String] = []
        if claim.scope.service != service {
            problems.append("Credential should be scoped to correct service: '\(service)'.")
        }
        if claim.scope.terminator != "aws4_request" {
            problems.append("Credential should be scoped with a valid terminator: 'aws4_request', not '\(claim.scope.terminator)'.")
        }
        if claim.scope.date != claim.timestamp.dateStamp {
            problems.append("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                + "'\(claim.scope.date)' != '\(claim.timestamp.dateStamp)', from '\(claim.timestamp.iso8601Basic)'.")
        }
        let signed = Set(claim.signedHeaders.map { $0.lowercased() })
        if !signed.contains("host") {
            problems.append("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        }
        if !presigned, !signed.contains("x-amz-security-token"),
           request.headers.contains(where: { $0.name.lowercased() == "x-amz-security-token" }) {
            problems.append("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.")
        }
        return problems.isEmpty ? nil : problems.joined(separator: " ")
    }

    /// AWS's message when the signing time is unacceptable at `now`; nil if acceptable.
    private func timeProblem(_ claim: SignatureClaim, now: Timestamp) -> String? {
        let skew = maxClockSkew.components.seconds
        let skewText = skew % 60 == 0 ? "\(skew / 60) min." : "\(skew) sec."
        let signed = claim.timestamp
        if signed.secondsSince1970 > now.secondsSince1970 + skew {
            let limit = Timestamp(secondsSince1970: now.secondsSince1970 + skew)
            return "Signature not yet current: \(signed.iso8601Basic) is still later than \(limit.iso8601Basic) "
                + "(\(now.iso8601Basic) + \(skewText))"
        }
        if let expires = claim.expires {
            return now.secondsSince1970 > signed.secondsSince1970 + expires ? "Request has expired" : nil
        }
        if signed.secondsSince1970 < now.secondsSince1970 - skew {
            let limit = Timestamp(secondsSince1970: now.secondsSince1970 - skew)
            return "Signature expired: \(signed.iso8601Basic) is now earlier than \(limit.iso8601Basic) "
                + "(\(now.iso8601Basic) - \(skewText))"
        }
        return nil
    }

    /// The 32 bytes spelled by 64 lowercase hex digits; nil for anything else.
    private static func lowercaseHexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
