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

/// Decodes RFC 1035 `\X` and `\DDD` escapes.
func unescape(_ text: String) throws(PresentationError) -> [UInt8] {
    let bytes = Array(text.utf8)
    var result: [UInt8] = []
    var i = 0
    while i < bytes.count {
        guard bytes[i] == UInt8(ascii: "\\") else {
            result.append(bytes[i])
            i += 1
            continue
        }
        guard i + 1 < bytes.count else { throw PresentationError("backslash at the end of '\(text)'") }
        guard isASCIIDigit(bytes[i + 1]) else {
            result.append(bytes[i + 1])
            i += 2
            continue
        }
        guard i + 3 < bytes.count, isASCIIDigit(bytes[i + 2]), isASCIIDigit(bytes[i + 3]),
              let value = UInt8(String(decoding: bytes[(i + 1)...(i + 3)], as: UTF8.self)) else {
            throw PresentationError("bad escape in '\(text)' (\\DDD takes three digits, at most 255)")
        }
        result.append(value)
        i += 4
    }
    return result
}

/// `bytes` as a quoted character-string: `"` and `\` get a backslash, and
/// bytes outside printable ASCII become `\DDD`.
func quoted(_ bytes: [UInt8]) -> String {
    var text = "\""
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            text += "\\" + String(UnicodeScalar(byte))
        case 0x20...0x7E:
            text.unicodeScalars.append(UnicodeScalar(byte))
        default:
            let digits = String(byte)
            text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
        }
    }
    return text + "\""
}

/// Uppercase hex, as dig and BIND print it.
func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
}

/// Hex digits in either case, an even number of them; nil otherwise.
func hexBytes(_ text: String) -> [UInt8]? {
    let nibbles = text.utf8.map { byte -> UInt8? in
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
    guard nibbles.count % 2 == 0, !nibbles.contains(nil) else { return nil }
    return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0]! << 4 | nibbles[$0 + 1]! }
}

private let base64Digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

/// Standard base64 (RFC 4648 §4) with padding.
func base64(_ bytes: [UInt8]) -> String {
    var text: [UInt8] = []
    for start in stride(from: 0, to: bytes.count, by: 3) {
        let chunk = bytes[start..<Swift.min(start + 3, bytes.count)]
        let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
        for i in 0..<4 {
            text.append(i <= chunk.count ? base64Digits[Int(value >> (18 - 6 * i) & 0x3F)] : UInt8(ascii: "="))
        }
    }
    return String(decoding: text, as: UTF8.self)
}

/// Decodes standard padded base64; nil for anything else, including
/// misplaced padding and stray bits in the last digit (the round trip
/// through `base64` catches both).
func base64Bytes(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 4 == 0 else { return nil }
    let padding = chars.reversed().prefix { $0 == UInt8(ascii: "=") }.count
    guard padding <= 2 else { return nil }
    var result: [UInt8] = []
    for start in stride(from: 0, to: chars.count, by: 4) {
        var value: UInt32 = 0
        for char in chars[start..<(start + 4)] {
            let digit = char == UInt8(ascii: "=") ? 0 : base64Digits.firstIndex(of: char)
            guard let digit else { return nil }
            value = value << 6 | UInt32(digit)
        }
        result += [UInt8(value >> 16), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    result.removeLast(padding)
    return base64(result) == text ? result : nil
}

func isASCIIDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
