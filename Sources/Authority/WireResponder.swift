import DNSWire
import LatencyModel

extension Snapshot {
    /// Writes the response to `packet` into `output` and returns its length;
    /// nil when the packet must be dropped. Same bytes as
    /// `respond(to:source:transport:)`; `output` must hold at least 65,535 bytes.
    ///
    /// Allocation-free for a query with one uncompressed question (and
    /// optionally EDNS0 with or without ECS) that the answer engine answers
    /// from the zone (records of every routing policy, aliases, CNAME chains,
    /// referrals, NXDOMAIN/NODATA with the SOA) or that is refused. Anything
    /// else (FORMERR, NOTIMP, BADVERS, compressed questions, responses with
    /// more names than `ResponseWriter` tracks...) takes the general path,
    /// which allocates.
    public func respond(to packet: UnsafeRawBufferPointer, source: IPAddress, transport: Transport,
                        into output: UnsafeMutableRawBufferPointer) -> Int? {
        var generator = QueryRandom()
        return respond(to: packet, source: source, transport: transport, into: output, using: &generator)
    }

    /// `respond(to:source:transport:into:)` with the random choices drawn from
    /// `random`, a thread's own, so that no query asks the system, repeated
    /// questions answered from `cache`, the thread's own, and every request
    /// counted in `counters`, the thread's own. (Not generic: from another
    /// module, a generic entry point runs unspecialized.)
    public func respond(to packet: UnsafeRawBufferPointer, source: IPAddress, transport: Transport,
                        into output: UnsafeMutableRawBufferPointer, random: inout QueryRandom, cache: AnswerCache? = nil,
                        counters: QueryCounters? = nil) -> Int? {
        respond(to: packet, source: source, transport: transport, into: output, using: &random, cache: cache, counters: counters)
    }

    /// `respond(to:source:transport:into:)` with the random choices drawn from `generator`.
    func respond(to packet: UnsafeRawBufferPointer, source: IPAddress, transport: Transport,
                 into output: UnsafeMutableRawBufferPointer, using generator: inout some RandomNumberGenerator,
                 cache: AnswerCache? = nil, counters: QueryCounters? = nil) -> Int? {
        guard Self.isRequest(packet) else {
            counters?.droppedRequest()
            return nil
        }
        if let query = Query(parsing: packet),
           let length = respondInPlace(to: query, source: source, transport: transport, into: output, using: &generator,
                                       cache: cache, counters: counters) {
            return length
        }
        guard let (bytes, rcode) = generalResponse(to: packet, source: source, transport: transport, using: &generator),
              bytes.count <= output.count else {
            counters?.droppedRequest()
            return nil
        }
        bytes.withUnsafeBytes { output.copyMemory(from: $0) }
        counters?.responded(rcode, truncated: bytes[2] & 0x02 != 0, fromCache: false)
        return bytes.count
    }

    /// The address an answer to `packet` from `source` would look up in the
    /// latency map — the ECS address, else `source` — when the map is large
    /// enough for lookups to miss the CPU's caches (`LatencyMap.isLarge`),
    /// so that a batch's lookups can be prefetched; nil for a small map or a
    /// packet that is no query. Parses the query, so small maps skip it.
    public func prefetchableLookup(answering packet: UnsafeRawBufferPointer, source: IPAddress) -> IPAddress? {
        guard latencyMap.isLarge, Self.isRequest(packet), let query = Query(parsing: packet) else { return nil }
        return query.client(source: source).address
    }

    /// Whether `packet` has a header and is no response: what is answered at all (anything else is dropped).
    private static func isRequest(_ packet: UnsafeRawBufferPointer) -> Bool { packet.count >= 12 && packet[2] & 0x80 == 0 }

