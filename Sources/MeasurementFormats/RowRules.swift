import LatencyLearning
import LatencyModel

/// Why a row was rejected.
struct RowError: Error {
    var reason: String
}

/// The checks every row's fields pass, whatever the format: each returns the
/// field's value or throws the reason, quoting the text it got.
struct RowRules: Sendable {
    /// 2000-01-01T00:00:00Z: earlier times are rejected.
    static let earliestMs: Int64 = 946_684_800_000
    /// Times later than now plus this are rejected (clock skew).
    static let futureToleranceMs: Int64 = 3_600_000
    static let maximumRTTMs = 60_000.0

    let regions: RegionTable
    let nowMs: Int64

    func time(_ text: UnsafeBufferPointer<UInt8>) throws(RowError) -> Int64 {
        guard let ms = TimeText.milliseconds(text) else {
            throw RowError(reason: "time must be RFC 3339 (e.g. 2026-11-25T05:00:00Z) or Unix seconds, got \(Self.quoted(text))")
        }
        return try time(ms: ms, text)
    }

    /// A JSON number of Unix seconds (an exponent allowed).
    func unixTime(_ text: UnsafeBufferPointer<UInt8>) throws(RowError) -> Int64 {
        guard let seconds = DecimalText.value(text), seconds.isFinite, abs(seconds) < 1e13 else {
            throw RowError(reason: "time must be Unix seconds, got \(Self.quoted(text))")
        }
        return try time(ms: Int64((seconds * 1000).rounded(.down)), text)
    }

    /// Checks a time already parsed from `text` (which is only quoted).
    func time(ms: Int64, _ text: UnsafeBufferPointer<UInt8>) throws(RowError) -> Int64 {
        guard ms >= Self.earliestMs else { throw RowError(reason: "time \(Self.quoted(text)) is before 2000-01-01") }
        guard ms <= nowMs + Self.futureToleranceMs else {
            throw RowError(reason: "time \(Self.quoted(text)) is more than 1 hour in the future")
        }
        return ms
    }

    func client(_ text: UnsafeBufferPointer<UInt8>) throws(RowError) -> IPPrefix {
        switch ClientText.parse(text) {
        case .prefix(let prefix): return prefix
        case .hostBitsSet: throw RowError(reason: "client \(Self.quoted(text)) has bits set beyond its prefix length")
        case .invalid: throw RowError(reason: "client must be an IPv4/IPv6 address or prefix, got \(Self.quoted(text))")
        }
    }

    func region(_ text: UnsafeBufferPointer<UInt8>) throws(RowError) -> RegionID {
        guard let id = regions.id(of: text) else { throw RowError(reason: "unknown region \(Self.quoted(text))") }
        return id
    }

    func rtt(_ text: UnsafeBufferPointer<UInt8>) throws(RowError) -> Double {
        guard let value = DecimalText.value(text), value > 0, value <= Self.maximumRTTMs else {
            throw RowError(reason: "rtt_ms must be a number > 0 and ≤ 60000, got \(Self.quoted(text))")
        }
        return value
    }

    func source(_ text: UnsafeBufferPointer<UInt8>, default fallback: Measurement.Source) throws(RowError) -> Measurement.Source {
        if text.isEmpty { return fallback }
        if text.elementsEqual("rum".utf8) { return .rum }
        if text.elementsEqual("probe".utf8) { return .probe }
        if text.elementsEqual("import".utf8) { return .imported }
        throw RowError(reason: "source must be rum, probe or import, got \(Self.quoted(text))")
    }

    /// `text` in single quotes, cut to 64 bytes, for a message.
    static func quoted(_ text: UnsafeBufferPointer<UInt8>) -> String {
        let shown = String(decoding: text.prefix(64), as: UTF8.self)
        return "'\(shown)\(text.count > 64 ? "…" : "")'"
    }
}
