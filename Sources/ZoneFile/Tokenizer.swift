/// One field of a master-file entry.
///
/// `text` keeps backslash escapes exactly as written but drops the double
/// quotes around quoted parts, so each consumer decodes escapes once, the
/// way its field needs (names and character-strings differ).
struct Token: Equatable, Sendable {
    var text: String
    /// The field began with a double quote: it is data, never `\#` or a directive.
    var quoted: Bool
}

/// One record or directive: the fields of a line, or of several lines
/// joined by parentheses. Invariant: `tokens` is never empty.
struct Entry: Sendable {
    /// The line the entry starts on, counting from 1.
    var line: Int
    /// The entry's first line begins with a blank, so it names no owner.
    var ownerOmitted: Bool
    var tokens: [Token]
}

/// A syntax error in the entry that starts at `line`.
struct EntryError: Error {
    var line: Int
    var message: String
}

/// Splits master-file text into entries (RFC 1035 §5.1): handles quotes,
/// escapes, parentheses and `;` comments, and counts lines.
struct Tokenizer {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    private static let newline = UInt8(ascii: "\n"), quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let blanks: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")]
    private static let delimiters = blanks.union([UInt8(ascii: ";"), UInt8(ascii: "("), UInt8(ascii: ")")])

    init(_ text: String) { bytes = Array(text.utf8) }

    /// The next entry, or nil at the end of the text. After an error the
    /// tokenizer resumes with the line after the bad entry.
    mutating func next() -> Result<Entry, EntryError>? {
        var tokens: [Token] = []
        var start: (line: Int, ownerOmitted: Bool)?
        var depth = 0
        var problem: String?
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.newline {
                index += 1
                line += 1
                lineStart = index
                if depth == 0, start != nil { break }
                continue
            }
            if Self.blanks.contains(byte) { index += 1; continue }
            if byte == UInt8(ascii: ";") {
                while index < bytes.count, bytes[index] != Self.newline { index += 1 }
                continue
            }
            if start == nil { start = (line, Self.blanks.contains(bytes[lineStart])) }
            switch byte {
            case UInt8(ascii: "("):
                depth += 1
                index += 1
            case UInt8(ascii: ")"):
                if depth == 0 { problem = problem ?? "unbalanced parenthesis" } else { depth -= 1 }
                index += 1
            default:
                let (token, closed) = readToken()
                tokens.append(token)
                if !closed { problem = problem ?? "missing closing quote" }
            }
        }
        guard let start else { return nil }
        if depth > 0 { problem = problem ?? "unbalanced parenthesis" }
        if let problem { return .failure(EntryError(line: start.line, message: problem)) }
        if tokens.isEmpty { return next() }  // a line holding only "()"
        return .success(Entry(line: start.line, ownerOmitted: start.ownerOmitted, tokens: tokens))
    }

    /// Reads the field starting at `index`. Quoted parts may hold blanks and
    /// delimiters but not a newline; `closed` is false when a quote is left open.
    private mutating func readToken() -> (token: Token, closed: Bool) {
        let quoted = bytes[index] == Self.quote
        var text: [UInt8] = []
        var inQuotes = false
        while index < bytes.count, bytes[index] != Self.newline {
            let byte = bytes[index]
            if !inQuotes, Self.delimiters.contains(byte) { break }
            index += 1
            if byte == Self.quote { inQuotes.toggle(); continue }
            text.append(byte)
            if byte == Self.backslash, index < bytes.count, bytes[index] != Self.newline {
                text.append(bytes[index])
                index += 1
            }
        }
        return (Token(text: String(decoding: text, as: UTF8.self), quoted: quoted), !inQuotes)
    }
}
