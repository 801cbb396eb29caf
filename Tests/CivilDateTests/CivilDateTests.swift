import CivilDate
import Foundation
import Testing

@Suite struct CivilDateTests {
    @Test func knownDates() {
        #expect(CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(CivilDate(year: 2000, month: 3, day: 1).daysSinceEpoch == 11_017)
        #expect(CivilDate(year: 1969, month: 12, day: 31).daysSinceEpoch == -1)
        #expect(CivilDate(daysSinceEpoch: 20_417) == CivilDate(year: 2025, month: 11, day: 25))
        #expect(CivilDate.days(inMonth: 2, year: 2000) == 29 && CivilDate.days(inMonth: 2, year: 1900) == 28)
    }

    /// Both directions agree with Foundation's Gregorian calendar from 1600 to 2300 (before 1582 Foundation is Julian).
    @Test func agreesWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for days in stride(from: Int64(-135_000), through: 120_000, by: 37) {
            let date = CivilDate(daysSinceEpoch: days)
            let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect(Int64(parts.year!) == date.year && Int64(parts.month!) == date.month && Int64(parts.day!) == date.day)
            #expect(date.daysSinceEpoch == days)
        }
    }
}
