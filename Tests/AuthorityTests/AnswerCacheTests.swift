import Testing
@testable import Authority
import DNSWire

/// What the answer cache keeps and when it lets go; that its answers are
/// the engine's, byte for byte, is `DifferentialTests.sameBytesFromTheAnswerCache`.
@Suite struct AnswerCacheTests {
    /// The first A record of the answer to `qname` from `snapshot` through `cache`, for a client in `subnet`.
    static func address(_ qname: String, from snapshot: Snapshot, cache: AnswerCache, subnet: String = "81.2.69.0/24") throws -> [UInt8] {
        let packet = queryPacket(qname, .a, opt: optRecord(options: ecsOption(subnet)))
        var output = [UInt8](repeating: 0, count: 65535)
        var random = QueryRandom()
        let length = try #require(packet.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes { snapshot.respond(to: raw, source: ip("192.0.2.9"), transport: .udp, into: $0, random: &random, cache: cache) }
        })
        let message = try Message.parse(Array(output[..<length]))
        guard case .a(let address)? = message.answers.first?.data else { throw CacheTestError.noAddress }
        return address.array
    }

    enum CacheTestError: Error { case noAddress }

    static func question(_ qname: String) -> [UInt8] {
        let packet = queryPacket(qname, .a)
        return Array(packet[12...])
    }

    @Test func aLatencyAnswerIsKeptPerRankingAndReadBack() throws {
        let snapshot = DifferentialTests.snapshot(unhealthy: [])
        let cache = AnswerCache()
        let question = Self.question("lat.example.com.")
        let first = try Self.address("lat.example.com.", from: snapshot, cache: cache, subnet: "10.0.0.0/24")
        let second = try Self.address("lat.example.com.", from: snapshot, cache: cache, subnet: "2001:db8:99::/48")
        #expect(first != second, "the two networks' fastest regions differ")
        let rankings = ["10.0.0.1", "2001:db8:99::1"].map { snapshot.latencyMap.lookup(ip($0)).ranking }
        question.withUnsafeBytes { bytes in
            guard case .dependsOnClient? = cache.entry(for: bytes, ranking: nil) else {
                Issue.record("the question's entry does not say it depends on the client")
                return
            }
            for ranking in rankings {
                guard case .answer? = cache.entry(for: bytes, ranking: ranking) else { Issue.record("ranking \(ranking) not kept"); continue }
            }
        }
        #expect(try Self.address("lat.example.com.", from: snapshot, cache: cache, subnet: "10.0.0.0/24") == first)
        #expect(try Self.address("lat.example.com.", from: snapshot, cache: cache, subnet: "2001:db8:99::/48") == second)
    }

    @Test(arguments: ["w.example.com.", "mv.example.com."])
    func randomChoicesAreNotKept(qname: String) throws {
        let snapshot = DifferentialTests.snapshot(unhealthy: [])
        let cache = AnswerCache()
        var seen = Set<[UInt8]>()
        for _ in 0..<200 { seen.insert(try Self.address(qname, from: snapshot, cache: cache)) }
        #expect(seen.count > 1, "a weighted or multivalue answer still varies")
        Self.question(qname).withUnsafeBytes { #expect(cache.entry(for: $0, ranking: nil) == nil) }
    }

    @Test func anotherSnapshotEmptiesTheCache() throws {
        let healthy = DifferentialTests.snapshot(unhealthy: [])
        let failedOver = DifferentialTests.snapshot(unhealthy: ["hc-primary"])
        let cache = AnswerCache()
        let primary = try Self.address("f.example.com.", from: healthy, cache: cache)
        #expect(primary == [192, 0, 2, 31])
        let secondary = try Self.address("f.example.com.", from: failedOver, cache: cache)
        #expect(secondary != primary, "the failed-over snapshot answers its own data, not the cached one")
        #expect(try Self.address("f.example.com.", from: healthy, cache: cache) == primary)
    }
}
