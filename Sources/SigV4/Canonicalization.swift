import Crypto

/// The canonical request, built as botocore's `SigV4Auth` builds it for non-S3 services.
///
/// Invariant: for a request botocore signed, `Canonical.request` reproduces, byte for byte,
/// the canonical request botocore hashed.
enum Canonical {
    /// The canonical request: method, URI, query, headers, signed-header list and payload hash,
    /// one per line (the headers block ends with its own newline).
    static func request(
        method: String, path: String, query: [QueryParameter], excluding excludedParameter: String?,
        signedHeaders: [String], headers: [(name: String, value: String)], body: [UInt8]
    ) -> String {
        [
            method,
            uri(path),
            queryString(query, excluding: excludedParameter),
            headerBlock(signedHeaders, from: headers),
            signedHeaders.joined(separator: ";"),
            hexSHA256(body),
        ].joined(separator: "\n")
    }

    /// The path as sent, with `.`, `..` and empty segments removed (botocore's `remove_dot_segments`),
    /// then percent-encoded once more. An escape already on the wire is encoded again (`%2A` is signed
    /// as `%252A`): the "double encoding" every service but S3 uses.
    static func uri(_ rawPath: String) -> String {
        guard !rawPath.isEmpty else { return "/" }
        var kept: [Substring] = []
        for segment in rawPath.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                _ = kept.popLast()
            } else {
                kept.append(segment)
            }
        }
        let lead = rawPath.hasPrefix("/") ? "/" : ""
        let trail = rawPath.hasSuffix("/") && !kept.isEmpty ? "/" : ""
        return percentEncode(Array((lead + kept.joined(separator: "/") + trail).utf8), keepingSlash: true)
    }

    /// A query parameter with name and value in canonical form: `%XX` escapes decoded, then everything
    /// but unreserved characters encoded again with uppercase hex. `+` is a literal plus, not a space.
    struct QueryParameter: Sendable {
        var name: String
        var value: String

        /// The value with its escapes decoded, as UTF-8 text.
        var decodedValue: String { String(decoding: percentDecode(Substring(value)), as: UTF8.self) }
    }

    /// The parameters of a raw query string, in the order sent. Empty components (`a=1&&b=2`) are
    /// skipped; a component without `=` has an empty value. (botocore sorts the raw pairs without
    /// re-encoding them; since it sends every escape in canonical form already, the results agree,
    /// and re-encoding also accepts the test suite's raw UTF-8 and lowercase escapes.)
    static func queryParameters(_ rawQuery: String?) -> [QueryParameter] {
        guard let rawQuery else { return [] }
        return rawQuery.split(separator: "&").map { component in
            let name: Substring, value: Substring
            if let eq = component.firstIndex(of: "=") {
                (name, value) = (component[..<eq], component[component.index(after: eq)...])
            } else {
                (name, value) = (component, "")
            }
            return QueryParameter(name: percentEncode(percentDecode(name), keepingSlash: false),
                                  value: percentEncode(percentDecode(value), keepingSlash: false))
        }
    }

    /// Parameters sorted by name, then value (byte order of the encoded forms), joined as `name=value&...`.
    static func queryString(_ parameters: [QueryParameter], excluding excluded: String?) -> String {
        parameters
            .filter { $0.name != excluded }
            .sorted { ($0.name, $0.value) < ($1.name, $1.value) }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "&")
    }

    /// One `name:value` line per signed header, each ending in a newline. Repeated headers are joined
    /// with `,` in the order received; each value is trimmed and its inner whitespace runs collapsed
    /// to one space. A signed header the request lacks gets an empty value.
    static func headerBlock(_ signedHeaders: [String], from headers: [(name: String, value: String)]) -> String {
        var block = ""
        for signed in signedHeaders {
            let values = headers.lazy.filter { $0.name.lowercased() == signed.lowercased() }.map { trimAll($0.value) }
            block += "\(signed):\(values.joined(separator: ","))\n"
        }
        return block
    }

    /// Python's `' '.join(value.split())`: whitespace as `str.split()` sees it, including U+001C–U+001F.
    static func trimAll(_ value: String) -> String {
        value.unicodeScalars
            .split(whereSeparator: { $0.properties.isWhitespace || (0x1C...0x1F).contains($0.value) })
            .map { String(String.UnicodeScalarView($0)) }
            .joined(separator: " ")
    }

    /// `AWS4-HMAC-SHA256`, the signing time, the credential scope and the canonical request's hash, one per line.
    static func stringToSign(timestamp: Timestamp, scope: CredentialScope, canonicalRequest: String) -> String {
        [SignatureClaim.algorithm, timestamp.iso8601Basic, scope.description, hexSHA256(canonicalRequest.utf8)]
            .joined(separator: "\n")
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), terminator).
    static func signingKey(secret: String, scope: CredentialScope) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [scope.date, scope.region, scope.service, scope.terminator] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    static func hexSHA256(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// Lowercase hex digits, two per byte.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out += [digits[Int(b >> 4)], digits[Int(b & 0xF)]] }
        return String(decoding: out, as: UTF8.self)
    }

    /// `%XX`-encodes every byte except RFC 3986 unreserved characters (and `/` when `keepingSlash`).
    private static func percentEncode(_ bytes: [UInt8], keepingSlash: Bool) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: "/") where keepingSlash:
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes (either case). A `%` not followed by two hex digits stays a literal `%`.
    private static func percentDecode(_ text: Substring) -> [UInt8] {
        let b = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let hi = hexValue(b[i + 1]), let lo = hexValue(b[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
