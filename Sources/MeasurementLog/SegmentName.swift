import CivilDate
/// Segment files are named by their arrival hour in UTC: `YYYYMMDDTHH.ncm`,
/// so names sort in time order.
enum SegmentName {
    static let suffix = ".ncm"
    static let hourMs: Int64 = 3_600_000

    /// The start of the hour holding `ms`.
    static func hour(of ms: Int64) -> Int64 {
        (ms >= 0 ? ms : ms - hourMs + 1) / hourMs * hourMs
    }

    static func name(ofHour hourStartMs: Int64) -> String {
        let hours = hourStartMs / hourMs
        let days = hours >= 0 ? hours / 24 : (hours - 23) / 24
        let date = CivilDate(daysSinceEpoch: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(date.year, 4) + pad(date.month, 2) + pad(date.day, 2) + "T" + pad(hours - days * 24, 2) + suffix
    }

    /// The hour a segment name stands for, or nil when it is not one.
    static func hour(ofName name: String) -> Int64? {
        let bytes = Array(name.utf8)
        guard bytes.count == 11 + suffix.utf8.count, bytes[8] == UInt8(ascii: "T"), name.hasSuffix(suffix) else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            bytes[range].allSatisfy { $0 &- 0x30 < 10 } ? bytes[range].reduce(0) { $0 * 10 + Int64($1 - 0x30) } : nil
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
              (1...12).contains(month), (1...31).contains(day), hour < 24 else { return nil }
        let hourStart = (CivilDate(year: year, month: month, day: day).daysSinceEpoch * 24 + hour) * hourMs
        return Self.name(ofHour: hourStart) == name ? hourStart : nil
    }
}
