import DNSWire

/// A problem with presentation-format text, as a one-line message.
public struct PresentationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads the fields of one RDATA in order. Every read names its field, so
/// an error says which field is missing or malformed.
struct FieldReader {
    private var tokens: ArraySlice<Token>
    /// Appended to relative names.
    let origin: DomainName

    init(_ tokens: ArraySlice<Token>, origin: DomainName) {
        self.tokens = tokens
        self.origin = origin
    }

    var isAtEnd: Bool { tokens.isEmpty }

    /// True when the fields use the RFC 3597 generic form, `\# length hex`.
    var isGeneric: Bool { tokens.first.map { !$0.quoted && $0.text == "\\#" } ?? false }

    mutating func next(_ what: String) throws(PresentationError) -> Token {
        guard let token = tokens.popFirst() else { throw PresentationError("missing \(what)") }
        return token
    }

    mutating func number<T: FixedWidthInteger & UnsignedInteger>(_ what: String) throws(PresentationError) -> T {
        try parseNumber(next(what).text, what)
    }

    /// A time value in seconds or BIND units, as in the SOA timers.
    mutating func duration(_ what: String) throws(PresentationError) -> UInt32 {
        try parseDuration(next(what).text, what, max: .max)
    }

    mutating func name(_ what: String) throws(PresentationError) -> DomainName {
        try parseName(next(what).text, origin: origin)
    }

    /// A field's bytes with escapes decoded, of any length.
    mutating func bytes(_ what: String) throws(PresentationError) -> [UInt8] {
        try unescape(next(what).text)
    }

    /// A character-string (RFC 1035 §3.3): at most 255 bytes.
    mutating func characterString(_ what: String) throws(PresentationError) -> [UInt8] {
        let value = try bytes(what)
        guard value.count <= 255 else {
            throw PresentationError("\(what) is \(value.count) bytes; a character-string holds at most 255")
        }
        return value
    }

    /// All remaining fields read as one hex string, which may be split by blanks; at least one field.
    mutating func hex(_ what: String) throws(PresentationError) -> [UInt8] {
        var text = try next(what).text
        while let more = tokens.popFirst() { text += more.text }
        guard let value = hexBytes(text) else { throw PresentationError("bad hex in \(what) '\(text)'") }
        return value
    }

    /// Checks that every field was used.
    func finish() throws(PresentationError) {
        if let extra = tokens.first { throw PresentationError("unexpected extra field '\(extra.text)'") }
    }
}

/// Parses a presentation-format name; relative names get `origin` appended.
func parseName(_ text: String, origin: DomainName) throws(PresentationError) -> DomainName {
    do throws(DNSError) {
        return try DomainName(parsing: text, origin: origin)
    } catch {
        guard case .badName(let why) = error else { throw PresentationError("bad name '\(text)': \(error)") }
        throw PresentationError("bad name '\(text)': \(why)")
    }
}

/// Parses an unsigned decimal number that fits `T`.
func parseNumber<T: FixedWidthInteger & UnsignedInteger>(_ text: String, _ what: String) throws(PresentationError) -> T {
    guard !text.isEmpty, text.utf8.allSatisfy(isASCIIDigit), let value = T(text) else {
        throw PresentationError("bad \(what) '\(text)' (expected a number from 0 to \(T.max))")
    }
    return value
}

/// Parses a time in seconds, or in BIND units (`1w2d`, `1h30m`, `90s`,
/// letters in either case; a trailing plain number counts as seconds),
/// checking that it is at most `max`.
func parseDuration(_ text: String, _ what: String, max: UInt32) throws(PresentationError) -> UInt32 {
    let units: [UInt8: UInt64] = [UInt8(ascii: "s"): 1, UInt8(ascii: "m"): 60, UInt8(ascii: "h"): 3600,
                                  UInt8(ascii: "d"): 86400, UInt8(ascii: "w"): 604_800]
    let cap: UInt64 = 1 << 40  // far above any valid value, far below overflow
    var total: UInt64 = 0
    var pending: UInt64?
    for byte in text.utf8 {
        if isASCIIDigit(byte) {
            pending = Swift.min((pending ?? 0) * 10 + UInt64(byte - 48), cap)
        } else if let count = pending, let unit = units[byte | 0x20] {
            total = Swift.min(total + count * unit, cap)
            pending = nil
        } else {
            throw PresentationError("bad \(what) '\(text)' (expected seconds or units like 1h30m)")
        }
    }
    guard !text.isEmpty else { throw PresentationError("bad \(what) '' (expected seconds or units like 1h30m)") }
    total += pending ?? 0
    guard total <= UInt64(max) else { throw PresentationError("\(what) '\(text)' is above the maximum \(max)") }
    return UInt32(total)
}
