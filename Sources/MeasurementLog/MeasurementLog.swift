#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LatencyLearning
import Synchronization

/// The raw measurements on disk: append-only segment files, one per arrival
/// hour (`YYYYMMDDTHH.ncm`, see `SegmentName`), each a `SegmentHeader` and
/// 32-byte `LogRecord`s; plus the aggregates' checkpoint (`Checkpoint`).
///
/// Invariants: records are only appended, to the segment of the latest hour
/// written so far (a batch arriving with an earlier clock goes there too), so
/// segment order is record order and a `LogPosition` stays valid. A crash
/// mid-write leaves at most a partial last record, which opening cuts off.
/// Damage from elsewhere loses only what is damaged: a record that no
/// `append` can have written is skipped, a segment whose header is bad is
/// skipped by `replay` and, when it is the one to append to, renamed to
/// `<name>.damaged` and started afresh; each is reported, none stops the log.
/// Thread-safe: appends are serialized; `replay` reads the segments that
/// existed when it started, each up to its last whole record when reached.
public final class MeasurementLog: Sendable {
    public let directory: String
    public let retentionMs: Int64
    /// Measurements per `replay` batch.
    public static let replayBatch = 65_536

    private struct Segment {
        var hourMs: Int64
        var file: PosixFile
    }

    private let current = Mutex<Segment?>(nil)
    private let checkpointLock = Mutex(())
    private let reportDamage: @Sendable (MeasurementLogError) -> Void

    /// Creates `directory` if needed, removes leftover temporary files, opens
    /// the newest segment (setting it aside when its header is bad) and cuts
    /// a torn last record off it. `reportDamage` hears of every damaged
    /// segment or record found, now and later; I/O failures throw.
    public init(directory: String, retentionMs: Int64,
                reportDamage: @escaping @Sendable (MeasurementLogError) -> Void) throws(MeasurementLogError) {
        self.directory = directory; self.retentionMs = retentionMs; self.reportDamage = reportDamage
        try Directory.create(directory)
        for name in try Directory.names(directory) where name.hasSuffix(".tmp") {
            try Directory.remove(path(name))
        }
        if let newest = try segments().last {
            let file = try openForAppending(hourMs: newest)
            do {
                try file.truncate(to: SegmentHeader.size + Self.wholeRecords(file) * LogRecord.size)
            } catch {
                file.release()
                throw error
            }
            current.withLock { $0 = Segment(hourMs: newest, file: file) }
        }
    }

    deinit {
        current.withLock { $0?.file.release() }
    }

    /// Appends `batch` to the segment of the hour of `arrivalMs` (or the
    /// latest one written, if later) with one `write` call. Not durable until `sync`.
    public func append(_ batch: [Measurement], arrivalMs: Int64) throws(MeasurementLogError) {
        guard !batch.isEmpty else { return }
        var bytes = [UInt8](repeating: 0, count: batch.count * LogRecord.size)
        bytes.withUnsafeMutableBytes { raw in
            for (index, measurement) in batch.enumerated() { LogRecord.write(measurement, to: raw, at: index * LogRecord.size) }
        }
        try current.withLock { (segment) throws(MeasurementLogError) in
            let hour = max(SegmentName.hour(of: arrivalMs), segment?.hourMs ?? .min)
            if segment?.hourMs != hour {
                segment?.file.release()
                segment = nil
                segment = Segment(hourMs: hour, file: try openForAppending(hourMs: hour))
            }
            guard let file = segment?.file else { return }
            try file.append(bytes)
        }
    }

    /// Makes every appended record durable (fsync of the current segment).
    public func sync() throws(MeasurementLogError) {
        try current.withLock { (segment) throws(MeasurementLogError) in try segment?.file.sync() }
    }