    /// The response to a plain query, written in place; nil when it needs
    /// the general path (an opcode, EDNS version or QTYPE answered with an
    /// error, or more names than `ResponseWriter` tracks).
    func respondInPlace(to query: Query, source: IPAddress, transport: Transport,
                        into output: UnsafeMutableRawBufferPointer,
                        using generator: inout some RandomNumberGenerator, cache: AnswerCache?, counters: QueryCounters? = nil) -> Int? {
        let request = query.header
        guard request.opcode == Opcode.query, (query.edns?.version ?? 0) == 0,
              !query.type.isMetaType || query.type == .any else { return nil }
        // Anything beyond the limit is cut off by the writer, which then reports itself full.
        let limit = switch transport {
        case .udp: query.edns.map { max(512, min(Int($0.udpPayloadSize), responder.maxUDPPayload)) } ?? 512
        case .tcp: Int(UInt16.max)
        }
        var writer = ResponseWriter(UnsafeMutableRawBufferPointer(rebasing: output[..<min(limit, output.count)]))
        let client = query.client(source: source)
        var hit: MapHit? = nil  // the map lookup of a cache miss, kept for the engine
        var asked: AnswerCache.Question? = nil  // hashed once, for the probes and a miss's store
        if let cache {
            cache.serve(self)
            let question = AnswerCache.Question(query)
            asked = question
            if let (answer, scope) = cachedAnswer(to: question, client: client, in: cache, lookingUp: &hit) {
                writer.begin(answering: query, offeringNames: false)
                writer.append(answer.sections)
                return finish(&writer, answering: query, counts: answer.counts,
                              outcome: AnswerOutcome(rcode: answer.rcode, authoritative: answer.authoritative, scope: scope),
                              counters: counters, fromCache: true)
            }
        }
        guard let zone = answeringZone(for: query.name, type: query.type, rrclass: query.rrclass) else {
            writer.begin(answering: query)
            return finish(&writer, answering: query, counts: SIMD3(), outcome: AnswerOutcome(rcode: .refused), counters: counters)
        }
        // The run holds the sink, and its writer is used where it lies: the
        // writer's suffix table is hundreds of bytes, too many to copy per query.
        var run = AnswerRun(snapshot: self, zone: zone, client: client, sink: WireSink(writer: writer), generator: generator)
        run.hit = hit
        run.sink.writer.begin(answering: query)
        run.answer(query.name, type: query.type)
        generator = run.generator
        if let cache, let asked, run.isRepeatable, !run.sink.writer.isFull, !run.sink.writer.lostSuffix {
            let sections = UnsafeRawBufferPointer(rebasing: run.sink.writer.written[(12 + query.question.count)...])
            cache.store(CachedAnswer(sections: sections, counts: run.sink.counts, rcode: run.outcome.rcode,
                                     authoritative: run.outcome.authoritative),
                        for: asked, key: run.hit.map { clientKey(of: $0, decidedByFirstRegion: run.decidedByFirstRegion) })
        }
        return finish(&run.sink.writer, answering: query, counts: run.sink.counts, outcome: run.outcome, counters: counters)
    }

    /// The cached answer to `question` for `client`, and its ECS scope (the
    /// client's block when the answer depends on the client, else 0). The
    /// map lookup it made, if any, is left in `hit`: the question's answer
    /// goes through a latency choice in this snapshot, so on a miss the
    /// engine needs that lookup too.
    func cachedAnswer(to question: AnswerCache.Question, client: ClientLocation, in cache: AnswerCache,
                      lookingUp hit: inout MapHit?) -> (CachedAnswer, scope: Int)? {
        switch cache.entry(for: question, key: nil) {
        case .answer(let answer)?:
            return (answer, 0)
        case .dependsOnClient?:
            let found = latencyMap.lookup(client.address)
            hit = found
            if let first = latencyMap.rankings.region(0, of: found.ranking),
               case .answer(let answer)? = cache.entry(for: question, key: .firstRegion(first)) {
                return (answer, found.block.length)
            }
            guard case .answer(let answer)? = cache.entry(for: question, key: .ranking(found.ranking)) else { return nil }
            return (answer, found.block.length)
        case nil:
            return nil
        }
    }

