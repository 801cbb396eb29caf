@testable import ProbeAgent
import Testing

@Suite struct PacingTests {
    @Test func bucketGrantsAtMostRateAfterTheFirstToken() {
        let start = ContinuousClock().now
        var bucket = TokenBucket(rate: 10, now: start)
        // Five tokens asked for at once: the first is free, then one every 100 ms.
        let waits = (0..<5).map { _ in bucket.reserve(now: start) }
        #expect(waits == [.zero, .milliseconds(100), .milliseconds(200), .milliseconds(300), .milliseconds(400)])
    }

    @Test func bucketRefillsButNeverBeyondCapacity() {
        let start = ContinuousClock().now
        var bucket = TokenBucket(rate: 10, capacity: 2, now: start)
        #expect(bucket.reserve(now: start) == .zero)
        #expect(bucket.reserve(now: start) == .zero)
        #expect(bucket.reserve(now: start) == .milliseconds(100))
        // An hour idle saves up two tokens, not 36,000.
        let later = start + .seconds(3600)
        #expect(bucket.reserve(now: later) == .zero)
        #expect(bucket.reserve(now: later) == .zero)
        #expect(bucket.reserve(now: later) == .milliseconds(100))
    }

    @Test func pacerSpacesProbesInRealTime() async {
        let pacer = ProbePacer(rate: 50)
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<11 { group.addTask { await pacer.acquire() } }
        }
        // Eleven probes at 50/s: the first at once, the last no earlier than 200 ms in.
        #expect(clock.now - start >= .milliseconds(195))
    }

    @Test func roundSpreadsTargetsEvenly() {
        #expect(RoundSchedule.offsets(count: 4, spread: .seconds(300)) == [.zero, .seconds(75), .seconds(150), .seconds(225)])
        #expect(RoundSchedule.offsets(count: 3, spread: .zero) == [.zero, .zero, .zero])
        #expect(RoundSchedule.offsets(count: 0, spread: .seconds(300)).isEmpty)
    }

    @Test func planPerKind() {
        let address = IPAddressFixture.documentation
        #expect(ProbeStep.plan(for: ProbeTarget(address: address, kind: .client), methods: ProbeMethod.allCases)
            == [.tcp(ports: [443, 80]), .icmp])
        #expect(ProbeStep.plan(for: ProbeTarget(address: address, kind: .resolver), methods: ProbeMethod.allCases)
            == [.tcp(ports: [53]), .dns(port: 53), .icmp])
        #expect(ProbeStep.plan(for: ProbeTarget(address: address, kind: .configured, port: 8443), methods: [.tcp, .dns])
            == [.tcp(ports: [8443])])
        #expect(ProbeStep.plan(for: ProbeTarget(address: address, kind: .resolver, port: 5353), methods: [.dns]) == [.dns(port: 5353)])
    }

    @Test func methodLists() {
        #expect(ProbeMethod.parseList("icmp,tcp") == .success([.tcp, .icmp]))
        #expect(ProbeMethod.parseList(" DNS ") == .success([.dns]))
        #expect(ProbeMethod.parseList("tcp,udp") == .failure(ProbeOptionError("unknown probe method 'udp' (use tcp, dns, icmp)")))
        #expect(ProbeMethod.parseList("tcp,tcp") == .failure(ProbeOptionError("probe method 'tcp' given twice")))
        #expect(ProbeMethod.parseList("") == .failure(ProbeOptionError("unknown probe method '' (use tcp, dns, icmp)")))
    }

    @Test func settingsProblems() {
        #expect(ProbeAgentSettings(region: "eu-west-1").problem == nil)
        #expect(ProbeAgentSettings(region: "EU West").problem?.contains("--region") == true)
        var settings = ProbeAgentSettings(region: "eu-west-1")
        settings.rate = 0
        #expect(settings.problem?.contains("--rate") == true)
        settings.rate = .nan
        #expect(settings.problem?.contains("--rate") == true)
    }
}
