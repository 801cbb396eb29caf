/// `date/region/service/terminator`, the credential scope after the access key id.
struct CredentialScope: Sendable {
    var date: String
    var region: String
    var service: String
    var terminator: String

    var description: String { "\(date)/\(region)/\(service)/\(terminator)" }
}

/// What a request says about its own signature, from the Authorization header or a presigned query.
/// Nothing here is checked against keys, clocks or the service yet.
struct SignatureClaim: Sendable {
    var accessKeyID: String
    var scope: CredentialScope
    var signedHeaders: [String]
    var signature: String
    /// When the request was signed: X-Amz-Date, else Date.
    var timestamp: Timestamp
    /// How long a presigned URL stays valid, in seconds (X-Amz-Expires). Nil when the request does
    /// not say (header authentication, or a presigned URL without it): the clock-skew window applies.
    var expires: Int64?

    static let algorithm = "AWS4-HMAC-SHA256"

    /// Parses `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/route53/aws4_request,
    /// SignedHeaders=host;x-amz-date, Signature=<64 hex digits>`, taking the signing time from the
    /// X-Amz-Date header, else the Date header. Failures carry AWS's IncompleteSignature wording.
    static func fromHeader(_ authorization: String, headers: [(name: String, value: String)]) -> Result<SignatureClaim, SigV4Failure> {
        let scheme: Substring, rest: Substring
        if let space = authorization.firstIndex(of: " ") {
            (scheme, rest) = (authorization[..<space], authorization[authorization.index(after: space)...])
        } else {
            (scheme, rest) = (Substring(authorization), "")
        }
        var fields: [Substring: Substring] = [:]
        for part in rest.split(separator: ",") {
            let part = part.trimmingSpaces
            if part.isEmpty { continue }
            guard let eq = part.firstIndex(of: "=") else {
                return .failure(.incompleteSignature(
                    "'\(part)' not a valid key=value pair (missing equal-sign) in Authorization header: '\(authorization)'."))
            }
            fields[part[..<eq]] = part[part.index(after: eq)...]
        }

        var timestamp: Timestamp?
        if let amzDate = headers.first(where: { $0.name.lowercased() == "x-amz-date" })?.value {
            guard let t = Timestamp(iso8601Basic: amzDate) else {
                return .failure(.incompleteSignature(
                    "Date must be in ISO-8601 'basic format'. Got '\(amzDate)'. See http://en.wikipedia.org/wiki/ISO_8601"))
            }
            timestamp = t
        } else if let date = headers.first(where: { $0.name.lowercased() == "date" })?.value {
            timestamp = Timestamp(httpDate: date)
        }

        var missing: [String] = []
        for name in ["Credential", "Signature", "SignedHeaders"] where fields[Substring(name)] == nil {
            missing.append("Authorization header requires '\(name)' parameter.")
        }
        if timestamp == nil {
            missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        guard missing.isEmpty, let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"],
              let signature = fields["Signature"], let timestamp
        else {
            return .failure(.incompleteSignature(missing.joined(separator: " ") + " Authorization=\(authorization)"))
        }
        guard scheme == algorithm else {
            return .failure(.incompleteSignature("Unsupported AWS 'algorithm': '\(scheme)'"))
        }
        return parseCredential(String(credential)).map { accessKeyID, scope in
            SignatureClaim(accessKeyID: accessKeyID, scope: scope,
                           signedHeaders: signedHeaders.split(separator: ";", omittingEmptySubsequences: false).map(String.init),
                           signature: String(signature), timestamp: timestamp, expires: nil)
        }
    }

    /// Parses presigned-URL parameters (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
    /// X-Amz-SignedHeaders, X-Amz-Signature). Nil when the query carries none of the algorithm,
    /// credential or signature, i.e. the request does not try query authentication at all.
    static func fromQuery(_ parameters: [Canonical.QueryParameter]) -> Result<SignatureClaim, SigV4Failure>? {
        func value(_ name: String) -> String? { parameters.first { $0.name == name }?.decodedValue }
        guard value("X-Amz-Algorithm") != nil || value("X-Amz-Credential") != nil || value("X-Amz-Signature") != nil else {
            return nil
        }
        var missing: [String] = []
        for name in ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"]
        where value(name) == nil {
            missing.append("AWS query-string parameters must include '\(name)'.")
        }
        guard missing.isEmpty, let algorithm = value("X-Amz-Algorithm"), let credential = value("X-Amz-Credential"),
              let signature = value("X-Amz-Signature"), let signedHeaders = value("X-Amz-SignedHeaders"),
              let amzDate = value("X-Amz-Date")
        else {
            return .failure(.incompleteSignature((missing + ["Re-examine the query-string parameters."]).joined(separator: " ")))
        }
        guard algorithm == Self.algorithm else {
            return .failure(.incompleteSignature("Unsupported AWS 'algorithm': '\(algorithm)'"))
        }
        guard let timestamp = Timestamp(iso8601Basic: amzDate) else {
            return .failure(.incompleteSignature(
                "Date must be in ISO-8601 'basic format'. Got '\(amzDate)'. See http://en.wikipedia.org/wiki/ISO_8601"))
        }
        var expires: Int64?
        if let text = value("X-Amz-Expires") {
            guard let seconds = Int64(text), (1...604_800).contains(seconds) else {
                return .failure(.incompleteSignature(
                    "X-Amz-Expires must be a number of seconds from 1 to 604800 (seven days). Got '\(text)'."))
            }
            expires = seconds
        }
        return parseCredential(credential).map { accessKeyID, scope in
            SignatureClaim(accessKeyID: accessKeyID, scope: scope,
                           signedHeaders: signedHeaders.split(separator: ";", omittingEmptySubsequences: false).map(String.init),
                           signature: signature, timestamp: timestamp, expires: expires)
        }
    }

    /// `AKID/date/region/service/terminator`: exactly five non-empty slash-separated parts.
    private static func parseCredential(_ credential: String) -> Result<(String, CredentialScope), SigV4Failure> {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, !parts.contains(where: \.isEmpty) else {
            return .failure(.incompleteSignature(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credential)'"))
        }
        return .success((parts[0], CredentialScope(date: parts[1], region: parts[2], service: parts[3], terminator: parts[4])))
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
