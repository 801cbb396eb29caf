import CivilDate
/// A UTC instant with one-second resolution, the precision SigV4 dates carry.
struct Timestamp: Sendable {
    var secondsSince1970: Int64

    init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }

    /// Parses ISO 8601 basic format in UTC, `YYYYMMDD'T'HHMMSS'Z'`: the form of X-Amz-Date.
    init?(iso8601Basic text: String) {
        let b = Array(text.utf8)
        guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z"),
              let year = Self.digits(b[0..<4]), let month = Self.digits(b[4..<6]), let day = Self.digits(b[6..<8]),
              let hour = Self.digits(b[9..<11]), let minute = Self.digits(b[11..<13]), let second = Self.digits(b[13..<15])
        else { return nil }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: 0)
    }

    /// Parses an HTTP Date header: `Sun, 30 Aug 2015 12:36:00 GMT`. A numeric zone such as `-0000`
    /// (what botocore writes, via Python's `email.utils.formatdate`) is accepted too.
    init?(httpDate text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","),
              let day = Self.digits(parts[1].utf8), parts[1].utf8.count <= 2,
              let monthIndex = Self.months.firstIndex(of: String(parts[2])),
              let year = Self.digits(parts[3].utf8), parts[3].utf8.count == 4
        else { return nil }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.utf8.count == 2 }),
              let hour = Self.digits(clock[0].utf8), let minute = Self.digits(clock[1].utf8), let second = Self.digits(clock[2].utf8)
        else { return nil }
        let zone = parts[5]
        var offset = 0
        if zone != "GMT" && zone != "UTC" && zone != "UT" && zone != "Z" {
            let z = Array(zone.utf8)
            guard z.count == 5, z[0] == UInt8(ascii: "+") || z[0] == UInt8(ascii: "-"),
                  let hh = Self.digits(z[1..<3]), let mm = Self.digits(z[3..<5]), mm < 60
            else { return nil }
            offset = (z[0] == UInt8(ascii: "-") ? -1 : 1) * (hh * 3600 + mm * 60)
        }
        self.init(year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second, offset: offset)
    }

    /// `offset` is the zone's distance east of UTC in seconds. Fails on an impossible date or time.
    private init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offset: Int) {
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        let date = CivilDate(year: Int64(year), month: Int64(month), day: Int64(day))
        // Round-tripping rejects days past the end of the month (Feb 30 and the like).
        guard CivilDate(daysSinceEpoch: date.daysSinceEpoch) == date else { return nil }
        secondsSince1970 = date.daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`, as the string to sign carries it.
    var iso8601Basic: String {
        let days = Int(secondsSince1970.floorDivided(by: 86_400))
        let secondOfDay = Int(secondsSince1970 - Int64(days) * 86_400)
        let date = CivilDate(daysSinceEpoch: Int64(days))
        return Self.pad(Int(date.year), 4) + Self.pad(Int(date.month), 2) + Self.pad(Int(date.day), 2) + "T"
            + Self.pad(secondOfDay / 3600, 2) + Self.pad(secondOfDay / 60 % 60, 2) + Self.pad(secondOfDay % 60, 2) + "Z"
    }

    /// `YYYYMMDD`, as the credential scope carries it.
    var dateStamp: String { String(iso8601Basic.prefix(8)) }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func digits<C: Collection<UInt8>>(_ bytes: C) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var n = 0
        for b in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return nil }
            n = n * 10 + Int(b - UInt8(ascii: "0"))
        }
        return n
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}

extension Int64 {
    fileprivate func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
