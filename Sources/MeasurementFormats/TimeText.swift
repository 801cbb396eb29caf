import CivilDate
/// Times as text, parsed from bytes without Foundation: RFC 3339 timestamps
/// and Unix seconds.
enum TimeText {
    /// Milliseconds since 1970-01-01 UTC, or nil when `text` is neither
    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (RFC 3339; `t`, `z` and a
    /// space separator allowed) nor Unix seconds (`digits[.digits]`).
    /// Fractions beyond milliseconds are truncated.
    static func milliseconds(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        text.count >= 5 && text[4] == UInt8(ascii: "-") ? rfc3339(text) : unixSeconds(text)
    }

    static func unixSeconds(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        guard let seconds = digits(text, &i, max: 12), seconds.count > 0 else { return nil }
        var ms = seconds.value * 1000
        if i < text.count {
            guard text[i] == UInt8(ascii: "."), let fraction = fractionMilliseconds(text, &i) else { return nil }
            ms += fraction
        }
        return i == text.count ? ms : nil
    }

    static func rfc3339(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        guard let year = fixed(text, &i, 4), literal(text, &i, "-"), let month = fixed(text, &i, 2), literal(text, &i, "-"),
              let day = fixed(text, &i, 2), literal(text, &i, "T") || literal(text, &i, "t") || literal(text, &i, " ")
        else { return nil }
        guard let hour = fixed(text, &i, 2), literal(text, &i, ":"), let minute = fixed(text, &i, 2), literal(text, &i, ":"),
              let second = fixed(text, &i, 2),
              (1...12).contains(month), day >= 1, day <= CivilDate.days(inMonth: month, year: year),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var ms: Int64 = 0
        if i < text.count && text[i] == UInt8(ascii: ".") {
            guard let fraction = fractionMilliseconds(text, &i) else { return nil }
            ms = fraction
        }
        guard i < text.count else { return nil }
        var offsetMinutes: Int64 = 0
        switch text[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = text[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let offsetHours = fixed(text, &i, 2), literal(text, &i, ":"), let offsetMinute = fixed(text, &i, 2),
                  offsetHours <= 23, offsetMinute <= 59 else { return nil }
            offsetMinutes = sign * (offsetHours * 60 + offsetMinute)
        default:
            return nil
        }
        guard i == text.count else { return nil }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        let seconds = ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60 + second
        return seconds * 1000 + ms
    }

    /// Exactly `count` digits at `i`.
    private static func fixed(_ text: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ count: Int) -> Int64? {
        guard let run = digits(text, &i, max: count), run.count == count else { return nil }
        return run.value
    }

    /// Up to `max` digits at `i` (fails when there are more).
    private static func digits(_ text: UnsafeBufferPointer<UInt8>, _ i: inout Int, max: Int) -> (value: Int64, count: Int)? {
        var value: Int64 = 0, count = 0
        while i < text.count, case let digit = text[i] &- 0x30, digit < 10 {
            guard count < max else { return nil }
            value = value * 10 + Int64(digit)
            count += 1
            i += 1
        }
        return (value, count)
    }

    /// `.digits` at `i` as milliseconds (at least one digit; the ones after the third are checked, not used).
    private static func fractionMilliseconds(_ text: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int64? {
        i += 1
        var ms: Int64 = 0, count = 0
        while i < text.count, case let digit = text[i] &- 0x30, digit < 10 {
            if count < 3 { ms = ms * 10 + Int64(digit) }
            count += 1
            i += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 3) { ms *= 10 }
        return ms
    }

    private static func literal(_ text: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ ascii: Unicode.Scalar) -> Bool {
        guard i < text.count, text[i] == UInt8(ascii: ascii) else { return false }
        i += 1
        return true
    }
}
