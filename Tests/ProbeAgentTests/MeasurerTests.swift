import DNSWire
import Foundation
import LatencyModel
@testable import ProbeAgent
import Testing

/// The measurers against real sockets on 127.0.0.1.
@Suite struct MeasurerTests {
    static let loopback = IPAddress.v4(0x7F00_0001)

    @Test func tcpConnectToListenerGivesAShortRoundTrip() throws {
        let listener = try TCPListener()
        let outcome = TCPConnectProbe.measure(Self.loopback, port: listener.port, timeout: .seconds(2))
        let rtt = try #require(outcome.roundTrip, "\(outcome)")
        #expect(rtt > .zero && rtt < .milliseconds(500))
    }

    @Test func tcpConnectToClosedPortFailsWithoutMeasurement() throws {
        let outcome = TCPConnectProbe.measure(Self.loopback, port: try closedPort(), timeout: .seconds(2))
        #expect(outcome == .failed("Connection refused"))
    }

    @Test func dnsQueryIsDotNSWithoutRecursion() throws {
        let message = try Message.parse(DNSQueryProbe.query(id: 0x1234))
        #expect(message.header.id == 0x1234)
        #expect(!message.header.recursionDesired && !message.header.isResponse)
        #expect(message.questions == [Question(name: .root, type: .ns)])
    }

    @Test func dnsQueryMeasuresTheResponderDelay() throws {
        let responder = try DNSResponder(delay: .milliseconds(30))
        defer { responder.stop() }
        let outcome = DNSQueryProbe.measure(Self.loopback, port: responder.port, timeout: .seconds(2))
        let rtt = try #require(outcome.roundTrip, "\(outcome)")
        #expect(rtt >= .milliseconds(30) && rtt < .milliseconds(1000))
    }

    @Test func dnsAnswerWithAnotherIDIsIgnored() throws {
        let responder = try DNSResponder(wrongID: true)
        defer { responder.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(DNSQueryProbe.measure(Self.loopback, port: responder.port, timeout: .milliseconds(300)) == .timeout)
        #expect(clock.now - start >= .milliseconds(290))
    }

    @Test func silentServerTimesOutWithoutMeasurement() throws {
        let responder = try DNSResponder(silent: true)
        defer { responder.stop() }
        #expect(DNSQueryProbe.measure(Self.loopback, port: responder.port, timeout: .milliseconds(200)) == .timeout)
    }

    @Test func dnsToClosedPortFails() throws {
        let outcome = DNSQueryProbe.measure(Self.loopback, port: try closedPort(), timeout: .seconds(1))
        #expect(outcome == .failed("Connection refused"))
    }

    /// Real ICMP echo to 127.0.0.1 when this host lets us make the socket; else the clean "not permitted" path.
    @Test func icmpEchoOrNotPermitted() throws {
        let outcome = ICMPEchoProbe.measure(Self.loopback, sequence: 7, timeout: .seconds(2))
        if let reason = ICMPEchoProbe.unavailableReason(for: Self.loopback) {
            #expect(outcome == .failed("ICMP echo socket not permitted: \(reason)"))
            #expect(["Permission denied", "Operation not permitted", "Protocol not supported"].contains(reason))
        } else {
            let rtt = try #require(outcome.roundTrip, "\(outcome)")
            #expect(rtt > .zero && rtt < .milliseconds(500))
        }
    }

    @Test func internetChecksum() {
        // An echo request, id 0, sequence 1, no payload: 0x0800 + 0x0001 = 0x0801, complemented.
        #expect(ICMPEchoProbe.internetChecksum([8, 0, 0, 0, 0, 0, 0, 1]) == 0xF7FE)
        #expect(ICMPEchoProbe.internetChecksum([0xFF]) == 0x00FF)
    }

    /// The minimum over methods wins: a resolver answering DNS after 40 ms, TCP reachable at once.
    @Test func bestMethodIsReported() async throws {
        let responder = try DNSResponder(delay: .milliseconds(40))
        defer { responder.stop() }
        let measurer = TargetMeasurer(methods: [.tcp, .dns], timeout: .seconds(2), pacer: ProbePacer(rate: 1000),
                                      icmpIPv4: false, icmpIPv6: false)
        // The resolver's port serves DNS (UDP) and, via a listener bound to the same number, TCP.
        let tcpOnly = try TCPListener()
        let outcomes = await measurer.outcomes(for: ProbeTarget(address: Self.loopback, kind: .resolver, port: responder.port))
        #expect(outcomes.map(\.method) == [.tcp, .dns])
        let dnsRTT = try #require(outcomes[1].outcome.roundTrip)
        #expect(dnsRTT >= .milliseconds(40))

        let best = try #require(await measurer.measure(ProbeTarget(address: Self.loopback, kind: .configured, port: tcpOnly.port)))
        #expect(best.method == .tcp && best.rtt < .milliseconds(40))
        #expect(abs(best.time - Date().timeIntervalSince1970) < 5)
    }

    @Test func nothingAnsweringGivesNoMeasurement() async throws {
        let measurer = TargetMeasurer(methods: [.tcp], timeout: .seconds(1), pacer: ProbePacer(rate: 1000),
                                      icmpIPv4: false, icmpIPv6: false)
        #expect(await measurer.measure(ProbeTarget(address: Self.loopback, kind: .configured, port: try closedPort())) == nil)
    }
}
