import LatencyLearning
import LatencyModel

/// The text formats of a measurement batch.
public enum MeasurementFormat: Sendable {
    case csv, json

    /// JSON when the first byte that is not white space is `{` or `[`, else CSV.
    public static func detect(_ bytes: some Sequence<UInt8>) -> MeasurementFormat {
        let first = bytes.first { !JSONScanner.isWhitespace($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json : .csv
    }
}

/// A row (CSV) or item (JSON) that was not accepted, and why.
public struct RejectedRow: Hashable, Sendable, CustomStringConvertible {
    /// 1-based line of the document where the row or item starts.
    public var line: Int
    /// The JSON item's index in `measurements` (0-based); nil for CSV.
    public var item: Int?
    public var reason: String

    public init(line: Int, item: Int? = nil, reason: String) {
        self.line = line; self.item = item; self.reason = reason
    }

    /// `line 7: unknown region 'eu-west-9'`, or `line 7: measurements[3]: …` for JSON.
    public var description: String {
        "line \(line): " + (item.map { "measurements[\($0)]: " } ?? "") + reason
    }
}

/// A parsed batch: the good rows, in document order, and every bad one.
public struct ParsedMeasurements: Sendable {
    public var accepted: [LatencyLearning.Measurement]
    public var rejected: [RejectedRow]
}

/// A document that cannot be read as a batch at all.
public enum MeasurementDocumentError: Error, Equatable, CustomStringConvertible {
    /// It holds NUL bytes: binary data, not text.
    case notText
    /// Its first content line (not a comment) has no comma and is not JSON.
    case notCSVOrJSON(line: Int)
    /// The CSV header names an unknown or repeated column, or misses a required one.
    case badHeader(line: Int, reason: String)
    /// The JSON is malformed or not `{"measurements": [...]}`.
    case badJSON(line: Int, reason: String)
    /// More rows or items than the caller allows.
    case tooManyRows(limit: Int)

    public var description: String {
        switch self {
        case .notText: "the document is not text (it contains NUL bytes); expected CSV or JSON"
        case .notCSVOrJSON(let line): "the document is neither CSV nor JSON: line \(line) has no comma-separated fields"
        case .badHeader(let line, let reason): "line \(line): \(reason)"
        case .badJSON(let line, let reason): "line \(line): invalid JSON: \(reason)"
        case .tooManyRows(let limit): "the document has more than \(limit) measurements"
        }
    }
}

/// Parses measurement batches in CSV or JSON (see docs/latency-learning.md,
/// "Formats and storage"). Pure: the time is a parameter.
///
/// A row has `time` (RFC 3339 or Unix seconds), `client` (an address or a
/// prefix without host bits), `region` (a name in the catalog), `rtt_ms`
/// (> 0 and ≤ 60000) and optionally `source` (`rum`, `probe`, `import`).
/// Times before 2000 or more than an hour after `nowMs` are rejected.
public struct MeasurementParser: Sendable {
    public let defaultSource: LatencyLearning.Measurement.Source
    /// The most rows (CSV) or items (JSON) a document may have.
    public let maxRows: Int
    private let regions: RegionTable

    public init(catalog: RegionCatalog, defaultSource: LatencyLearning.Measurement.Source = .imported, maxRows: Int = 1_000_000) {
        self.defaultSource = defaultSource; self.maxRows = maxRows
        regions = RegionTable(catalog)
    }

    /// Parses `bytes` as `format`, or as the format `MeasurementFormat.detect` finds.
    public func parse(_ bytes: [UInt8], format: MeasurementFormat? = nil, nowMs: Int64) throws(MeasurementDocumentError) -> ParsedMeasurements {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MeasurementDocumentError) in
            try parse(buffer, format: format ?? .detect(buffer), nowMs: nowMs)
        }
    }

    public func parse(_ text: String, format: MeasurementFormat? = nil, nowMs: Int64) throws(MeasurementDocumentError) -> ParsedMeasurements {
        try parse(Array(text.utf8), format: format, nowMs: nowMs)
    }

    public func parse(_ bytes: UnsafeBufferPointer<UInt8>, format: MeasurementFormat, nowMs: Int64) throws(MeasurementDocumentError) -> ParsedMeasurements {
        let rules = RowRules(regions: regions, nowMs: nowMs)
        switch format {
        case .csv: return try CSVReader(rules: rules, defaultSource: defaultSource, maxRows: maxRows).read(bytes)
        case .json: return try JSONReader(rules: rules, defaultSource: defaultSource, maxRows: maxRows).read(bytes)
        }
    }
}
