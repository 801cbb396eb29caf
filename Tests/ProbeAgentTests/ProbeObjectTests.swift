import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
@testable import ProbeAgent
import Testing

/// The probe object served by MinimalHTTPServer, over real HTTP/1.1 with keep-alive.
@Suite struct ProbeObjectTests {
    @Test func servesTheObjectWithTimingHeaders() async throws {
        let server = try MinimalHTTPServer(address: .v4(0x7F00_0001), port: 0, logger: Logger(label: "test"),
                                           handler: ProbeObjectResponder.respond)
        defer { server.stop() }
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/nearcast/probe-object?cb=123"))
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200)
        #expect(!data.isEmpty && data.count < 64)
        #expect(http.value(forHTTPHeaderField: "Cache-Control") == "no-store")
        #expect(http.value(forHTTPHeaderField: "Access-Control-Allow-Origin") == "*")
        #expect(http.value(forHTTPHeaderField: "Timing-Allow-Origin") == "*")
    }

    /// Two requests on one connection (keep-alive), then a 404, over a raw socket.
    @Test func keepAliveAndNotFound() throws {
        let server = try MinimalHTTPServer(address: .v4(0x7F00_0001), port: 0, logger: Logger(label: "test"),
                                           handler: ProbeObjectResponder.respond)
        defer { server.stop() }
        let socket = try #require(Socket(family: AF_INET, type: Int32(SOCK_STREAM.rawValue), protocol: 0))
        #expect(socket.connect(to: .v4(0x7F00_0001), port: server.port) == 0)
        let requests = "GET /nearcast/probe-object HTTP/1.1\r\nHost: x\r\n\r\n"
            + "HEAD /nearcast/probe-object HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        #expect(send(socket.descriptor, requests, requests.utf8.count, 0) == requests.utf8.count)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while socket.wait(for: Int16(POLLIN), timeout: .seconds(2)) {
            let count = recv(socket.descriptor, &chunk, chunk.count, 0)
            if count <= 0 { break }
            received += chunk[..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        let statuses = text.components(separatedBy: CharacterSet.newlines).filter { $0.hasPrefix("HTTP/1.1 ") }
        #expect(statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"])
        #expect(text.components(separatedBy: "Connection: keep-alive").count == 3)
        #expect(text.hasSuffix("not found\n"))
    }

    @Test func malformedRequestGets400AndClose() throws {
        let server = try MinimalHTTPServer(address: .v4(0x7F00_0001), port: 0, logger: Logger(label: "test"),
                                           handler: ProbeObjectResponder.respond)
        defer { server.stop() }
        let socket = try #require(Socket(family: AF_INET, type: Int32(SOCK_STREAM.rawValue), protocol: 0))
        #expect(socket.connect(to: .v4(0x7F00_0001), port: server.port) == 0)
        let garbage = "\u{1}\u{2} nonsense\r\n\r\n"
        _ = send(socket.descriptor, garbage, garbage.utf8.count, 0)
        var chunk = [UInt8](repeating: 0, count: 4096)
        #expect(socket.wait(for: Int16(POLLIN), timeout: .seconds(2)))
        let count = recv(socket.descriptor, &chunk, chunk.count, 0)
        #expect(String(decoding: chunk[..<max(0, count)], as: UTF8.self).hasPrefix("HTTP/1.1 400 Bad Request"))
    }

    @Test func corsPreflightAndOtherMethods() {
        let preflight = ProbeObjectResponder.respond(HTTPRequest(method: "OPTIONS", path: ProbeObjectResponder.path))
        #expect(preflight.status == 204)
        #expect(ProbeObjectResponder.respond(HTTPRequest(method: "POST", path: ProbeObjectResponder.path)).status == 405)
    }
}
