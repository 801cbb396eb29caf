import Foundation
import Testing
@testable import LatencyLearning
import LatencyModel

/// `Aggregates.serialized()` keeps each state's candidate level with its
/// samples in a row (version 3), still reads version 2, whose candidates had
/// no count, and version 1, whose states had no candidate.
@Suite struct CheckpointFormatTests {
    func measurement(_ rttMs: Double, at timeMs: Int64) -> LatencyLearning.Measurement {
        LatencyLearning.Measurement(timeMs: timeMs, client: ip("192.0.2.7"), region: 3, rttMs: rttMs, source: .rum)
    }

    @Test func aPendingCandidateSurvivesACheckpoint() throws {
        var aggregates = Aggregates()
        // A sample every two hours (about three per half-life), then one of a new level: a candidate.
        aggregates.add((0..<10).map { measurement(50, at: t0Ms + Int64($0) * 2 * hourMs) })
        aggregates.add(measurement(120, at: t0Ms + 20 * hourMs))
        let state = try #require(aggregates.states.first)
        #expect(state.candidate.weight == 1 && abs(state.candidate.logRTT - Float32(log(120.0))) < 0.001)
        #expect(RobustEstimate.inARow(code: state.candidateCode) == 1)
        let bytes = aggregates.serialized()
        #expect(bytes[4] == 3 && bytes.count == 32 + 21 + 22 + 8)
        var decoded = try Aggregates(serialized: bytes)
        #expect(decoded.states == [state])
        // The second sample of the new level restarts both alike.
        aggregates.add(measurement(118, at: t0Ms + 22 * hourMs))
        decoded.add(measurement(118, at: t0Ms + 22 * hourMs))
        #expect(decoded.states == [aggregates.states[0]])
        #expect(abs(aggregates.estimates(for: ip("192.0.2.1"), now: t0Ms + 22 * hourMs)!.regions[0].rttMs / 119 - 1) < 0.01)
    }

    @Test func versionOneIsStillRead() throws {
        // A version 1 table as the previous build wrote it: one /24 with one 18-byte state.
        let key = PrefixKey(prefix("192.0.2.0/24"))
        var bytes = Array("NCAG".utf8)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        append(UInt16(1)); append(UInt8(24)); append(UInt8(48)); append(Int64(6 * hourMs))
        append(UInt64(1)); append(UInt64(1))
        append(key.address); append(key.tag); append(UInt32(1))
        append(UInt16(3)); append(Float32(log(50.0)).bitPattern); append(Float32(0.06).bitPattern)
        append(Float32(4.5).bitPattern); append(UInt32(t0Ms / 1000))
        append(bytes.withUnsafeBytes { Checksum.of($0) })
        let decoded = try Aggregates(serialized: bytes)
        let estimate = try #require(decoded.estimates(for: ip("192.0.2.9"), now: t0Ms)?.regions.first)
        #expect(estimate.region == 3 && abs(estimate.rttMs - 50) < 1e-3 && abs(estimate.samples - 4.5) < 1e-6)
        #expect(decoded.states[0].candidate.weight == 0)
        // Written again, it is version 3.
        let again = decoded.serialized()
        #expect(again[4] == 3 && again.count == bytes.count + 4)
        #expect(try Aggregates(serialized: again).states == decoded.states)
    }

    /// Version 2 stored the candidate level in steps of 1/4096 in all 16 bits:
    /// read, it keeps its level (to 1/1024) and weight and counts no sample in a row.
    @Test func versionTwoIsStillRead() throws {
        var aggregates = Aggregates()
        aggregates.add((0..<10).map { measurement(50, at: t0Ms + Int64($0) * 2 * hourMs) })
        aggregates.add(measurement(120, at: t0Ms + 20 * hourMs))
        let state = aggregates.states[0]
        var bytes = aggregates.serialized()
        bytes[4] = 2
        // The state's candidate level as version 2 wrote it: 1/4096 steps from −5, 16 bits.
        let candidateAt = 32 + 21 + 18
        let oldCode = UInt16(((Float32(log(120.0)) + 5) * 4096).rounded()) | 3  // low bits that must not read as a count
        withUnsafeBytes(of: oldCode.littleEndian) { bytes.replaceSubrange(candidateAt..<candidateAt + 2, with: $0) }
        let body = Array(bytes.dropLast(8))
        bytes = body + withUnsafeBytes(of: body.withUnsafeBytes { Checksum.of($0) }.littleEndian, Array.init)
        let decoded = try Aggregates(serialized: bytes).states[0]
        #expect(abs(decoded.candidate.logRTT - Float32(log(120.0))) < 0.001)
        #expect(decoded.candidate.weight == state.candidate.weight)
        #expect(RobustEstimate.inARow(code: decoded.candidateCode) == 0)
    }

    @Test func aLaterVersionIsRefused() {
        var bytes = Aggregates().serialized()
        bytes[4] = 4
        let body = Array(bytes.dropLast(8))
        bytes = body + withUnsafeBytes(of: body.withUnsafeBytes { Checksum.of($0) }.littleEndian, Array.init)
        #expect(throws: AggregatesDecodingError(message: "unsupported version 4 (this build reads 1 to 3)")) {
            try Aggregates(serialized: bytes)
        }
    }
}
