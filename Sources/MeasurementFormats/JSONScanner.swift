/// A JSON syntax error at a line.
struct JSONSyntaxError: Error {
    var line: Int
    var reason: String
}

/// Reads JSON tokens from a mutable copy of a document, counting lines.
/// Strings are unescaped in place (an unescaped string is never longer than
/// its escaped form), so a string token is a slice of the document.
struct JSONScanner {
    enum ValueKind { case string, number, other }

    let bytes: UnsafeMutableBufferPointer<UInt8>
    private(set) var position = 0
    private(set) var line = 1
    /// Deeper values are rejected rather than risking the stack.
    static let maximumDepth = 64

    init(_ bytes: UnsafeMutableBufferPointer<UInt8>) { self.bytes = bytes }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    var atEnd: Bool { position == bytes.count }

    /// The next byte that is not white space, without consuming it (nil at the end).
    mutating func peek() -> UInt8? {
        while position < bytes.count, Self.isWhitespace(bytes[position]) {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        return position < bytes.count ? bytes[position] : nil
    }

    /// What the next value is, from its first byte.
    mutating func nextKind() -> ValueKind {
        switch peek() {
        case UInt8(ascii: "\""): .string
        case let byte? where byte == UInt8(ascii: "-") || byte &- 0x30 < 10: .number
        default: .other
        }
    }

    /// Consumes `byte` (after white space) or fails naming `expected`.
    mutating func expect(_ byte: UInt8, _ expected: String) throws(JSONSyntaxError) {
        guard peek() == byte else { throw error("expected \(expected)") }
        position += 1
    }

    /// Consumes `byte` if it comes next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    func error(_ reason: String) -> JSONSyntaxError {
        let found = position < bytes.count ? "'\(String(decoding: [bytes[position]], as: UTF8.self))'" : "the end"
        return JSONSyntaxError(line: line, reason: "\(reason), found \(found)")
    }

    /// A string value's unescaped bytes.
    mutating func string() throws(JSONSyntaxError) -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""), "a string")
        let start = position
        var write = position
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return UnsafeBufferPointer(rebasing: bytes[start..<write])
            case UInt8(ascii: "\\"):
                try unescape(&write)
            case 0..<0x20:
                position -= 1
                throw error("a control character in a string")
            default:
                bytes[write] = byte
                write += 1
            }
        }
        throw error("an unterminated string")
    }

    /// Decodes the escape after a backslash, writing UTF-8 at `write`.
    private mutating func unescape(_ write: inout Int) throws(JSONSyntaxError) {
        guard position < bytes.count else { throw error("an unterminated string") }
        let escape = bytes[position]
        position += 1
        let simple: UInt8? = switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): escape
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            bytes[write] = simple
            write += 1
            return
        }
        guard escape == UInt8(ascii: "u") else { position -= 1; throw error("an invalid escape") }
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar), position + 1 < bytes.count,
           bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
            position += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("an invalid surrogate pair") }
            scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
        }
        for byte in String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8 {
            bytes[write] = byte
            write += 1
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("an invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position] | 0x20
            let digit: UInt8 = byte &- 0x30 < 10 ? byte &- 0x30 : (byte &- 0x61 < 6 ? byte &- 0x61 + 10 : 0xFF)
            guard digit != 0xFF else { throw error("an invalid \\u escape") }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// A number's text, checked against JSON's grammar: `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`.
    mutating func number() throws(JSONSyntaxError) -> UnsafeBufferPointer<UInt8> {
        _ = peek()
        let start = position
        _ = consume(UInt8(ascii: "-"))
        if position < bytes.count && bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            guard digits() > 0 else { throw error("a number") }
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("digits after the decimal point") }
        }
        if position < bytes.count && bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) { position += 1 }
            guard digits() > 0 else { throw error("digits in the exponent") }
        }
        return UnsafeBufferPointer(rebasing: bytes[start..<position])
    }

    private mutating func digits() -> Int {
        let start = position
        while position < bytes.count && bytes[position] &- 0x30 < 10 { position += 1 }
        return position - start
    }

    /// Reads past any value, checking its syntax.
    mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
        guard depth < Self.maximumDepth else { throw error("values nested more than \(Self.maximumDepth) deep") }
        switch peek() {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"):
            position += 1
            if consume(UInt8(ascii: "}")) { return }
            repeat {
                _ = try string()
                try expect(UInt8(ascii: ":"), "':'")
                try skipValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"), "',' or '}'")
        case UInt8(ascii: "["):
            position += 1
            if consume(UInt8(ascii: "]")) { return }
            repeat { try skipValue(depth: depth + 1) } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"), "',' or ']'")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            _ = try number()
        }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        for byte in word.utf8 {
            guard position < bytes.count, bytes[position] == byte else { throw error("'\(word)'") }
            position += 1
        }
    }
}
