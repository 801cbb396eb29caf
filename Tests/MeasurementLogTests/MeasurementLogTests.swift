#if canImport(Glibc)
import Glibc
#endif
import LatencyLearning
import LatencyModel
@testable import MeasurementLog
import Testing

private let hourMs: Int64 = 3_600_000

/// Everything the log replays after `position`, with the position reached.
private func replayAll(_ log: MeasurementLog, after position: LogPosition? = nil) throws -> ([Measurement], LogPosition) {
    var all: [Measurement] = []
    let reached = try log.replay(after: position) { all += $0 }
    return (all, reached)
}

@Test func appendedBatchesReplayInOrderAcrossHourSegments() throws {
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    var random = TestRandom(state: 1)
    let batches = (0..<5).map { _ in randomMeasurements(1000, using: &random) }
    let log = try MeasurementLog(directory: directory + "/measurements", retentionMs: 7 * 24 * hourMs, reportDamage: unexpectedDamage)
    for (index, batch) in batches.enumerated() { try log.append(batch, arrivalMs: baseMs + Int64(index / 2) * hourMs) }
    #expect(fileNames(directory + "/measurements") == ["20261125T05.ncm", "20261125T06.ncm", "20261125T07.ncm"])
    let (all, reached) = try replayAll(log)
    #expect(all == batches.flatMap { $0 })
    #expect(reached == LogPosition(hourMs: baseMs + 2 * hourMs, records: 1000))
    #expect(try replayAll(log, after: reached).0.isEmpty)
    #expect(try replayAll(log, after: LogPosition(hourMs: baseMs, records: 1500)).0 == Array(batches.flatMap { $0 }[1500...]))
    #expect(log.diskBytes == 3 * SegmentHeader.size + 5000 * LogRecord.size)
}

@Test func replayComesInBatchesOfAtMostTheLimit() throws {
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    var random = TestRandom(state: 2)
    let batch = randomMeasurements(MeasurementLog.replayBatch + 10, using: &random)
    let log = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: unexpectedDamage)
    try log.append(batch, arrivalMs: baseMs)
    var sizes: [Int] = []
    _ = try log.replay(after: nil) { sizes.append($0.count) }
    #expect(sizes == [MeasurementLog.replayBatch, 10])
}

@Test func aBatchArrivingWithAnEarlierClockGoesToTheLatestSegment() throws {
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    var random = TestRandom(state: 3)
    let (late, early) = (randomMeasurements(3, using: &random), randomMeasurements(2, using: &random))
    let log = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: unexpectedDamage)
    try log.append(late, arrivalMs: baseMs + hourMs)
    try log.append(early, arrivalMs: baseMs)
    #expect(fileNames(directory) == ["20261125T06.ncm"])
    #expect(try replayAll(log).0 == late + early)
}

@Test func aTornLastRecordIsIgnoredAndCutOffOnReopen() throws {
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    var random = TestRandom(state: 4)
    let (first, second) = (randomMeasurements(100, using: &random), randomMeasurements(50, using: &random))
    do {
        let log = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: unexpectedDamage)
        try log.append(first, arrivalMs: baseMs)
        // A crash mid-write: 20 bytes of the next record reached the disk.
        appendBytes(Array(repeating: 0xAB, count: 20), to: directory + "/20261125T05.ncm")
        #expect(try replayAll(log).0 == first)
    }
    let reopened = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: unexpectedDamage)
    #expect(fileSize(directory + "/20261125T05.ncm") == SegmentHeader.size + 100 * LogRecord.size)
    try reopened.append(second, arrivalMs: baseMs)
    try reopened.sync()
    #expect(try replayAll(reopened).0 == first + second)
}

@Test func aSegmentWithABadHeaderIsSkippedOrSetAsideAndReported() throws {
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    var random = TestRandom(state: 5)
    let first = randomMeasurements(10, using: &random), second = randomMeasurements(10, using: &random)
    do {
        let log = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: unexpectedDamage)
        try log.append(first, arrivalMs: baseMs)
        try log.append(second, arrivalMs: baseMs + hourMs)
    }
    // An older segment: replay skips it and goes on.
    overwrite(Array("XXXX".utf8), at: 0, in: directory + "/20261125T05.ncm")
    var damage = DamageReports()
    var log = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: damage.report)
    var replayed: [Measurement] = []
    _ = try log.replay(after: nil) { replayed += $0 }
    #expect(replayed == second)
    #expect(damage.all == [MeasurementLogError(path: directory + "/20261125T05.ncm",
                                               message: "not a measurement segment (bad magic); its measurements are skipped")])
    // The segment to append to: set aside on open, and a new one takes the appends.
    overwrite([9], at: 4, in: directory + "/20261125T06.ncm")
    damage = DamageReports()
    log = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: damage.report)
    #expect(damage.all == [MeasurementLogError(path: directory + "/20261125T06.ncm",
                                               message: "unsupported segment version 9; set aside as 20261125T06.ncm.damaged, a new segment started")])
    #expect(access(directory + "/20261125T06.ncm.damaged", F_OK) == 0)
    let third = randomMeasurements(5, using: &random)
    try log.append(third, arrivalMs: baseMs + hourMs)
    replayed = []
    _ = try log.replay(after: nil) { replayed += $0 }
    #expect(replayed == third)
}

