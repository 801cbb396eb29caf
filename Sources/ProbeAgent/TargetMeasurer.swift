import Foundation
import LatencyModel

/// Measures one target by every planned step, each paced by the shared pacer, and keeps the minimum.
///
/// Invariant: the steps of one target run one after another, so at most one probe per target is in flight.
public struct TargetMeasurer: Sendable {
    public var methods: [ProbeMethod]
    public var timeout: Duration
    public var pacer: ProbePacer
    /// Whether ICMP echo sockets can be made, for IPv4 and IPv6 (decided once at start).
    public var icmpIPv4: Bool
    public var icmpIPv6: Bool

    public init(methods: [ProbeMethod], timeout: Duration, pacer: ProbePacer, icmpIPv4: Bool, icmpIPv6: Bool) {
        self.methods = methods
        self.timeout = timeout
        self.pacer = pacer
        self.icmpIPv4 = icmpIPv4
        self.icmpIPv6 = icmpIPv6
    }

    /// Every step's outcome, in plan order (TCP: the first port that answered, else the last failure).
    public func outcomes(for target: ProbeTarget) async -> [(method: ProbeMethod, outcome: ProbeOutcome)] {
        var results: [(method: ProbeMethod, outcome: ProbeOutcome)] = []
        for step in ProbeStep.plan(for: target, methods: methods) {
            switch step {
            case .tcp(let ports):
                var outcome = ProbeOutcome.failed("no port")
                for port in ports {
                    await pacer.acquire()
                    let timeout = timeout
                    outcome = await onOwnThread { TCPConnectProbe.measure(target.address, port: port, timeout: timeout) }
                    if outcome.roundTrip != nil { break }
                }
                results.append((.tcp, outcome))
            case .dns(let port):
                await pacer.acquire()
                let timeout = timeout
                results.append((.dns, await onOwnThread { DNSQueryProbe.measure(target.address, port: port, timeout: timeout) }))
            case .icmp:
                guard icmpAllowed(for: target.address) else { continue }
                await pacer.acquire()
                let (timeout, sequence) = (timeout, UInt16.random(in: 0...UInt16.max))
                results.append((.icmp, await onOwnThread {
                    ICMPEchoProbe.measure(target.address, sequence: sequence, timeout: timeout)
                }))
            }
        }
        return results
    }

    private func icmpAllowed(for address: IPAddress) -> Bool {
        if case .v4 = address { icmpIPv4 } else { icmpIPv6 }
    }

    /// The minimum round trip over the steps, or nil when none answered in time.
    public func measure(_ target: ProbeTarget) async -> ProbeMeasurement? {
        let best = await outcomes(for: target)
            .compactMap { result in result.outcome.roundTrip.map { (result.method, $0) } }
            .min { $0.1 < $1.1 }
        guard let (method, rtt) = best else { return nil }
        return ProbeMeasurement(target: target.address, rtt: rtt, method: method, time: Date().timeIntervalSince1970)
    }
}
