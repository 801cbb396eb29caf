import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SigV4

/// A SigV4-signed HTTP client for a node's JSON endpoints (`/nearcast/...` on the API listener):
/// service `route53`, region `us-east-1`, as the node verifies.
///
/// Invariant: every request carries `Host`, `X-Amz-Date`, `X-Amz-Content-SHA256` and `Authorization`
/// computed by `SigV4Signer` over the exact path, query, Content-Type and body sent.
public struct ControllerClient: Sendable {
    /// The node's API, e.g. `http://127.0.0.1:8053` (a path prefix, if any, is kept).
    public let baseURL: URL
    public let signer: SigV4Signer
    public let timeout: Duration
    private let session: URLSession

    /// Nil when `baseURL` is not an absolute http(s) URL with a host.
    public init?(baseURL: String, credential: Credential, timeout: Duration = .seconds(10)) {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.query == nil
        else { return nil }
        self.baseURL = url
        self.signer = SigV4Signer(credential: credential)
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Double(timeout.components.seconds)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.session = URLSession(configuration: configuration)
    }

    /// `GET path?query`.
    public func get(_ path: String, query: [(name: String, value: String)] = []) async throws(ControllerError) -> ControllerResponse {
        try await send(method: "GET", path: path, query: query, body: [], contentType: nil)
    }

    /// `POST path?query` with `body` of `contentType`.
    public func post(_ path: String, query: [(name: String, value: String)] = [], body: [UInt8],
                     contentType: String) async throws(ControllerError) -> ControllerResponse {
        try await send(method: "POST", path: path, query: query, body: body, contentType: contentType)
    }

    /// Sends one signed request and returns whatever status came back; throws only when no HTTP
    /// response arrived (refused, timed out, unreadable).
    public func send(method: String, path: String, query: [(name: String, value: String)], body: [UInt8],
                     contentType: String?) async throws(ControllerError) -> ControllerResponse {
        let prefix = baseURL.path.hasSuffix("/") ? String(baseURL.path.dropLast()) : baseURL.path
        let target = Self.percentEncode(prefix + path, keepingSlash: true)
            + (query.isEmpty ? "" : "?" + query.map {
                Self.percentEncode($0.name, keepingSlash: false) + "=" + Self.percentEncode($0.value, keepingSlash: false)
            }.joined(separator: "&"))
        let origin = "\(baseURL.scheme ?? "http")://\(hostHeader)"
        guard let url = URL(string: origin + target) else { throw .badRequest("cannot form a URL from \(origin + target)") }

        var request = URLRequest(url: url)
        request.httpMethod = method
        var headers: [(name: String, value: String)] = []
        if let contentType { headers.append(("Content-Type", contentType)) }
        let now = Int64(Date().timeIntervalSince1970)
        for (name, value) in headers + signer.sign(method: method, target: target, host: hostHeader, headers: headers,
                                                     body: body, now: now) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        request.setValue(hostHeader, forHTTPHeaderField: "Host")
        if !body.isEmpty || method == "POST" { request.httpBody = Data(body) }

        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw .unreachable("\(method) \(url.absoluteString): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw .unreachable("\(method) \(url.absoluteString): not an HTTP response")
        }
        return ControllerResponse(status: http.statusCode, body: Array(data))
    }

    /// `host[:port]` as the Host header carries it: IPv6 literals in brackets, a default port left out.
    public var hostHeader: String {
        let host = baseURL.host ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let defaultPort = baseURL.scheme?.lowercased() == "https" ? 443 : 80
        guard let port = baseURL.port, port != defaultPort else { return bracketed }
        return "\(bracketed):\(port)"
    }

    /// `%XX`-encodes all but RFC 3986 unreserved characters (and `/` when `keepingSlash`), as botocore does.
    static func percentEncode(_ text: String, keepingSlash: Bool) -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        if keepingSlash { allowed.insert("/") }
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// What the node answered: any status, with its body.
public struct ControllerResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// The node's error envelope `{"error": {"code": ..., "message": ...}}`, if the body is one.
    public var apiError: (code: String, message: String)? {
        struct Envelope: Decodable { struct Detail: Decodable { var code: String; var message: String }; var error: Detail }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body)) else { return nil }
        return (envelope.error.code, envelope.error.message)
    }

    /// Throws `.rejected` with the node's error unless the status is 2xx.
    public func requireSuccess() throws(ControllerError) {
        guard !(200..<300).contains(status) else { return }
        let error = apiError
        throw .rejected(status: status, code: error?.code ?? "",
                        message: error?.message ?? String(decoding: body.prefix(200), as: UTF8.self))
    }

    /// The body decoded as `T` when the status is 2xx; else `.rejected` with the node's error.
    public func decode<T: Decodable>(_ type: T.Type) throws(ControllerError) -> T {
        try requireSuccess()
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw .badResponse("\(T.self): \(error)")
        }
    }
}

/// Why a call to the node failed.
public enum ControllerError: Error, Equatable, CustomStringConvertible {
    /// No HTTP response: connection refused, timeout, TLS failure.
    case unreachable(String)
    /// The node answered with a non-2xx status.
    case rejected(status: Int, code: String, message: String)
    /// A 2xx answer whose body is not what the endpoint documents.
    case badResponse(String)
    /// The request could not be formed.
    case badRequest(String)

    public var description: String {
        switch self {
        case .unreachable(let text): "controller unreachable: \(text)"
        case let .rejected(status, code, message): "controller answered HTTP \(status) \(code): \(message)"
        case .badResponse(let text): "unexpected controller response: \(text)"
        case .badRequest(let text): "bad request: \(text)"
        }
    }
}
