#if canImport(Glibc)
import Foundation
import Glibc
#endif
@testable import DatagramServer
import LatencyModel
import Synchronization
import Testing

private let loopback4 = IPAddress("127.0.0.1")!
private let loopback6 = IPAddress("::1")!

@Suite(.serialized) struct DatagramServerTests {
    @Test func answersManyClientsEachAtItsOwnAddress() throws {
        let server = try echoServer("127.0.0.1", threads: 2)
        defer { server.stop() }
        #expect(server.port != 0)
        let clients = try (0..<16).map { _ in try UDPClient(bindTo: loopback4) }
        for round in 0..<4 {
            for (index, client) in clients.enumerated() { client.send("q\(index)-\(round)", to: loopback4, port: server.port) }
            for (index, client) in clients.enumerated() {
                let reply = try #require(client.receiveText())
                // "<thread> <source> <request>": the reply came back to the client that asked.
                #expect(reply.hasSuffix(" 127.0.0.1 q\(index)-\(round)"), "\(reply)")
            }
        }
    }

    @Test func spreadsClientsOverThreads() throws {
        let server = try echoServer("127.0.0.1", threads: 2)
        defer { server.stop() }
        var threads = Set<Substring>()
        for _ in 0..<32 {
            let client = try UDPClient(bindTo: loopback4)
            client.send("which", to: loopback4, port: server.port)
            threads.insert(try #require(client.receiveText()?.split(separator: " ").first))
        }
        #expect(threads == ["0", "1"])
    }

    @Test func receivesAndSendsInBatches() throws {
        let observations = Observations()
        let server = try echoServer("127.0.0.1", observations: observations)
        defer { server.stop() }
        let client = try UDPClient(bindTo: loopback4)
        // The thread sleeps in "slow" while the other 99 queue up behind it.
        client.send("slow", to: loopback4, port: server.port)
        for index in 1..<100 { client.send("q\(index)", to: loopback4, port: server.port) }
        var replies: [String] = []
        while replies.count < 100, let reply = client.receiveText() { replies.append(reply) }
        #expect(replies.count == 100)
        #expect(replies.last == "0 127.0.0.1 q99")
        #expect(observations.largestBatch.load(ordering: .relaxed) == DatagramServer.batchSize)
        // Every datagram was in its batch's `prepare` before it was answered.
        #expect(observations.prepared.load(ordering: .relaxed) == 100)
        #expect(observations.unprepared.load(ordering: .relaxed) == 0)
    }

    @Test func noReplyWhenTheHandlerReturnsNil() throws {
        let server = try echoServer("127.0.0.1")
        defer { server.stop() }
        let client = try UDPClient(bindTo: loopback4)
        client.send("drop me", to: loopback4, port: server.port)
        client.send("keep me", to: loopback4, port: server.port)
        #expect(client.receiveText() == "0 127.0.0.1 keep me")
        #expect(client.receive(within: 0.5) == nil)
    }

    @Test func aReplyTheKernelRefusesDoesNotStopTheBatch() throws {
        let server = try echoServer("127.0.0.1")
        defer { server.stop() }
        let client = try UDPClient(bindTo: loopback4)
        // "huge" and "after" arrive in one batch; sendmmsg fails on "huge" (EMSGSIZE).
        for request in ["slow", "huge", "after"] { client.send(request, to: loopback4, port: server.port) }
        #expect(client.receiveText() == "0 127.0.0.1 slow")
        #expect(client.receiveText() == "0 127.0.0.1 after")
        client.send("still there", to: loopback4, port: server.port)
        #expect(client.receiveText() == "0 127.0.0.1 still there")
    }

    @Test func dropsDatagramsLargerThanTheLimit() throws {
        let server = try echoServer("127.0.0.1", maxRequestSize: 512)
        defer { server.stop() }
        let client = try UDPClient(bindTo: loopback4)
        client.send([UInt8](repeating: UInt8(ascii: "x"), count: 513), to: loopback4, port: server.port)
        client.send([UInt8](repeating: UInt8(ascii: "y"), count: 512), to: loopback4, port: server.port)
        let reply = try #require(client.receive())
        #expect(reply.count == "0 127.0.0.1 ".utf8.count + 512)
        #expect(reply.last == UInt8(ascii: "y"))
        #expect(client.receive(within: 0.5) == nil)
    }

    @Test func servesIPv6() throws {
        let server = try echoServer("::1", threads: 2)
        defer { server.stop() }
        let client = try UDPClient(bindTo: loopback6)
        client.send("v6", to: loopback6, port: server.port)
        #expect(client.receiveText()?.hasSuffix(" ::1 v6") == true)
    }

    @Test func unwrapsIPv4MappedSourcesOnADualStackSocket() throws {
        let server = try echoServer("::", ipv6Only: false)
        defer { server.stop() }
        let client = try UDPClient(bindTo: loopback4)
        client.send("mapped", to: loopback4, port: server.port)
        // The kernel reports ::ffff:127.0.0.1; the handler sees 127.0.0.1.
        #expect(client.receiveText() == "0 127.0.0.1 mapped")
    }

    @Test func anIPv6OnlySocketIgnoresIPv4() throws {
        let server = try echoServer("::", ipv6Only: true)
        defer { server.stop() }
        let client = try UDPClient(bindTo: loopback4)
        client.send("v4", to: loopback4, port: server.port)
        #expect(client.receive(within: 0.5) == nil)
    }

    /// Replies ignore path MTU information (and go without DF) for every
    /// family a socket sends: IPv4, IPv6, and IPv4 through a dual-stack socket.
    @Test(arguments: [("127.0.0.1", true, true, false), ("::1", true, false, true), ("::", false, true, true)])
    func pathMTUDiscoveryIsOff(_ address: String, _ ipv6Only: Bool, _ ipv4Sent: Bool, _ ipv6Sent: Bool) throws {
        let (descriptor, _) = try openDatagramSocket(address: IPAddress(address)!, port: 0, ipv6Only: ipv6Only)
        defer { close(descriptor) }
        func option(_ level: Int32, _ name: Int32) -> Int32 {
            var value: Int32 = -1
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(descriptor, level, name, &value, &length) == 0 ? value : -1
        }
        if ipv4Sent { #expect(option(Int32(IPPROTO_IP), IP_MTU_DISCOVER) == IP_PMTUDISC_OMIT) }
        if ipv6Sent { #expect(option(Int32(IPPROTO_IPV6), IPV6_MTU_DISCOVER) == IPV6_PMTUDISC_OMIT) }
    }

    @Test func convertsSocketAddresses() {
        for text in ["192.0.2.1", "2001:db8::1", "::fffe:0:1", "::1"] {
            let address = IPAddress(text)!
            var (storage, _) = socketAddress(address, port: 53)
            #expect(IPAddress(socketAddress: &storage) == address)
        }
        var (mapped, _) = socketAddress(IPAddress("::ffff:192.0.2.1")!, port: 53)
        #expect(IPAddress(socketAddress: &mapped) == IPAddress("192.0.2.1"))
        var unix = sockaddr_storage()
        unix.ss_family = sa_family_t(AF_UNIX)
        #expect(IPAddress(socketAddress: &unix) == nil)
    }

    @Test func samplesOneAnsweredQueryIn64() throws {
        let server = try echoServer("127.0.0.1")
        defer { server.stop() }
        let client = try UDPClient(bindTo: loopback4)
        let long = [UInt8](repeating: 7, count: 700)
        for index in 0..<128 {
            client.send(index == 63 ? long : Array("q\(index)".utf8), to: loopback4, port: server.port)
            #expect(client.receive() != nil)
        }
        client.send("drop", to: loopback4, port: server.port)  // unanswered: not counted
        let samples = server.recentDatagrams()
        #expect(samples.map(\.source) == [loopback4, loopback4])
        #expect(samples.map(\.packet) == [Array(long.prefix(DatagramServer.sampleBytes)), Array("q127".utf8)])
    }

    @Test func theSampleRingKeepsTheNewest() {
        let ring = SampleRing(slots: 4, bytesPerSlot: 2)
        for value in UInt8(0)..<6 {
            [value, value, value].withUnsafeBytes { ring.record(source: .v4(UInt32(value)), packet: $0) }
        }
        #expect(ring.samples().map(\.source) == (2..<6).map { IPAddress.v4($0) })
        #expect(ring.samples().map(\.packet) == (UInt8(2)..<6).map { [$0, $0] })
    }

    @Test func idleThreadsSleepUntilWoken() throws {
        let observations = Observations()
        let server = try echoServer("127.0.0.1", threads: 2, observations: observations)
        defer { server.stop() }
        usleep(350_000)
        // No timer wakes an idle thread (it used to, every 100 ms).
        #expect(observations.refreshes.load(ordering: .relaxed) == 0)
        server.wake()
        // Each thread refreshes once, at once (well within the 2 s allowed for a loaded machine).
        for _ in 0..<200 where observations.refreshes.load(ordering: .relaxed) < 2 { usleep(10_000) }
        #expect(observations.refreshes.load(ordering: .relaxed) == 2)
        usleep(50_000)
        #expect(observations.refreshes.load(ordering: .relaxed) == 2)
    }

    @Test func threadsAreNamedForOperators() throws {
        let server = try echoServer("127.0.0.1", threads: 2, observations: Observations())
        defer { server.stop() }
        func names() throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap {
                try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8).trimmingCharacters(in: .newlines)
            })
        }
        // Each thread names itself as it starts.
        for _ in 0..<100 where try !names().isSuperset(of: ["nearcast-udp0", "nearcast-udp1"]) { usleep(10_000) }
        #expect(try names().isSuperset(of: ["nearcast-udp0", "nearcast-udp1"]))
        // A second address's server numbers its threads on.
        let second = try echoServer("127.0.0.1", threads: 2, firstThreadNumber: 2)
        defer { second.stop() }
        for _ in 0..<100 where try !names().isSuperset(of: ["nearcast-udp2", "nearcast-udp3"]) { usleep(10_000) }
        #expect(try names().isSuperset(of: ["nearcast-udp2", "nearcast-udp3"]))
    }

    @Test func stopEndsEveryThreadAndReleasesThePort() throws {
        let observations = Observations()
        let server = try echoServer("127.0.0.1", threads: 3, observations: observations)
        let client = try UDPClient(bindTo: loopback4)
        client.send("hello", to: loopback4, port: server.port)
        #expect(client.receive() != nil)
        // Each thread makes its handler when it starts: one reply says one has
        // (on a loaded machine the others came later, seen in CI).
        for _ in 0..<500 where observations.handlersAlive.load(ordering: .relaxed) < 3 { usleep(10_000) }
        #expect(observations.handlersAlive.load(ordering: .relaxed) == 3)
        let started = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - started < .milliseconds(500))
        #expect(observations.handlersAlive.load(ordering: .relaxed) == 0)
        server.stop()  // idempotent
        // The sockets are closed: a socket without SO_REUSEPORT can take the port.
        let plain = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(plain) }
        var (storage, length) = socketAddress(loopback4, port: server.port)
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(plain, $0, length) } }
        #expect(bound == 0)
    }

    @Test func reportsBindErrors() {
        #expect(throws: DatagramServerError.self) { try echoServer("192.0.2.1") }
    }
}