@Test func corruptRecordsAreSkippedAndReportedWithTheirFile() throws {
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    var random = TestRandom(state: 6)
    let damage = DamageReports()
    let log = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: damage.report)
    let written = randomMeasurements(10, using: &random)
    try log.append(written, arrivalMs: baseMs)
    overwrite([0x35], at: SegmentHeader.size + 7 * LogRecord.size + 25, in: directory + "/20261125T05.ncm")
    var replayed: [Measurement] = []
    _ = try log.replay(after: nil) { replayed += $0 }
    #expect(replayed == Array(written[..<7] + written[8...]))
    #expect(damage.all == [MeasurementLogError(path: directory + "/20261125T05.ncm", message: "record 7 is corrupt; skipped")])
    overwrite([0x35], at: SegmentHeader.size + 2 * LogRecord.size + 25, in: directory + "/20261125T05.ncm")
    _ = try log.replay(after: nil) { _ in }
    #expect(damage.all.last == MeasurementLogError(path: directory + "/20261125T05.ncm",
                                                   message: "2 records are corrupt, the first is record 2; skipped"))
}

@Test func concurrentAppendsAllLandWhole() async throws {
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    let log = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: unexpectedDamage)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for writer in 0..<8 {
            group.addTask {
                var random = TestRandom(state: UInt64(100 + writer))
                for _ in 0..<50 { try log.append(randomMeasurements(200, using: &random), arrivalMs: baseMs) }
            }
        }
        try await group.waitForAll()
    }
    let (all, reached) = try replayAll(log)
    #expect(all.count == 8 * 50 * 200)
    #expect(reached == LogPosition(hourMs: baseMs, records: 80_000))
}

@Test func retentionDeletesOldSegmentsAndTheCheckpointKeepsTheirAggregates() throws {
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    var random = TestRandom(state: 7)
    let log = try MeasurementLog(directory: directory, retentionMs: 24 * hourMs, reportDamage: unexpectedDamage)
    var aggregates = Aggregates(halfLifeMs: 6 * hourMs)
    var position = LogPosition.start
    for hour in 0..<48 {
        let batch = randomMeasurements(500, using: &random, startMs: baseMs + Int64(hour) * hourMs)
        try log.append(batch, arrivalMs: baseMs + Int64(hour) * hourMs)
        position = try log.replay(after: position) { aggregates.add($0) }
        if hour % 6 == 5 { try log.saveCheckpoint(aggregates, position: position) }
        let deleted = try log.enforceRetention(nowMs: baseMs + Int64(hour + 1) * hourMs)
        #expect(deleted == (hour >= 24 ? 1 : 0))
        #expect(fileNames(directory).filter { $0.hasSuffix(".ncm") }.count == min(hour + 1, 24))
    }
    // Storage is bounded by retention: 24 segments of 500 records and the checkpoint.
    #expect(log.diskBytes == 24 * (SegmentHeader.size + 500 * LogRecord.size) + fileSize(directory + "/checkpoint.ncc"))
    // A restart: the checkpoint plus the records after its position give the same state.
    let restarted = try MeasurementLog(directory: directory, retentionMs: 24 * hourMs, reportDamage: unexpectedDamage)
    guard let (checkpoint, from) = try restarted.loadCheckpoint() else { Issue.record("no checkpoint"); return }
    var restored = checkpoint
    #expect(from == LogPosition(hourMs: baseMs + 47 * hourMs, records: 500))
    try log.append(randomMeasurements(10, using: &random, startMs: baseMs + 48 * hourMs), arrivalMs: baseMs + 48 * hourMs)
    _ = try log.replay(after: position) { aggregates.add($0) }
    _ = try restarted.replay(after: from) { restored.add($0) }
    #expect(restored.estimates(now: baseMs + 49 * hourMs) == aggregates.estimates(now: baseMs + 49 * hourMs))
    #expect(restored.bucketCount == aggregates.bucketCount && restored.bucketCount > 20_000)
}

@Test func checkpointsRoundTripAndCorruptOnesThrowClearly() throws {
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    var random = TestRandom(state: 8)
    let log = try MeasurementLog(directory: directory, retentionMs: hourMs, reportDamage: unexpectedDamage)
    #expect(try log.loadCheckpoint() == nil)
    var aggregates = Aggregates(bucketPolicy: BucketPolicy(ipv4Length: 22, ipv6Length: 40), halfLifeMs: 3 * hourMs)
    aggregates.add(randomMeasurements(5000, using: &random))
    let position = LogPosition(hourMs: baseMs, records: 5000)
    try log.saveCheckpoint(aggregates, position: position)
    #expect(fileNames(directory) == ["checkpoint.ncc"])
    let loaded = try log.loadCheckpoint()
    #expect(loaded?.1 == position)
    #expect(loaded?.0.bucketPolicy == BucketPolicy(ipv4Length: 22, ipv6Length: 40) && loaded?.0.halfLifeMs == 3 * hourMs)
    #expect(loaded?.0.estimates(now: baseMs) == aggregates.estimates(now: baseMs))

    let path = directory + "/checkpoint.ncc"
    overwrite([0xFF], at: 9, in: path)  // the position
    #expect(throws: MeasurementLogError(path: path, message: "corrupt checkpoint: header checksum mismatch")) { try log.loadCheckpoint() }
    try log.saveCheckpoint(aggregates, position: position)
    flipBits(at: fileSize(path) - 100, in: path)
    #expect(throws: MeasurementLogError(path: path, message: "corrupt checkpoint: aggregates: checksum mismatch: the data is corrupt")) {
        try log.loadCheckpoint()
    }
    try log.saveCheckpoint(aggregates, position: position)
    appendBytes([1, 2, 3], to: path)
    #expect(throws: (any Error).self) { try log.loadCheckpoint() }
}
