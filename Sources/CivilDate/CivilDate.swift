/// A day of the proleptic Gregorian calendar and its distance from
/// 1970-01-01 (Howard Hinnant's `days_from_civil` / `civil_from_days`):
/// what SigV4 timestamps, measurement times and log segment names need
/// without Foundation's calendars.
public struct CivilDate: Hashable, Sendable {
    public var year: Int64
    /// 1...12
    public var month: Int64
    /// 1...31
    public var day: Int64

    public init(year: Int64, month: Int64, day: Int64) { self.year = year; self.month = month; self.day = day }

    /// The date `days` after 1970-01-01 (before it when negative).
    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        month = mp < 10 ? mp + 3 : mp - 9
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days from 1970-01-01 to this date.
    public var daysSinceEpoch: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        return era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468
    }

    /// The number of days in `month` of `year`.
    public static func days(inMonth month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
