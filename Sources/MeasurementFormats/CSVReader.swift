#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LatencyLearning
import LatencyModel

/// The columns of a measurement row.
enum Column: String, CaseIterable {
    case time, client, region, rtt = "rtt_ms", source
}

/// Which column each field of a row is: from the header, or the default
/// order `time,client,region,rtt_ms[,source]`.
struct ColumnLayout {
    var columns: [Column]
    /// Rows may leave out the last column: true when it is `source`.
    var lastIsOptional: Bool

    static let positional = ColumnLayout(columns: [.time, .client, .region, .rtt, .source], lastIsOptional: true)

    var expectedFields: String {
        let names = columns.map(\.rawValue).joined(separator: ",")
        return lastIsOptional ? "\(columns.count - 1) or \(columns.count) fields (\(names))" : "\(columns.count) fields (\(names))"
    }

    func accepts(fieldCount: Int) -> Bool {
        fieldCount == columns.count || (lastIsOptional && fieldCount == columns.count - 1)
    }
}

/// Reads CSV from bytes: one row per line (LF or CRLF), `#` comments and
/// blank lines skipped, fields trimmed of spaces and of enclosing double quotes.
struct CSVReader {
    let rules: RowRules
    let defaultSource: Measurement.Source
    let maxRows: Int

    /// More fields than any layout has: the rest of a row is not split further.
    private static let fieldLimit = 8

    func read(_ document: UnsafeBufferPointer<UInt8>) throws(MeasurementDocumentError) -> ParsedMeasurements {
        guard let base = document.baseAddress, !document.isEmpty else { return ParsedMeasurements(accepted: [], rejected: []) }
        guard memchr(base, 0, document.count) == nil else { throw .notText }
        var result = ParsedMeasurements(accepted: [], rejected: [])
        result.accepted.reserveCapacity(min(maxRows, document.count / 40))
        var layout: ColumnLayout?, line = 0, rows = 0, start = 0
        var fields = [UnsafeBufferPointer<UInt8>](repeating: UnsafeBufferPointer(start: nil, count: 0), count: Self.fieldLimit)
        while start < document.count {
            line += 1
            let newline = memchr(base + start, 0x0A, document.count - start).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
            let lineEnd = newline ?? document.count
            defer { start = lineEnd + 1 }
            let text = Self.trimmed(UnsafeBufferPointer(rebasing: document[start..<lineEnd]))
            guard let first = text.first, first != UInt8(ascii: "#") else { continue }
            let fieldCount = Self.split(text, into: &fields)
            if layout == nil {
                if Self.isLetter(first) {
                    layout = try Self.header(fields.prefix(fieldCount), line: line)
                    continue
                }
                guard fieldCount > 1 else { throw .notCSVOrJSON(line: line) }
                layout = .positional
            }
            let columns = layout ?? .positional
            rows += 1
            guard rows <= maxRows else { throw .tooManyRows(limit: maxRows) }
            do throws(RowError) {
                guard columns.accepts(fieldCount: fieldCount) else {
                    throw RowError(reason: "expected \(columns.expectedFields), got \(fieldCount)")
                }
                result.accepted.append(try measurement(fields, count: fieldCount, columns: columns.columns))
            } catch {
                result.rejected.append(RejectedRow(line: line, reason: error.reason))
            }
        }
        return result
    }

    /// The measurement of one row's fields.
    private func measurement(_ fields: [UnsafeBufferPointer<UInt8>], count: Int, columns: [Column]) throws(RowError) -> Measurement {
        var timeMs: Int64 = 0, client = IPPrefix(.v4(0), length: 0), region: RegionID = 0, rttMs = 0.0, source = defaultSource
        for index in 0..<count {
            let field = fields[index]
            switch columns[index] {
            case .time: timeMs = try rules.time(field)
            case .client: client = try rules.client(field)
            case .region: region = try rules.region(field)
            case .rtt: rttMs = try rules.rtt(field)
            case .source: source = try rules.source(field, default: defaultSource)
            }
        }
        return Measurement(timeMs: timeMs, client: client, region: region, rttMs: rttMs, source: source)
    }

    /// The layout a header line names; every required column once, `source` optional.
    private static func header(_ names: ArraySlice<UnsafeBufferPointer<UInt8>>, line: Int) throws(MeasurementDocumentError) -> ColumnLayout {
        var columns: [Column] = []
        for name in names {
            let text = String(decoding: name, as: UTF8.self)
            guard let column = Column(rawValue: text) else {
                throw .badHeader(line: line, reason: "unknown column '\(text)' (columns: time, client, region, rtt_ms, source)")
            }
            guard !columns.contains(column) else { throw .badHeader(line: line, reason: "column '\(text)' appears twice") }
            columns.append(column)
        }
        let missing = Column.allCases.filter { $0 != .source && !columns.contains($0) }
        guard missing.isEmpty else {
            throw .badHeader(line: line, reason: "missing column(s) " + missing.map { "'\($0.rawValue)'" }.joined(separator: ", "))
        }
        return ColumnLayout(columns: columns, lastIsOptional: columns.last == .source)
    }

    /// Splits `line` at commas into `fields` (trimmed); returns the number of
    /// fields, which may exceed `fields.count` (the extra ones are not stored).
    private static func split(_ line: UnsafeBufferPointer<UInt8>, into fields: inout [UnsafeBufferPointer<UInt8>]) -> Int {
        var count = 0, fieldStart = 0
        for index in 0...line.count where index == line.count || line[index] == UInt8(ascii: ",") {
            if count < fields.count { fields[count] = unquoted(trimmed(UnsafeBufferPointer(rebasing: line[fieldStart..<index]))) }
            count += 1
            fieldStart = index + 1
        }
        return count
    }

    /// Without leading and trailing spaces, tabs and carriage returns.
    private static func trimmed(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0, upper = text.count
        while lower < upper && isBlank(text[lower]) { lower += 1 }
        while upper > lower && isBlank(text[upper - 1]) { upper -= 1 }
        return UnsafeBufferPointer(rebasing: text[lower..<upper])
    }

    private static func unquoted(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard text.count >= 2, text[0] == UInt8(ascii: "\""), text[text.count - 1] == UInt8(ascii: "\"") else { return text }
        return UnsafeBufferPointer(rebasing: text[1..<text.count - 1])
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- UInt8(ascii: "a") < 26 }
}
