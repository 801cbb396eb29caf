/// A point in the log: after the first `records` records of the segment of
/// the hour starting at `hourMs`. Positions order as the records do.
public struct LogPosition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var hourMs: Int64
    public var records: Int64

    public init(hourMs: Int64, records: Int64) {
        self.hourMs = hourMs; self.records = records
    }

    /// Before every record.
    public static let start = LogPosition(hourMs: .min, records: 0)

    public static func < (a: LogPosition, b: LogPosition) -> Bool {
        (a.hourMs, a.records) < (b.hourMs, b.records)
    }

    public var description: String {
        self == .start ? "start" : "\(SegmentName.name(ofHour: hourMs)) + \(records) records"
    }
}
