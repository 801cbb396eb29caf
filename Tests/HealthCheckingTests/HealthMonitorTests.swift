import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Route53Model
import XCTest

@testable import HealthChecking

/// Runs a monitor against real servers on loopback. Intervals are scaled by 0.02: 10 s is 0.2 s, 30 s is
/// 0.6 s; Route 53's timeouts are not scaled.
final class HealthMonitorTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var monitor: HealthMonitor!
    /// Every map `onChange` was called with.
    private let maps = NIOLockedValueBox<[[String: Bool]]>([])

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        monitor = makeMonitor()
        monitor.apply([])  // later applies start their checks at once
        waitUntil { maps.withLockedValue { $0.count } == 1 }
    }

    override func tearDown() {
        monitor.shutdown()
        try? group.syncShutdownGracefully()
    }

    private func makeMonitor() -> HealthMonitor {
        HealthMonitor(
            observer: "test-node", observerAddress: "127.0.0.1", group: group, settings: HealthCheckSettings(timeScale: 0.02),
            logger: Logger(label: "health-test"), onChange: { [maps] map in maps.withLockedValue { $0.append(map) } })
    }

    private func httpServer(tls: Bool = false, configure: (inout TLSConfiguration) -> Void = { _ in }) throws -> TestHTTPServer {
        let server = try TestHTTPServer(group: group, tls: tls, configure: configure)
        addTeardownBlock { try? server.stop() }
        return server
    }

    private func rawServer(onAccept: @escaping @Sendable (any Channel) -> Void = { _ in }) throws -> RawServer {
        let server = try RawServer(group: group, onAccept: onAccept)
        addTeardownBlock { try? server.stop() }
        return server
    }

    private func report(_ id: String) -> String? { monitor.observation(of: id)?.report }

    /// Waits until every check in `ids` has a result.
    private func waitForResults(_ ids: [String], timeout: Double = 5, line: UInt = #line) {
        waitUntil(timeout, line: line) { ids.allSatisfy { monitor.observation(of: $0) != nil } }
    }

    // MARK: - Results and FailureThreshold

    func testStatusFlipsAfterExactlyFailureThresholdResultsEachWay() throws {
        let server = try httpServer()
        // Request n starts only after result n - 1 is counted: the status seen when it arrives is the status
        // after n - 1 results.
        let statusBefore = NIOLockedValueBox<[Bool?]>([])
        server.reply { [monitor] _, n in
            statusBefore.withLockedValue { $0.append(monitor!.statuses["a"]) }
            // 1 ok, 2–3 fail (too few), 4 ok (resets), 5–7 fail: unhealthy after 7; 8–10 ok: healthy after 10.
            return [2, 3, 5, 6, 7].contains(n) ? .status(503) : .status(200)
        }
        monitor.apply([check("a", .http, port: server.port, threshold: 3)])

        waitUntil { statusBefore.withLockedValue { $0.count } == 12 }
        XCTAssertEqual(statusBefore.withLockedValue { Array($0.prefix(12)) },
                       [true, true, true, true, true, true, true, false, false, false, true, true])
        XCTAssertEqual(report("a"), "Success: HTTP Status Code 200, OK")
        XCTAssertEqual(monitor.observation(of: "a")?.observer, "test-node")
        XCTAssertEqual(maps.withLockedValue { $0.map { $0["a"] } }, [nil, true, false, true])
    }

    func testReportsOfFailedRequests() throws {
        let server = try httpServer()
        server.reply(.status(503))
        monitor.apply([check("a", .http, port: server.port, threshold: 3)])
        waitForResults(["a"])
        XCTAssertEqual(report("a"), "Failure: HTTP Status Code 503, Service Unavailable")
        XCTAssertEqual(monitor.observation(of: "a")?.healthy, true, "one failure of three")
    }

    func testTwoHundredsAndThreeHundredsAreHealthyFourHundredsAndFiveHundredsAreNot() throws {
        let server = try httpServer()
        server.reply { request, _ in .status(Int(request.path.dropFirst())!) }
        let codes = [200, 204, 301, 302, 399, 400, 404, 500, 503]
        monitor.apply(codes.map { check("\($0)", .http, port: server.port, path: "/\($0)") })
        waitForResults(codes.map { "\($0)" })
        for code in codes {
            XCTAssertEqual(monitor.observation(of: "\(code)")?.healthy, code < 400, "\(code)")
        }
        XCTAssertEqual(report("301"), "Success: HTTP Status Code 301, Moved Permanently")
        XCTAssertEqual(report("404"), "Failure: HTTP Status Code 404, Not Found")
    }

    func testStringMatchSearchesTheFirst5120BytesCaseSensitively() throws {
        let server = try httpServer()
        let x = { (count: Int) in String(repeating: "x", count: count) }
        let bodies = [
            "/start": "needle and more", "/absent": "nothing here", "/end": x(5120 - 6) + "needle",
            "/straddling": x(5117) + "needle", "/after": x(5200) + "needle", "/case": "Needle",
        ]
        server.reply { request, _ in
            switch request.path {
            case "/endless": .endless
            case "/error": .status(503, body: "needle")
            default: .status(200, body: bodies[request.path]!)
            }
        }
        let paths = Array(bodies.keys) + ["/endless", "/error"]
        monitor.apply(paths.map { check($0, .httpStrMatch, port: server.port, path: $0, search: "needle") })
        waitForResults(paths)

        let healthy = paths.filter { monitor.observation(of: $0)?.healthy == true }
        XCTAssertEqual(Set(healthy), ["/start", "/end"])
        let missing = "Failure: HTTP Status Code 200, OK. The response body didn't contain the search string in its first 5120 bytes."
        for path in ["/absent", "/straddling", "/after", "/case", "/endless"] { XCTAssertEqual(report(path), missing, path) }
        XCTAssertEqual(report("/error"), "Failure: HTTP Status Code 503, Service Unavailable")
    }

    // MARK: - The request

    func testRequestCarriesRoute53sHostHeaderUserAgentAndPath() throws {
        let server = try httpServer()
        let port = server.port
        monitor.apply([
            check("named", .http, port: port, fqdn: "app.example.com", path: "/health?full=1"),
            check("unnamed", .http, port: port),
        ])
        waitForResults(["named", "unnamed"])
        let requests = server.requests
        let named = try XCTUnwrap(requests.first { $0.path == "/health?full=1" })
        XCTAssertEqual(named.host, "app.example.com:\(port)")
        XCTAssertEqual(named.userAgent, "Amazon-Route53-Health-Check-Service (ref named; report http://amzn.to/1vsZADi)")
        let unnamed = try XCTUnwrap(requests.first { $0.path == "/" })
        XCTAssertEqual(unnamed.host, "127.0.0.1:\(port)")
    }

    /// The default ports cannot be bound by the tests: the rule is checked on the request the probe builds.
    func testHostHeaderOmitsTheTypesDefaultPort() throws {
        let tls = try NIOSSLContext(configuration: .makeClientConfiguration())
        func host(_ type: HealthCheckType, _ port: Int, fqdn: String? = "app.example.com", ip: String? = "192.0.2.1") -> String {
            Probe(check: check("h", type, port: port, ip: ip, fqdn: fqdn), tls: tls, source: nil).requestHead.headers.first(name: "Host")!
        }
        XCTAssertEqual(host(.http, 80), "app.example.com")
        XCTAssertEqual(host(.httpStrMatch, 80), "app.example.com")
        XCTAssertEqual(host(.https, 443), "app.example.com")
        XCTAssertEqual(host(.httpsStrMatch, 443), "app.example.com")
        XCTAssertEqual(host(.https, 80), "app.example.com:80")
        XCTAssertEqual(host(.http, 443), "app.example.com:443")
        XCTAssertEqual(host(.http, 80, fqdn: nil), "192.0.2.1")
        XCTAssertEqual(host(.https, 8443, fqdn: nil, ip: "2001:db8::1"), "[2001:db8::1]:8443")
    }

    func testHTTPSIgnoresTheCertificateAndSendsSNIOnlyWhenEnabled() throws {
        let withSNI = try httpServer(tls: true)
        let withoutSNI = try httpServer(tls: true)
        withSNI.reply(.status(200, body: "all good"))
        monitor.apply([
            check("sni", .https, port: withSNI.port, fqdn: "localhost", sni: true),
            check("match", .httpsStrMatch, port: withSNI.port, fqdn: "localhost", search: "good", sni: true),
            check("plain", .https, port: withoutSNI.port, fqdn: "localhost", sni: false),
        ])
        waitForResults(["sni", "match", "plain"])
        XCTAssertEqual(report("sni"), "Success: HTTP Status Code 200, OK")
        XCTAssertEqual(report("match"), "Success: HTTP Status Code 200, OK")
        XCTAssertEqual(report("plain"), "Success: HTTP Status Code 200, OK")
        XCTAssertEqual(Set(withSNI.serverNames), ["localhost"])
        XCTAssertEqual(Set(withoutSNI.serverNames), [nil])
    }

    func testHandshakeRefusedByTheEndpoint() throws {
        // Only an ECDSA suite, with an RSA certificate: the server has no suite to offer and refuses.
        let refusing = try httpServer(tls: true) { configuration in
            configuration.maximumTLSVersion = .tlsv12
            configuration.cipherSuites = "ECDHE-ECDSA-AES128-GCM-SHA256"
        }
        monitor.apply([check("refused", .https, port: refusing.port)])
        waitForResults(["refused"])
        XCTAssertEqual(report("refused"), "Failure: SSL alert handshake_failure")
    }

    func testDomainNameIsResolvedToIPv4ForEveryRequest() throws {
        let server = try httpServer()
        monitor.apply([
            check("resolved", .http, port: server.port, ip: nil, fqdn: "localhost"),
            check("unknown", .http, port: server.port, ip: nil, fqdn: "no-such-host.invalid"),
        ])
        waitForResults(["resolved", "unknown"])
        XCTAssertEqual(report("resolved"), "Success: Resolved IP: 127.0.0.1. HTTP Status Code 200, OK")
        XCTAssertEqual(server.requests.first?.host, "localhost:\(server.port)")
        XCTAssertEqual(report("unknown"), "Failure: DNS resolution failed.")
    }

    // MARK: - Failures

    func testTCPConnectsAndRefusedConnectionsFail() throws {
        let listener = try rawServer()
        let closed = try closedPort(group: group)
        monitor.apply([
            check("tcp", .tcp, port: listener.port),
            check("tcp-closed", .tcp, port: closed),
            check("http-closed", .http, port: closed),
        ])
        waitForResults(["tcp", "tcp-closed", "http-closed"])
        XCTAssertEqual(report("tcp"), "Success: TCP connection established.")
        XCTAssertGreaterThanOrEqual(listener.acceptedCount, 1)
        XCTAssertEqual(report("tcp-closed"), "Failure: The endpoint refused the connection.")
        XCTAssertEqual(report("http-closed"), "Failure: The endpoint refused the connection.")
    }

    func testMisbehavingEndpointsFailWithinTheirDeadlines() throws {
        let http = try httpServer()
        http.reply { request, _ in request.path == "/silent" ? .silent : .trickle }
        let garbage = try rawServer { channel in channel.writeAndFlush(ByteBuffer(string: "garbage\r\n"), promise: nil) }
        let notHTTP = try rawServer { channel in channel.writeAndFlush(ByteBuffer(string: "hello there\r\n\r\n"), promise: nil) }
        let hangUp = try rawServer { channel in channel.close(promise: nil) }
        let start = Date()
        monitor.apply([
            check("silent", .http, port: http.port, path: "/silent"),
            check("trickle", .httpStrMatch, port: http.port, path: "/trickle", search: "needle"),
            check("tls-garbage", .https, port: garbage.port),
            check("not-http", .http, port: notHTTP.port),
            check("hang-up", .http, port: hangUp.port),
        ])
        waitForResults(["silent"], timeout: 4)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssert((2..<3.5).contains(elapsed), "\(elapsed)")
        XCTAssertEqual(report("silent"), "Failure: The endpoint did not send an HTTP status code within the timeout limit.")
        waitForResults(["trickle", "tls-garbage", "not-http", "hang-up"], timeout: 5)
        XCTAssertEqual(report("trickle"), "Failure: The endpoint did not send the response body within the timeout limit.")
        XCTAssertEqual(report("tls-garbage"), "Failure: TLS negotiation failed: WRONG_VERSION_NUMBER.")
        XCTAssertEqual(report("not-http"), "Failure: The endpoint did not send a valid HTTP response.")
        XCTAssertEqual(report("hang-up"), "Failure: The connection was closed by the endpoint.")
    }

    func testConnectionTimeLimit() throws {
        // A listener that never accepts, its backlog full: further connection attempts go unanswered.
        let full = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1)
            .serverChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0).wait()
        addTeardownBlock { try? full.close().wait() }
        let port = full.localAddress!.port!
        let fillers = (0..<4).compactMap { _ in
            try? ClientBootstrap(group: group).connectTimeout(.milliseconds(200)).connect(host: "127.0.0.1", port: port).wait()
        }
        addTeardownBlock { for filler in fillers { try? filler.close().wait() } }
        let start = Date()
        monitor.apply([check("http", .http, port: port), check("tcp", .tcp, port: port)])
        let timeout = "Failure: The health checker could not establish a connection within the timeout limit."
        waitForResults(["http"], timeout: 6)
        XCTAssertEqual(report("http"), timeout)
        XCTAssert((4..<5).contains(Date().timeIntervalSince(start)), "HTTP: 4 s, not \(Date().timeIntervalSince(start))")
        XCTAssertNil(monitor.observation(of: "tcp"))
        waitForResults(["tcp"], timeout: 8)
        XCTAssertEqual(report("tcp"), timeout)
        XCTAssert((10..<11).contains(Date().timeIntervalSince(start)), "TCP: 10 s, not \(Date().timeIntervalSince(start))")
    }

    // MARK: - CALCULATED, Inverted, Disabled

    func testCalculatedCountsHealthyChildrenAndFollowsThem() throws {
        let server = try httpServer()
        let children = ["up", "down", "missing"]
        monitor.apply([
            check("up", .http, port: server.port, disabled: true),
            check("down", .http, port: server.port, inverted: true, disabled: true),
            check("live", .http, port: server.port),
            calculated("t0", children, threshold: 0), calculated("t1", children, threshold: 1),
            calculated("t2", children, threshold: 2), calculated("t4", children, threshold: 4),
            calculated("inverted", ["up"], threshold: 1, inverted: true),
            calculated("disabled", ["down"], threshold: 1, disabled: true),
            calculated("nested", ["t1"], threshold: 1), calculated("follows", ["up", "live"], threshold: 2),
        ])
        waitForResults(["live"])
        let statuses = monitor.statuses
        XCTAssertEqual(statuses["t0"], true)
        XCTAssertEqual(statuses["t1"], true)
        XCTAssertEqual(statuses["t2"], false)
        XCTAssertEqual(statuses["t4"], false)
        XCTAssertEqual(statuses["inverted"], false)
        XCTAssertEqual(statuses["disabled"], true)
        XCTAssertEqual(statuses["nested"], true)
        XCTAssertEqual(statuses["follows"], true)
        XCTAssertNil(monitor.observation(of: "t1"))

        server.reply(.status(500))
        waitUntil { monitor.statuses["follows"] == false }
        waitUntil { maps.withLockedValue { $0.last?["follows"] } == false }
    }

    func testInvertedFlipsAndDisabledIsHealthyWithoutRequests() throws {
        let healthy = try httpServer()
        let failing = try httpServer()
        let idle = try httpServer()
        failing.reply(.status(500))
        monitor.apply([
            check("inverted", .http, port: healthy.port, inverted: true),
            check("inverted-failing", .http, port: failing.port, inverted: true),
            check("disabled", .http, port: idle.port, disabled: true),
            check("disabled-inverted", .http, port: idle.port, inverted: true, disabled: true),
        ])
        XCTAssertEqual(monitor.statuses["inverted"], false)  // a new check starts healthy: inverted, unhealthy
        waitUntil { monitor.statuses["inverted-failing"] == true }
        waitForResults(["inverted"])
        XCTAssertEqual(monitor.statuses["inverted"], false)
        XCTAssertEqual(monitor.statuses["disabled"], true)
        XCTAssertEqual(monitor.statuses["disabled-inverted"], false)
        Thread.sleep(forTimeInterval: 0.5)  // more than two intervals
        XCTAssertEqual(idle.requestCount, 0)
    }

    // MARK: - Running checks

    func testApplyStartsNewChecksAtOnceRestartsChangedOnesAndStopsRemovedOnes() throws {
        let server = try httpServer()
        server.reply(.status(503))
        let start = Date()
        monitor.apply([check("a", .http, port: server.port, interval: 30)])
        waitForResults(["a"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.4, "a new check is checked at once, not after 0.6 s")
        XCTAssertEqual(monitor.statuses["a"], false)

        server.reply(.status(200))
        monitor.apply([check("a", .http, port: server.port, path: "/v2", threshold: 3, interval: 30, version: 2)])
        XCTAssertEqual(monitor.statuses["a"], false, "a restarted check keeps its status")
        XCTAssertEqual(monitor.observation(of: "a")?.healthy, false)
        waitUntil(0.4) { server.requests.last?.path == "/v2" }
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(monitor.statuses["a"], false, "one success of three")

        monitor.apply([])
        XCTAssertNil(monitor.statuses["a"])
        XCTAssertNil(monitor.observation(of: "a"))
        let requests = server.requestCount
        Thread.sleep(forTimeInterval: 1.3)  // two intervals
        XCTAssertEqual(server.requestCount, requests)
    }

    func testChecksOfTheFirstApplyAreSpreadOverTheirInterval() throws {
        let server = try httpServer()
        let fresh = makeMonitor()
        defer { fresh.shutdown() }
        fresh.apply((0..<40).map { check("c\($0)", .http, port: server.port, interval: 30) })
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertLessThan(server.requestCount, 30, "40 checks spread over 0.6 s: about 7 in the first 0.1 s")
        waitUntil { Set(server.requests.map(\.userAgent)).count == 40 }
    }

    func testStoppedChecksCloseTheirConnections() throws {
        let server = try httpServer()
        server.reply(.silent)
        let before = try openFileDescriptors()
        let checks = (0..<20).map { check("s\($0)", .http, port: server.port) }

        monitor.apply(checks)
        waitUntil(1) { server.openConnections == 20 }
        XCTAssertGreaterThanOrEqual(try openFileDescriptors(), before + 40, "both ends of 20 connections")
        monitor.apply([])
        waitUntil(1) { server.openConnections == 0 }
        waitUntil(1) { (try? openFileDescriptors()) ?? .max <= before }

        monitor.apply(checks)
        waitUntil(1) { server.openConnections == 20 }
        monitor.shutdown()
        waitUntil(1) { server.openConnections == 0 }
        waitUntil(1) { (try? openFileDescriptors()) ?? .max <= before }
    }

    func testOnChangeGetsEveryChangeAndNothingAfterShutdown() throws {
        let server = try httpServer()
        server.reply { _, n in n.isMultiple(of: 2) ? .status(500) : .status(200) }
        monitor.apply([check("flapping", .http, port: server.port), calculated("calc", ["flapping"], threshold: 1)])
        waitUntil { maps.withLockedValue { $0.count } >= 5 }
        let seen = maps.withLockedValue { $0 }
        XCTAssertEqual(seen[0], [:], "the first apply")
        XCTAssertEqual(seen[1], ["flapping": true, "calc": true])
        XCTAssertEqual(seen[2], ["flapping": false, "calc": false])
        XCTAssertEqual(seen[3], ["flapping": true, "calc": true])
        monitor.shutdown()
        let calls = maps.withLockedValue { $0.count }
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(maps.withLockedValue { $0.count }, calls)
    }

    // MARK: - Deciding

    func testEndpointStatusIsDecidedFromEveryObserver() {
        func observations(healthy: Int, of count: Int) -> [HealthObservation] {
            (0..<count).map { HealthObservation(
                checkID: "e", observer: "n\($0)", observerAddress: "", healthy: $0 < healthy, report: "", checkedAt: 0) }
        }
        func decided(healthy: Int, of count: Int, inverted: Bool = false) -> Bool? {
            decideStatuses(["e": HealthCheckConfig(type: .http, ipAddress: "192.0.2.1", port: 80, inverted: inverted)]) { _ in
                observations(healthy: healthy, of: count)
            }["e"]
        }
        XCTAssertEqual(decided(healthy: 0, of: 0), true, "no observation yet")
        XCTAssertEqual(decided(healthy: 1, of: 5), true, "20% > 18%")
        XCTAssertEqual(decided(healthy: 1, of: 6), false, "17% <= 18%")
        XCTAssertEqual(decided(healthy: 1, of: 6, inverted: true), true)
    }

    func testCalculatedCycleCountsAsUnhealthy() {
        let statuses = decideStatuses([
            "a": HealthCheckConfig(type: .calculated, healthThreshold: 1, childHealthChecks: ["b"]),
            "b": HealthCheckConfig(type: .calculated, healthThreshold: 1, childHealthChecks: ["a"]),
        ]) { _ in [] }
        XCTAssertEqual(statuses, ["a": false, "b": false])
    }
}

