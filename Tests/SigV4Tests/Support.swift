import SigV4

extension CapturedRequest {
    /// The request as the HTTP layer would hand it over: target split at the first "?".
    var signedRequest: SignedRequest {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return SignedRequest(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil,
                             headers: headers, body: Array(body.utf8))
    }

    var credential: Credential { Credential(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey) }

    /// A route53 verifier that knows this request's key and no other.
    var verifier: SigV4Verifier {
        let credential = credential
        return SigV4Verifier { $0 == credential.accessKeyID ? credential : nil }
    }
}

/// Parses the test suite's request files: a request line, `Name:value` header lines, a blank line,
/// then the body. The target may hold raw spaces and UTF-8, as the suite's files do.
func parseRawRequest(_ text: String) -> SignedRequest {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let requestLine = lines[0]
    let method = requestLine.prefix { $0 != " " }
    var target = requestLine.dropFirst(method.count + 1)
    if target.hasSuffix(" HTTP/1.1") { target = target.dropLast(" HTTP/1.1".count) }
    var headers: [(name: String, value: String)] = []
    var index = 1
    while index < lines.count, !lines[index].isEmpty {
        let line = lines[index]
        let colon = line.firstIndex(of: ":")!
        headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        index += 1
    }
    let body = lines.dropFirst(index + 1).joined(separator: "\n")
    let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    return SignedRequest(method: String(method), path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil,
                         headers: headers, body: Array(body.utf8))
}

extension SignedRequest {
    /// Replaces the value of every header named `name` (any case).
    func replacingHeader(_ name: String, with value: String) -> SignedRequest {
        var copy = self
        copy.headers = headers.map { $0.name.lowercased() == name.lowercased() ? ($0.name, value) : $0 }
        return copy
    }

    func removingHeader(_ name: String) -> SignedRequest {
        var copy = self
        copy.headers.removeAll { $0.name.lowercased() == name.lowercased() }
        return copy
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
