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
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(hours - days * 24, 2) + suffix
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
        let hourStart = (days(fromCivil: year, month, day) * 24 + hour) * hourMs
        return Self.name(ofHour: hourStart) == name ? hourStart : nil
    }

    /// Howard Hinnant's `days_from_civil` and `civil_from_days` (proleptic Gregorian, days since 1970-01-01).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        return era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfYear - (153 * mp + 2) / 5 + 1)
    }
}
