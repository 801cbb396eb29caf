import Authority
import DNSWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix
import LatencyModel
import Route53Model
import SigV4
import Store

/// The Route 53 2013-04-01 REST/XML API: authenticates each request with
/// SigV4, dispatches it to its operation, and answers in Route 53's XML,
/// errors included. Never answers 500 for bad input.
public struct Route53API: Sendable {
    let backend: any Route53Backend
    let authenticator: RequestAuthenticator
    /// Largest request body accepted (Route 53's change batches stay well below).
    static let maxBody = 4 << 20

    public init(backend: any Route53Backend, credentials: [Credential]) {
        self.backend = backend
        authenticator = RequestAuthenticator(credentials: credentials)
    }

    /// The Hummingbird responder for this API.
    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in await self.respond(to: request) }
    }

    func respond(to request: Request) async -> Response {
        let requestID = UUID().uuidString.lowercased()
        var request = request
        let body: Data
        do {
            body = Data(buffer: try await request.collectBody(upTo: Self.maxBody))
        } catch {
            return failure(.invalidInput("Request body is larger than \(Self.maxBody) bytes"), requestID: requestID)
        }
        if let failure = authenticator.failure(of: request, body: Array(body)) {
            return self.failure(Route53Error(failure.code, status: 403, failure.message), requestID: requestID)
        }
        do {
            let operation = Operations(backend: backend, query: Query(request.uri.queryParameters))
            let method = request.method.rawValue, path = request.uri.path
            // Operations block on SQLite (and its fsync): keep them off the cooperative pool.
            let (status, document, headers) = try await NIOThreadPool.singleton.runIfActive {
                try operation.dispatch(method: method, path: path, body: body)
            }
            return xmlResponse(status: status, document, requestID: requestID, extraHeaders: headers)
        } catch let error as Route53Error {
            return failure(error, requestID: requestID)
        } catch {
            return failure(Route53Error("InternalFailure", status: 500, "\(error)"), requestID: requestID)
        }
    }

    private func failure(_ error: Route53Error, requestID: String) -> Response {
        xmlResponse(status: error.status, ResponseEncoding.error(error, requestID: requestID), requestID: requestID)
    }

    private func xmlResponse(status: Int, _ document: XML, requestID: String, extraHeaders: [(String, String)] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/xml"
        headers[HTTPField.Name("x-amzn-RequestId")!] = requestID
        for (name, value) in extraHeaders { headers[HTTPField.Name(name)!] = value }
        return Response(status: .init(code: status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: document.document())))
    }
}

/// Query-string parameters, percent-decoded.
struct Query {
    private var values: [String: String] = [:]
    init(_ parameters: Parameters) {
        for (key, value) in parameters { values[String(key)] = String(value) }
    }
    subscript(_ name: String) -> String? { values[name] }
}
