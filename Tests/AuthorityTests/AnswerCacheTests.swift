import Testing
@testable import Authority
import DNSWire
import LatencyModel

/// What the answer cache keeps and when it lets go; that its answers are
/// the engine's, byte for byte, is `DifferentialTests.sameBytesFromTheAnswerCache`.
@Suite struct AnswerCacheTests {
    /// The first A record of the answer to `qname` from `snapshot` through
    /// `cache`, for a client in `subnet` (none: an error, or [] when `allowingNone`).
    static func address(_ qname: String, from snapshot: Snapshot, cache: AnswerCache, subnet: String = "81.2.69.0/24",
                        allowingNone: Bool = false) throws -> [UInt8] {
        let packet = queryPacket(qname, .a, opt: optRecord(options: ecsOption(subnet)))
        var output = [UInt8](repeating: 0, count: 65535)
        var random = QueryRandom()
        let length = try #require(packet.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes { snapshot.respond(to: raw, source: ip("192.0.2.9"), transport: .udp, into: $0, random: &random, cache: cache) }
        })
        let message = try Message.parse(Array(output[..<length]))
        guard case .a(let address)? = message.answers.first?.data else {
            if allowingNone { return [] }
            throw CacheTestError.noAddress
        }
        return address.array
    }

    enum CacheTestError: Error { case noAddress }

    /// `body` with the cache's form of the question for `qname`, type A.
    static func withQuestion<T>(_ qname: String, _ body: (AnswerCache.Question) throws -> T) throws -> T {
        try queryPacket(qname, .a).withUnsafeBytes { raw in try body(AnswerCache.Question(try #require(Query(parsing: raw)))) }
    }

    /// The first region of a client's ranking, in `snapshot`'s map.
    static func firstRegion(_ address: String, in snapshot: Snapshot) -> RegionID? {
        snapshot.latencyMap.rankings.region(0, of: snapshot.latencyMap.lookup(ip(address)).ranking)
    }

    @Test func aLatencyAnswerDecidedByTheFirstRegionIsKeptUnderItAndReadBack() throws {
        let snapshot = DifferentialTests.snapshot(unhealthy: [])
        let cache = AnswerCache()
        let first = try Self.address("lat.example.com.", from: snapshot, cache: cache, subnet: "10.0.0.0/24")
        let second = try Self.address("lat.example.com.", from: snapshot, cache: cache, subnet: "2001:db8:99::/48")
        #expect(first != second, "the two networks' fastest regions differ")
        let regions = try ["10.0.0.1", "2001:db8:99::1"].map { try #require(Self.firstRegion($0, in: snapshot)) }
        try Self.withQuestion("lat.example.com.") { question in
            guard case .dependsOnClient? = cache.entry(for: question, key: nil) else {
                Issue.record("the question's entry does not say it depends on the client")
                return
            }
            for region in regions {
                guard case .answer? = cache.entry(for: question, key: .firstRegion(region)) else { Issue.record("region \(region) not kept"); continue }
            }
        }
        #expect(try Self.address("lat.example.com.", from: snapshot, cache: cache, subnet: "10.0.0.0/24") == first)
        #expect(try Self.address("lat.example.com.", from: snapshot, cache: cache, subnet: "2001:db8:99::/48") == second)
    }

    /// When the first region's member is unhealthy, the answer is another
    /// region's: kept under the client's whole ranking, not its first region.
    @Test func anAnswerPastTheFirstRegionIsKeptUnderTheRanking() throws {
        let healthy = DifferentialTests.snapshot(unhealthy: [])
        let region = try #require(Self.firstRegion("10.0.0.1", in: healthy))
        let name = healthy.catalog.regions[Int(region)].name
        let snapshot = DifferentialTests.snapshot(unhealthy: ["hc-\(name)"])
        let cache = AnswerCache()
        let answer = try Self.address("lat.example.com.", from: snapshot, cache: cache, subnet: "10.0.0.0/24")
        #expect(answer != (try Self.address("lat.example.com.", from: healthy, cache: AnswerCache(), subnet: "10.0.0.0/24")))
        let ranking = snapshot.latencyMap.lookup(ip("10.0.0.1")).ranking
        try Self.withQuestion("lat.example.com.") { question in
            #expect(cache.entry(for: question, key: .firstRegion(region)) == nil)
            guard case .answer? = cache.entry(for: question, key: .ranking(ranking)) else {
                Issue.record("not kept under the ranking")
                return
            }
        }
    }

    /// A resolver randomizing the name's case (the "0x20" defence against
    /// spoofing) still hits (DifferentialTests compares the bytes, with both
    /// spellings of www.example.com. in its corpus).
    @Test func theNamesCaseDoesNotMatter() throws {
        let snapshot = DifferentialTests.snapshot(unhealthy: [])
        let cache = AnswerCache()
        let lower = try Self.address("lat.example.com.", from: snapshot, cache: cache)
        try Self.withQuestion("lAt.ExAmple.COM.") { question in
            guard case .dependsOnClient? = cache.entry(for: question, key: nil) else {
                Issue.record("another spelling of the name misses")
                return
            }
        }
        #expect(try Self.address("lAt.ExAmple.COM.", from: snapshot, cache: cache) == lower)
        try Self.withQuestion("lat.example.org.") { #expect(cache.entry(for: $0, key: nil) == nil, "another name of the same length") }
    }

    /// A thousand names asked once each (NXDOMAIN answers) are nearly all
    /// still there (977 with two slots per entry; 889 with one, where a
    /// later name hashing to the same slot evicts an earlier one).
    @Test func namesWhoseSlotsCollideStayCached() throws {
        let snapshot = DifferentialTests.snapshot(unhealthy: [])
        let cache = AnswerCache()
        let names = (0..<1000).map { "nx\($0).example.com." }
        for name in names { _ = try Self.address(name, from: snapshot, cache: cache, allowingNone: true) }
        let kept = try names.filter { name in try Self.withQuestion(name) { cache.entry(for: $0, key: nil) != nil } }.count
        #expect(kept >= 960, "\(kept) of 1000 kept")
    }

    @Test(arguments: ["w.example.com.", "mv.example.com."])
    func randomChoicesAreNotKept(qname: String) throws {
        let snapshot = DifferentialTests.snapshot(unhealthy: [])
        let cache = AnswerCache()
        var seen = Set<[UInt8]>()
        for _ in 0..<200 { seen.insert(try Self.address(qname, from: snapshot, cache: cache)) }
        #expect(seen.count > 1, "a weighted or multivalue answer still varies")
        try Self.withQuestion(qname) { #expect(cache.entry(for: $0, key: nil) == nil) }
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
