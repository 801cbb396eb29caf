@testable import LatencyLearning
import LatencyModel
import Testing

/// Large random aggregates: IPv4 and IPv6 buckets, covering prefixes, up to 39 regions each.
private func randomAggregates(_ measurements: Int, seed: UInt64) -> Aggregates {
    var random = TestRandom(state: seed)
    var aggregates = Aggregates(bucketPolicy: BucketPolicy(ipv4Length: 24, ipv6Length: 48), halfLifeMs: 2 * 3_600_000)
    aggregates.add(randomMeasurements(measurements, using: &random, spanMs: 24 * 3_600_000))
    return aggregates
}

@Test func serializedAggregatesGiveTheSameEstimates() throws {
    let aggregates = randomAggregates(200_000, seed: 11)
    let bytes = aggregates.serialized()
    #expect(bytes.count == 32 + 21 * aggregates.bucketCount + 22 * aggregates.stateCount + 8)
    let decoded = try Aggregates(serialized: bytes)
    #expect(decoded.bucketPolicy == aggregates.bucketPolicy && decoded.halfLifeMs == aggregates.halfLifeMs)
    for now in [baseMs, baseMs + 30 * 3_600_000] {
        #expect(decoded.estimates(now: now) == aggregates.estimates(now: now))
    }
    #expect(decoded.serialized() == bytes)
    // A decoded table keeps working: the same new samples give the same states.
    var (left, right) = (aggregates, decoded)
    var random = TestRandom(state: 12)
    let more = randomMeasurements(20_000, using: &random, startMs: baseMs + 24 * 3_600_000)
    left.add(more); right.add(more)
    #expect(left.estimates(now: baseMs + 26 * 3_600_000) == right.estimates(now: baseMs + 26 * 3_600_000))
}

@Test func emptyAggregatesRoundTrip() throws {
    let empty = Aggregates()
    #expect(try Aggregates(serialized: empty.serialized()).bucketCount == 0)
}

@Test func everyTruncationAndEveryFlippedByteThrows() {
    let bytes = randomAggregates(300, seed: 13).serialized()
    for length in 0..<bytes.count {
        #expect(throws: AggregatesDecodingError.self) { try Aggregates(serialized: Array(bytes[..<length])) }
    }
    for position in bytes.indices {
        var flipped = bytes
        flipped[position] ^= 1 << (position % 8)
        #expect(throws: AggregatesDecodingError.self) { try Aggregates(serialized: flipped) }
    }
}

@Test func structurallyInvalidDataThrowsEvenWithAValidChecksum() {
    let bytes = randomAggregates(50, seed: 14).serialized()
    /// `bytes` with `change` applied and the checksum recomputed.
    func resealed(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
        var body = Array(bytes.dropLast(8))
        change(&body)
        return body + withUnsafeBytes(of: body.withUnsafeBytes { Checksum.of($0) }.littleEndian, Array.init)
    }
    let cases: [(String, (inout [UInt8]) -> Void)] = [
        ("unsupported version 4 (this build reads 1 to 3)", { $0[4] = 4 }),
        ("invalid bucket lengths or half-life", { $0[6] = 33 }),
        ("bucket 0 has an invalid prefix", { $0[32 + 16] = 0xC0 + 40 }),
        ("bucket 0 has an invalid prefix", { $0[32] |= 1 }),
        ("bucket 1 (\(Aggregates.keyDescription(bytes, bucket: 0))) appears twice", { body in
            for i in 0..<17 { body[32 + 21 + i] = body[32 + i] }
        }),
    ]
    for (message, change) in cases {
        #expect(throws: AggregatesDecodingError(message: message)) { try Aggregates(serialized: resealed(change)) }
    }
}

extension Aggregates {
    /// The prefix of bucket `bucket` in serialized bytes.
    static func keyDescription(_ bytes: [UInt8], bucket: Int) -> String {
        let offset = 32 + 21 * bucket
        let address = bytes[offset..<offset + 16].reversed().reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
        return "\(PrefixKey(address: address, tag: bytes[offset + 16]).prefix)"
    }
}
