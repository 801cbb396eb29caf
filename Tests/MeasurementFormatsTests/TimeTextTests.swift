import Foundation
@testable import MeasurementFormats
import Testing

private func milliseconds(_ text: String) -> Int64? {
    Array(text.utf8).withUnsafeBufferPointer { TimeText.milliseconds($0) }
}

@Test func rfc3339AgreesWithFoundationOnRandomTimes() {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
        let seconds = Int64.random(in: 946_684_800...4_102_444_800, using: &generator)
        let offsetMinutes = Int.random(in: -14 * 4...14 * 4, using: &generator) * 15
        formatter.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
        let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        #expect(milliseconds(text) == seconds * 1000, "\(text)")
    }
}

@Test func fractionsAreTruncatedToMilliseconds() {
    #expect(milliseconds("2026-11-25T05:00:00.2Z") == 1_795_582_800_200)
    #expect(milliseconds("2026-11-25T05:00:00.123999Z") == 1_795_582_800_123)
    #expect(milliseconds("2026-11-25t05:00:00z") == 1_795_582_800_000)
    #expect(milliseconds("2026-11-25 05:00:00+05:30") == 1_795_563_000_000)
    #expect(milliseconds("1795582800.0429") == 1_795_582_800_042)
}

@Test func malformedTimesAreNil() {
    for text in ["2026-11-25", "2026-11-25T05:00Z", "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-25T24:00:00Z",
                 "2026-11-25T05:00:00", "2026-11-25T05:00:00.Z", "2026-11-25T05:00:00+0500", "2026-11-25T05:00:00Zjunk",
                 "1795582800.", "-5", "12345678901234", "", "1e9", "2024-02-30T00:00:00Z"] {
        #expect(milliseconds(text) == nil, "\(text)")
    }
    #expect(milliseconds("2024-02-29T00:00:00Z") == 1_709_164_800_000)
}
