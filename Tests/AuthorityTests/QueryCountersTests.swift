import SeededRandom
import Testing
@testable import Authority
import DNSWire

/// `respond(...into:...counters:)` counts every request exactly once: as a
/// response under the RCODE its bytes carry (the OPT's extended bits
/// included), truncated or not, from the cache or not — or as dropped.
@Suite struct QueryCountersTests {
    /// What the counters should say after these responses, read from the bytes.
    static func tally(_ outcomes: [(response: [UInt8]?, fromCache: Bool)]) throws -> QueryCounts {
        var counts = QueryCounts()
        for outcome in outcomes {
            guard let bytes = outcome.response else {
                counts.dropped += 1
                continue
            }
            let message = try Message.parse(bytes)
            counts.responses[QueryCounters.rcodes.firstIndex(of: message.rcode) ?? QueryCounters.rcodes.count] += 1
            if message.header.truncated { counts.truncated += 1 }
            if outcome.fromCache { counts.fromCache += 1 }
        }
        return counts
    }

    @Test func everyRequestIsCountedOnceUnderItsResponsesRCODE() throws {
        let snapshot = DifferentialTests.snapshot(unhealthy: ["hc-primary"], maxUDPPayload: 700)
        let counters = QueryCounters(), cache = AnswerCache()
        var random = QueryRandom()
        var generator = SeededGenerator(state: 9)
        var outcomes: [(response: [UInt8]?, fromCache: Bool)] = []
        /// Asks through the cache only well-formed queries, for which a held entry means a hit.
        func ask(_ packet: [UInt8], source: String = "81.2.69.5", transport: Transport = .udp, throughCache: Bool = false) {
            let fromCache = throughCache && DifferentialTests.isCached(packet, source: source, in: cache, for: snapshot)
            var output = [UInt8](repeating: 0, count: 65535)
            let length = packet.withUnsafeBytes { raw in
                output.withUnsafeMutableBytes {
                    snapshot.respond(to: raw, source: ip(source), transport: transport, into: $0, random: &random,
                                     cache: throughCache ? cache : nil, counters: counters)
                }
            }
            outcomes.append((length.map { Array(output[..<$0]) }, fromCache))
        }
        // The corpus twice (the second time largely from the cache), then mutated and odd packets.
        let corpus = DifferentialTests.corpus()
        for _ in 0..<2 { for query in corpus { ask(query.packet, source: query.source, transport: query.transport, throughCache: true) } }
        for query in corpus.enumerated().filter({ $0.offset % 5 == 0 }).map(\.element) {
            var mutated = query.packet
            mutated[Int(generator.next() % UInt64(mutated.count))] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
            ask(mutated)
            ask(Array(query.packet.prefix(Int(generator.next() % UInt64(query.packet.count)))))
        }
        let www = queryPacket("www.example.com.", .a)
        ask(queryPacket("www.example.com.", .a, opt: optRecord(version: 1)))  // BADVERS, an extended RCODE
        ask(queryPacket("www.example.com.", .a, flags: 0x2900))  // opcode 5: NOTIMP
        ask(queryPacket("big.example.com.", .txt))  // truncated
        ask({ var p = www; p[2] |= 0x80; return p }())  // a response: dropped
        ask(Array(www.prefix(11)))  // shorter than a header: dropped

        let expected = try Self.tally(outcomes)
        #expect(counters.counts() == expected)
        #expect(outcomes.count == Int(expected.responses.reduce(0, +) + expected.dropped))
        // Every kind this test means to count was seen.
        for rcode in [RCode.noError, .formErr, .nxDomain, .notImp, .refused, .badVers] {
            #expect(expected.responses[QueryCounters.rcodes.firstIndex(of: rcode)!] > 0, "\(rcode)")
        }
        #expect(expected.truncated > 0 && expected.fromCache > corpus.count / 2 && expected.dropped >= 2)
    }
}
