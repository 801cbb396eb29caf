import Foundation
import Logging
import ProbeAgent
import SigV4
import Testing

/// ControllerClient against a real HTTP server on 127.0.0.1 that verifies every request with SigV4Verifier.
@Suite struct ControllerClientTests {
    static let credential = Credential(accessKeyID: "AKIDPROBETEST", secretAccessKey: "probe/secret+key")

    /// A server that answers with the verified key and what it received, or 403 with the verifier's error.
    static func verifyingServer() throws -> MinimalHTTPServer {
        let verifier = SigV4Verifier { $0 == credential.accessKeyID ? credential : nil }
        return try MinimalHTTPServer(address: .v4(0x7F00_0001), port: 0, logger: Logger(label: "test")) { request in
            let signed = SignedRequest(method: request.method, path: request.path, query: request.query,
                                       headers: request.headers, body: request.body)
            switch verifier.verify(signed, now: Int64(Date().timeIntervalSince1970)) {
            case .success(let key):
                let echo: [String: String] = [
                    "key": key, "method": request.method, "path": request.path, "query": request.query ?? "",
                    "contentType": request.header("Content-Type") ?? "", "body": String(decoding: request.body, as: UTF8.self),
                ]
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")],
                                    body: Array((try? JSONEncoder().encode(echo)) ?? Data()))
            case .failure(let failure):
                let envelope = ["error": ["code": failure.code, "message": failure.message]]
                return HTTPResponse(status: 403, body: Array((try? JSONEncoder().encode(envelope)) ?? Data()))
            }
        }
    }

    @Test func signedGetWithQueryVerifies() async throws {
        let server = try Self.verifyingServer()
        defer { server.stop() }
        let client = try #require(ControllerClient(baseURL: "http://127.0.0.1:\(server.port)", credential: Self.credential))
        let echo = try await client.get("/nearcast/latency/explain", query: [("client", "2001:db8::1"), ("name", "*.example.com")])
            .decode([String: String].self)
        #expect(echo["key"] == Self.credential.accessKeyID)
        #expect(echo["path"] == "/nearcast/latency/explain")
        #expect(echo["query"] == "client=2001%3Adb8%3A%3A1&name=%2A.example.com")
    }

    @Test func signedPostWithBodyVerifies() async throws {
        let server = try Self.verifyingServer()
        defer { server.stop() }
        let client = try #require(ControllerClient(baseURL: "http://localhost:\(server.port)/", credential: Self.credential))
        let body = #"{"measurements": [{"time": 1, "client": "192.0.2.1", "region": "eu-west-1", "rtt_ms": 3.5}]}"#
        let echo = try await client.post("/nearcast/latency/measurements", query: [("source", "probe"), ("partial", "true")],
                                         body: Array(body.utf8), contentType: "application/json").decode([String: String].self)
        #expect(echo["method"] == "POST")
        #expect(echo["body"] == body)
        #expect(echo["contentType"] == "application/json")
    }

    @Test func wrongSecretIsRejectedWithTheNodesError() async throws {
        let server = try Self.verifyingServer()
        defer { server.stop() }
        let wrong = Credential(accessKeyID: Self.credential.accessKeyID, secretAccessKey: "other")
        let client = try #require(ControllerClient(baseURL: "http://127.0.0.1:\(server.port)", credential: wrong))
        let response = try await client.get("/nearcast/latency/probe-targets", query: [("region", "eu-west-1")])
        #expect(response.status == 403)
        #expect(response.apiError?.code == "SignatureDoesNotMatch")
        #expect(throws: ControllerError.self) { try response.decode([String: String].self) }
    }

    @Test func refusedConnectionIsUnreachable() async throws {
        let server = try Self.verifyingServer()
        let port = server.port
        server.stop()
        try await Task.sleep(for: .milliseconds(50))
        let client = try #require(ControllerClient(baseURL: "http://127.0.0.1:\(port)", credential: Self.credential))
        await #expect {
            _ = try await client.get("/nearcast/latency/probe-targets")
        } throws: { error in
            if case .unreachable = error as? ControllerError { true } else { false }
        }
    }

    @Test(arguments: ["", "127.0.0.1:8053", "ftp://127.0.0.1", "http://", "http://127.0.0.1:8053?x=1"])
    func badBaseURLIsRefused(_ text: String) {
        #expect(ControllerClient(baseURL: text, credential: Self.credential) == nil)
    }

    @Test func hostHeaderOmitsDefaultPortAndBracketsIPv6() throws {
        let hosts = try ["http://127.0.0.1:80", "https://node.example:443/", "http://[::1]:8053", "https://[2001:db8::1]"].map {
            try #require(ControllerClient(baseURL: $0, credential: Self.credential)).hostHeader
        }
        #expect(hosts == ["127.0.0.1", "node.example", "[::1]:8053", "[2001:db8::1]"])
    }
}
