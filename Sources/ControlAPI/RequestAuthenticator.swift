import Foundation
import Hummingbird
import SigV4

/// Checks the SigV4 signature of a Hummingbird request against the node's
/// access keys: the one check every signed endpoint (the Route 53 API,
/// Nearcast's latency endpoints) makes before anything else.
public struct RequestAuthenticator: Sendable {
    private let verifier: SigV4Verifier

    public init(credentials: [Credential]) {
        let byKey = Dictionary(credentials.map { ($0.accessKeyID, $0) }, uniquingKeysWith: { first, _ in first })
        verifier = SigV4Verifier(credentials: { byKey[$0] })
    }

    /// Nil when `request` with `body` is signed by a known key now; else why not.
    public func failure(of request: Request, body: [UInt8]) -> SigV4Failure? {
        let signed = SignedRequest(method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                                   headers: Self.headers(of: request), body: body)
        if case .failure(let failure) = verifier.verify(signed, now: Int64(Date().timeIntervalSince1970)) { return failure }
        return nil
    }

    /// The request's headers as signed: HTTPTypes keeps Host apart, as the authority.
    private static func headers(of request: Request) -> [(name: String, value: String)] {
        let fields = request.headers.map { (name: $0.name.rawName, value: $0.value) }
        guard let authority = request.head.authority else { return fields }
        return [("host", authority)] + fields
    }
}