    /// Calls `body` with the records after `position` (all of them for nil),
    /// in order, in batches of at most `replayBatch`; returns the position
    /// after the last record read (`position`, or `.start`, when there were none).
    /// Segments with a bad header and records `append` cannot have written
    /// are skipped and reported (`reportDamage`); I/O failures throw.
    public func replay(after position: LogPosition?, _ body: ([Measurement]) throws -> Void) throws -> LogPosition {
        let from = position ?? .start
        var reached = from
        let hours = try current.withLock { (_) throws(MeasurementLogError) in try segments() }
        var buffer = [UInt8](repeating: 0, count: Self.replayBatch * LogRecord.size)
        for hour in hours where hour >= from.hourMs {
            let file = try PosixFile(path: path(SegmentName.name(ofHour: hour)), flags: O_RDONLY)
            defer { file.release() }
            if let problem = try Self.headerProblem(file, hourMs: hour) {
                reportDamage(MeasurementLogError(path: file.path, message: problem + "; its measurements are skipped"))
                continue
            }
            let records = try Self.wholeRecords(file)
            var next = hour == from.hourMs ? Int(from.records) : 0
            var damage = DamagedRecords()
            while next < records {
                let count = min(Self.replayBatch, records - next)
                let batch = try buffer.withUnsafeMutableBufferPointer { (buffer) throws(MeasurementLogError) -> [Measurement] in
                    let bytes = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[..<(count * LogRecord.size)])
                    guard try file.read(into: bytes, at: SegmentHeader.size + next * LogRecord.size) == bytes.count else {
                        throw MeasurementLogError(path: file.path, message: "the segment shrank while it was read")
                    }
                    return Self.decode(UnsafeRawBufferPointer(bytes), count: count, firstRecord: next, damage: &damage)
                }
                try body(batch)
                next += count
            }
            if let report = damage.report(path: file.path) { reportDamage(report) }
            if hour > from.hourMs || records > from.records { reached = LogPosition(hourMs: hour, records: Int64(records)) }
        }
        return reached
    }

    /// The position after the last record appended (what a checkpoint of
    /// aggregates holding every appended batch records).
    public func endPosition() throws(MeasurementLogError) -> LogPosition {
        try current.withLock { (segment) throws(MeasurementLogError) in
            guard let segment else { return try segments().last.map { LogPosition(hourMs: $0, records: 0) } ?? .start }
            return LogPosition(hourMs: segment.hourMs, records: Int64((try segment.file.size - SegmentHeader.size) / LogRecord.size))
        }
    }

    /// Deletes the segments whose hour ended at least `retentionMs` before
    /// `nowMs`; returns how many.
    @discardableResult
    public func enforceRetention(nowMs: Int64) throws(MeasurementLogError) -> Int {
        try current.withLock { (segment) throws(MeasurementLogError) in
            var deleted = 0
            for hour in try segments() where hour + SegmentName.hourMs <= nowMs - retentionMs {
                if segment?.hourMs == hour {
                    segment?.file.release()
                    segment = nil
                }
                try Directory.remove(path(SegmentName.name(ofHour: hour)))
                deleted += 1
            }
            return deleted
        }
    }

    /// The bytes of every file in the directory: segments and checkpoint.
    public var diskBytes: Int {
        ((try? Directory.names(directory)) ?? []).reduce(0) { $0 + Directory.size(of: path($1)) }
    }

    /// Replaces the checkpoint atomically (temporary file, fsync, rename, fsync of the directory).
    public func saveCheckpoint(_ aggregates: Aggregates, position: LogPosition) throws(MeasurementLogError) {
        try checkpointLock.withLock { (_) throws(MeasurementLogError) in
            try Checkpoint.save(aggregates, position: position, to: path(Checkpoint.fileName), directory: directory)
        }
    }

    /// The last saved checkpoint, or nil when there is none; throws naming the
    /// file when it is corrupt.
    public func loadCheckpoint() throws(MeasurementLogError) -> (Aggregates, LogPosition)? {
        try checkpointLock.withLock { (_) throws(MeasurementLogError) in try Checkpoint.load(from: path(Checkpoint.fileName)) }
    }

    private func path(_ name: String) -> String { directory + "/" + name }

    /// The hours of the segment files, oldest first.
    private func segments() throws(MeasurementLogError) -> [Int64] {
        try Directory.names(directory).compactMap(SegmentName.hour(ofName:)).sorted()
    }

    /// Opens the hour's segment for appending, creating it with its header
    /// first (written to a temporary file and renamed, so a segment always
    /// has one). One with a bad header is renamed to `<name>.damaged` and
    /// replaced by a new one.
    private func openForAppending(hourMs: Int64) throws(MeasurementLogError) -> PosixFile {
        let final = path(SegmentName.name(ofHour: hourMs))
        if access(final, F_OK) == 0 {
            let file = try PosixFile(path: final, flags: O_RDWR | O_APPEND)
            guard let problem = try Self.headerProblem(file, hourMs: hourMs) else { return file }
            file.release()
            try Directory.move(final, to: final + ".damaged")
            reportDamage(MeasurementLogError(path: final, message: problem + "; set aside as \(SegmentName.name(ofHour: hourMs)).damaged, a new segment started"))
        }
        do {
            let temporary = final + ".tmp"
            let file = try PosixFile(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
            defer { file.release() }
            try file.append(SegmentHeader.bytes(hourMs: hourMs))
            try Directory.move(temporary, to: final)
        }
        return try PosixFile(path: final, flags: O_RDWR | O_APPEND)
    }

    /// What is wrong with a segment's header, or nil when it is sound.
    private static func headerProblem(_ file: PosixFile, hourMs: Int64) throws(MeasurementLogError) -> String? {
        var header = [UInt8](repeating: 0, count: SegmentHeader.size)
        let read = try file.read(into: &header, at: 0)
        return header.withUnsafeBytes { SegmentHeader.problem(UnsafeRawBufferPointer(rebasing: $0[..<read]), hourMs: hourMs) }
    }

    /// The number of whole records in a segment.
    private static func wholeRecords(_ file: PosixFile) throws(MeasurementLogError) -> Int {
        (try file.size - SegmentHeader.size) / LogRecord.size
    }

    /// The measurements of `count` records; damaged ones are skipped and counted in `damage`.
    private static func decode(_ bytes: UnsafeRawBufferPointer, count: Int, firstRecord: Int, damage: inout DamagedRecords) -> [Measurement] {
        var batch: [Measurement] = []
        batch.reserveCapacity(count)
        for index in 0..<count {
            if let measurement = LogRecord.read(bytes, at: index * LogRecord.size) {
                batch.append(measurement)
            } else {
                damage.note(record: firstRecord + index)
            }
        }
        return batch
    }
}

/// The damaged records of one segment, for one report.
struct DamagedRecords {
    private(set) var count = 0
    private var first = 0

    mutating func note(record: Int) {
        if count == 0 { first = record }
        count += 1
    }

    func report(path: String) -> MeasurementLogError? {
        guard count > 0 else { return nil }
        return MeasurementLogError(path: path, message: count == 1 ? "record \(first) is corrupt; skipped"
                                   : "\(count) records are corrupt, the first is record \(first); skipped")
    }
}