    /// What a client-dependent answer is cached under: the first region of
    /// the client's ranking when it decided every latency choice, else the ranking.
    private func clientKey(of hit: MapHit, decidedByFirstRegion: Bool) -> AnswerCache.ClientKey {
        guard decidedByFirstRegion, let first = latencyMap.rankings.region(0, of: hit.ranking) else { return .ranking(hit.ranking) }
        return .firstRegion(first)
    }

    /// Completes the response `writer` holds (header, question and the
    /// records counted in `counts`): OPT, header flags and counts; truncated
    /// to the question when it did not fit; counted in `counters`. nil when
    /// even that does not fit, or a name's compression could not be tracked
    /// (the general path answers then, and counts).
    private func finish(_ writer: inout ResponseWriter, answering query: Query, counts: SIMD3<UInt16>, outcome: AnswerOutcome,
                        counters: QueryCounters?, fromCache: Bool = false) -> Int? {
        guard !writer.lostSuffix else { return nil }
        var header = Header(id: query.id)
        header.isResponse = true
        header.opcode = query.header.opcode
        header.recursionDesired = query.header.recursionDesired
        header.checkingDisabled = query.header.checkingDisabled
        header.authoritative = outcome.authoritative
        header.rcodeLow = UInt8(outcome.rcode.rawValue & 0xF)
        var counts = counts
        let ecs = query.edns?.clientSubnet
        let scope = ecs.map { $0.sourcePrefix == 0 ? 0 : UInt8(min(outcome.scope, $0.maxPrefix)) } ?? 0
        if let edns = query.edns { writer.opt(answering: edns, payloadSize: responder.maxUDPPayload, rcode: outcome.rcode, scope: scope) }
        if writer.isFull {
            writer.truncate(to: 12 + query.question.count)
            header.truncated = true
            counts = SIMD3()
            if let edns = query.edns { writer.opt(answering: edns, payloadSize: responder.maxUDPPayload, rcode: outcome.rcode, scope: scope) }
            guard !writer.isFull else { return nil }
        }
        writer.patch16(at: 2, header.flags)
        writer.patch16(at: 6, counts[0])
        writer.patch16(at: 8, counts[1])
        writer.patch16(at: 10, counts[2] &+ (query.edns == nil ? 0 : 1))
        counters?.responded(outcome.rcode, truncated: header.truncated, fromCache: fromCache)
        return writer.count
    }
}

/// Writes the engine's records straight into the response and counts them
/// per section (answer, authority, additional); ignores routing steps.
struct WireSink: AnswerSink {
    var writer: ResponseWriter
    var counts = SIMD3<UInt16>()

    mutating func add(_ section: AnswerSection, owner: NameView, _ pick: PickedSets, in zone: ZoneIndex) {
        let ttl = zone.ttl(of: pick)
        let position = switch section { case .answer: 0; case .authority: 1; case .additional: 2 }
        zone.forEachRecord(of: pick) { record, _ in
            writer.record(owner: owner, ttl: ttl, zone.records[record], in: zone.rdata)
            counts[position] &+= 1
        }
    }

    func beginStep(owner: NameView, type: RRType, group: Int, in zone: ZoneIndex) -> Int { 0 }
    func noteHit(_ hit: MapHit, step: Int) {}
    func noteSkipped(_ member: Int, reason: SkipReason, type: RRType, step: Int) {}
    func noteChosen(_ member: Int, step: Int) {}
    func noteAllUnhealthy(step: Int) {}
}

extension Query {
    /// Whom routing answers: the ECS address, unless absent or of source
    /// prefix 0 (RFC 7871 §7.1.2), else the packet's source.
    func client(source: IPAddress) -> ClientLocation {
        ClientLocation(address: edns?.clientSubnet.flatMap { $0.sourcePrefix == 0 ? nil : $0.ipAddress } ?? source)
    }
}

extension QueryClientSubnet {
    /// The address routing looks up (RFC 7871 §7.1.1).
    var ipAddress: IPAddress {
        family == 1 ? .v4(UInt32(truncatingIfNeeded: fullAddress)) : .v6(fullAddress)
    }
}