// MARK: - Helpers

private func check(
    _ id: String, _ type: HealthCheckType, port: Int, ip: String? = "127.0.0.1", fqdn: String? = nil,
    path: String? = nil, search: String? = nil, threshold: Int = 1, interval: Int = 10, inverted: Bool = false,
    disabled: Bool = false, sni: Bool? = nil, version: Int64 = 1
) -> HealthCheck {
    HealthCheck(id: id, callerReference: id, config: HealthCheckConfig(
        type: type, ipAddress: ip, port: port, resourcePath: path, fullyQualifiedDomainName: fqdn, searchString: search,
        requestInterval: interval, failureThreshold: threshold, inverted: inverted, disabled: disabled, enableSNI: sni),
        version: version)
}

private func calculated(
    _ id: String, _ children: [String], threshold: Int, inverted: Bool = false, disabled: Bool = false
) -> HealthCheck {
    HealthCheck(id: id, callerReference: id, config: HealthCheckConfig(
        type: .calculated, inverted: inverted, disabled: disabled, healthThreshold: threshold, childHealthChecks: children))
}

/// Polls `condition` every 5 ms; fails the test if it is still false after `timeout` seconds.
private func waitUntil(_ timeout: Double = 5, line: UInt = #line, _ condition: () -> Bool) {
    let end = Date().addingTimeInterval(timeout)
    while !condition() {
        guard Date() < end else { return XCTFail("condition still false after \(timeout) s", line: line) }
        usleep(5_000)
    }
}

private func openFileDescriptors() throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
}
