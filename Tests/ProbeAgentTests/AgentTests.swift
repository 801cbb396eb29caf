import Foundation
import Logging
@testable import ProbeAgent
import SigV4
import Testing

/// A controller on 127.0.0.1 that serves probe targets and records measurement posts, checking
/// every request's SigV4 signature.
final class FakeController: Sendable {
    let server: MinimalHTTPServer
    private let posts = LockedList()
    static let credential = Credential(accessKeyID: "AKIDAGENT", secretAccessKey: "agent-secret")

    init(targetsJSON: String) throws {
        let verifier = SigV4Verifier { $0 == Self.credential.accessKeyID ? Self.credential : nil }
        let posts = posts
        server = try MinimalHTTPServer(address: .v4(0x7F00_0001), port: 0, logger: Logger(label: "fake")) { request in
            let signed = SignedRequest(method: request.method, path: request.path, query: request.query,
                                       headers: request.headers, body: request.body)
            guard case .success = verifier.verify(signed, now: Int64(Date().timeIntervalSince1970)) else {
                return HTTPResponse(status: 403, body: Array(#"{"error": {"code": "SignatureDoesNotMatch", "message": "no"}}"#.utf8))
            }
            switch (request.method, request.path, request.query) {
            case ("GET", "/nearcast/latency/probe-targets", "region=eu-west-1"):
                return HTTPResponse(status: 200, body: Array(targetsJSON.utf8))
            case ("POST", "/nearcast/latency/measurements", "source=probe&partial=true"):
                posts.append(request.body)
                return HTTPResponse(status: 200, body: Array(#"{"accepted": 1, "rejected": 0, "kept": 1, "partial": true, "errors": []}"#.utf8))
            default:
                return HTTPResponse(status: 400, body: Array(#"{"error": {"code": "InvalidInput", "message": "unexpected"}}"#.utf8))
            }
        }
    }

    var url: String { "http://127.0.0.1:\(server.port)" }

    /// Every posted measurement row.
    var rows: [[String: Any]] {
        posts.items.flatMap { body -> [[String: Any]] in
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            return object?["measurements"] as? [[String: Any]] ?? []
        }
    }
}

final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [[UInt8]] = []
    var items: [[UInt8]] { lock.withLock { list } }
    func append(_ item: [UInt8]) { lock.withLock { list.append(item) } }
}

@Suite struct AgentTests {
    static func settings() -> ProbeAgentSettings {
        var settings = ProbeAgentSettings(region: "eu-west-1")
        settings.once = true
        settings.methods = [.tcp, .dns]
        settings.retryDelay = .milliseconds(20)
        settings.onceAttempts = 3
        return settings
    }

    @Test func onceMeasuresEveryTargetAndPostsSignedJSON() async throws {
        let listener = try TCPListener()
        let responder = try DNSResponder(address: .v4(0x7F00_0002), delay: .milliseconds(5))
        defer { responder.stop() }
        let controller = try FakeController(targetsJSON: """
            {"interval_s": 300, "targets": [
              {"address": "127.0.0.1", "kind": "configured", "port": \(listener.port)},
              {"address": "127.0.0.2", "kind": "resolver", "port": \(responder.port)},
              {"address": "127.0.0.3", "kind": "configured", "port": \(try closedPort())}]}
            """)
        defer { controller.server.stop() }
        let client = try #require(ControllerClient(baseURL: controller.url, credential: FakeController.credential))
        let agent = ProbeAgent(settings: Self.settings(), client: client, logger: Logger(label: "agent"))
        try await agent.run()

        let rows = controller.rows.sorted { ($0["client"] as? String ?? "") < ($1["client"] as? String ?? "") }
        // 127.0.0.1 by TCP, 127.0.0.2 by DNS (its TCP is refused), 127.0.0.3 not at all.
        #expect(rows.map { $0["client"] as? String } == ["127.0.0.1", "127.0.0.2"])
        for row in rows {
            #expect(row["region"] as? String == "eu-west-1")
            #expect(row["source"] as? String == "probe")
            let rtt = try #require(row["rtt_ms"] as? Double)
            #expect(rtt > 0 && rtt < 2000)
            let time = try #require(row["time"] as? Double)
            #expect(abs(time - Date().timeIntervalSince1970) < 30)
        }
    }

    @Test func onceGivesUpOnADeadControllerWithTheError() async throws {
        let controller = try FakeController(targetsJSON: "{}")
        let url = controller.url
        controller.server.stop()
        try await Task.sleep(for: .milliseconds(50))
        let client = try #require(ControllerClient(baseURL: url, credential: FakeController.credential))
        let agent = ProbeAgent(settings: Self.settings(), client: client, logger: Logger(label: "agent"))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            try await agent.run()
        } throws: { error in
            if case .unreachable = error as? ControllerError { true } else { false }
        }
        // Three attempts, waiting 20 ms then 40 ms between them.
        #expect(clock.now - start >= .milliseconds(60))
    }

    @Test func wrongKeyIsReportedAsRejected() async throws {
        let controller = try FakeController(targetsJSON: #"{"targets": []}"#)
        defer { controller.server.stop() }
        let client = try #require(ControllerClient(baseURL: controller.url,
                                                   credential: Credential(accessKeyID: "AKIDAGENT", secretAccessKey: "wrong")))
        let agent = ProbeAgent(settings: Self.settings(), client: client, logger: Logger(label: "agent"))
        await #expect(throws: ControllerError.rejected(status: 403, code: "SignatureDoesNotMatch", message: "no")) {
            try await agent.run()
        }
    }
}
