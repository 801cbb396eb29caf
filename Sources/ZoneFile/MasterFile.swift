import DNSWire
import Foundation  // for reading files only

/// A problem in a master file, located by file and line (line 0 when the
/// file itself could not be read).
public struct ZoneFileError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file; self.line = line; self.message = message
    }
    /// `file:line: message`.
    public var description: String { "\(file):\(line): \(message)" }
}

/// A record and the place it was read from.
public struct SourcedRecord: Sendable, Hashable {
    public var record: Record
    public var file: String
    public var line: Int
    public init(record: Record, file: String, line: Int) {
        self.record = record; self.file = file; self.line = line
    }
}

/// RFC 1035 §5 master files.
public enum MasterFile {
    /// Parses `text` (named `file` in messages) for the zone at `origin`.
    /// Returns every record it could parse and every error, each located by
    /// file and line; a bad entry never stops the parse.
    ///
    /// `defaultTTL` acts as a `$TTL` before the first line. `loader` reads
    /// `$INCLUDE` files, given the path resolved against the directory of
    /// the including file.
    public static func parse(
        _ text: String, file: String, origin: DomainName, defaultTTL: UInt32? = nil,
        loader: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) -> (records: [SourcedRecord], errors: [ZoneFileError]) {
        var parser = Parser(zone: origin, defaultTTL: defaultTTL)
        parser.parse(text, file: file, origin: origin, includers: [], loader: loader)
        return (parser.records, parser.errors)
    }

    /// Reads and parses the master file at `path`; a file that cannot be
    /// read is an error at line 0.
    public static func load(path: String, origin: DomainName) -> (records: [SourcedRecord], errors: [ZoneFileError]) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            return ([], [ZoneFileError(file: path, line: 0, message: "cannot read zone file: \(readFailure(error))")])
        }
        return parse(text, file: path, origin: origin)
    }
}

/// Parses a zone file and the files it includes.
///
/// `$ORIGIN` and the previous owner name belong to one file: an included
/// file starts with the origin its `$INCLUDE` gives and no previous owner,
/// and the including file carries on with its own (RFC 1035 §5.1). `$TTL`
/// and the last explicit TTL hold from where they appear onward, across
/// includes.
private struct Parser {
    /// The zone apex; every owner name must be at or below it.
    let zone: DomainName
    /// From `$TTL`: the TTL of records that give none (RFC 2308 §4).
    var defaultTTL: UInt32?
    /// The last explicit TTL: used when there is no `$TTL` (RFC 1035 §5.1).
    var lastTTL: UInt32?
    var records: [SourcedRecord] = []
    var errors: [ZoneFileError] = []

    static let maxTTL: UInt32 = 0x7FFF_FFFF  // RFC 2181 §8
    static let maxIncludeDepth = 16

    init(zone: DomainName, defaultTTL: UInt32?) {
        self.zone = zone
        self.defaultTTL = defaultTTL
    }

    /// Parses one file; `includers` are the files that (transitively) include it.
    mutating func parse(_ text: String, file: String, origin: DomainName, includers: [String],
                        loader: (String) throws -> String) {
        var origin = origin
        var owner: DomainName?
        var tokenizer = Tokenizer(text)
        while let next = tokenizer.next() {
            let entry: Entry
            switch next {
            case .success(let value): entry = value
            case .failure(let error):
                errors.append(ZoneFileError(file: file, line: error.line, message: error.message))
                continue
            }
            do throws(PresentationError) {
                if !entry.tokens[0].quoted, entry.tokens[0].text.hasPrefix("$") {
                    try directive(entry, file: file, origin: &origin, includers: includers, loader: loader)
                } else {
                    let record = try record(entry, origin: origin, owner: &owner)
                    records.append(SourcedRecord(record: record, file: file, line: entry.line))
                }
            } catch {
                errors.append(ZoneFileError(file: file, line: entry.line, message: error.message))
            }
        }
    }

    /// Applies `$ORIGIN`, `$TTL` or `$INCLUDE file [origin]`.
    private mutating func directive(_ entry: Entry, file: String, origin: inout DomainName, includers: [String],
                                    loader: (String) throws -> String) throws(PresentationError) {
        let arguments = entry.tokens.dropFirst().map(\.text)
        switch entry.tokens[0].text.uppercased() {
        case "$ORIGIN":
            guard arguments.count == 1 else { throw PresentationError("expected '$ORIGIN <name>'") }
            origin = try parseName(arguments[0], origin: origin)
        case "$TTL":
            guard arguments.count == 1 else { throw PresentationError("expected '$TTL <ttl>'") }
            defaultTTL = try parseDuration(arguments[0], "TTL", max: Self.maxTTL)
        case "$INCLUDE":
            guard (1...2).contains(arguments.count) else { throw PresentationError("expected '$INCLUDE <file> [origin]'") }
            let path = resolve(arguments[0], from: file)
            let chain = includers + [file]
            guard !chain.map(normalize).contains(path) else {
                throw PresentationError("include loop: \((chain + [path]).joined(separator: " -> "))")
            }
            guard chain.count <= Self.maxIncludeDepth else {
                throw PresentationError("includes nested more than \(Self.maxIncludeDepth) deep")
            }
            let includeOrigin = arguments.count == 2 ? try parseName(arguments[1], origin: origin) : origin
            let text: String
            do { text = try loader(path) } catch {
                throw PresentationError("cannot read included file '\(path)': \(readFailure(error))")
            }
            parse(text, file: path, origin: includeOrigin, includers: chain, loader: loader)
        default:
            throw PresentationError("unknown directive '\(entry.tokens[0].text)'")
        }
    }

    /// Parses `[owner] [ttl] [class] type rdata`, with TTL and class in
    /// either order. A named owner replaces `owner` even when the rest of
    /// the entry turns out bad, so the lines that follow inherit the right one.
    private mutating func record(_ entry: Entry, origin: DomainName, owner: inout DomainName?) throws(PresentationError) -> Record {
        var fields = entry.tokens[...]
        if !entry.ownerOmitted {
            owner = nil
            owner = try parseName(fields.removeFirst().text, origin: origin)
        }
        guard let name = owner else {
            throw PresentationError("line starts with a blank but there is no previous owner name to repeat")
        }
        guard name.isSubdomain(of: zone) else {
            throw PresentationError("name '\(name)' is outside the zone origin \(zone)")
        }
        var ttl: UInt32?
        var hasClass = false
        while let field = fields.first, !field.quoted {
            if field.text.utf8.first.map(isASCIIDigit) == true {
                guard ttl == nil else { throw PresentationError("second TTL '\(field.text)'") }
                ttl = try parseDuration(field.text, "TTL", max: Self.maxTTL)
            } else if let isIN = classIsIN(field.text) {
                guard !hasClass else { throw PresentationError("second class '\(field.text)'") }
                guard isIN else { throw PresentationError("class '\(field.text)' is not supported (only IN)") }
                hasClass = true
            } else {
                break
            }
            fields.removeFirst()
        }
        if let ttl { lastTTL = ttl }
        guard let typeField = fields.popFirst() else { throw PresentationError("missing type") }
        guard let type = RRType(mnemonic: typeField.text) else {
            throw PresentationError("unknown type '\(typeField.text)'")
        }
        let data = try RData.parse(fields, type: type, origin: origin)
        guard let ttl = ttl ?? defaultTTL ?? lastTTL else {
            throw PresentationError("no TTL: give the record one or set $TTL before it")
        }
        return Record(name: name, ttl: ttl, data: data)
    }
}

/// Why reading a file failed, in the system's words where Foundation has
/// them; other errors (from a caller's loader) as they describe themselves.
private func readFailure(_ error: any Error) -> String {
    guard let cocoa = error as? CocoaError else { return "\(error)" }
    if let posix = cocoa.underlying as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    switch cocoa.code {
    case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: return "not valid UTF-8"
    default: return cocoa.localizedDescription
    }
}

/// Whether `text` names the IN class; nil when it names no class at all.
private func classIsIN(_ text: String) -> Bool? {
    let upper = text.uppercased()
    if upper == "IN" || upper == "CLASS1" { return true }
    if ["CH", "CS", "HS", "NONE", "ANY"].contains(upper) { return false }
    return upper.hasPrefix("CLASS") && UInt16(upper.dropFirst(5)) != nil ? false : nil
}

/// `path` resolved against the directory of `file` (absolute paths as they are), normalized.
private func resolve(_ path: String, from file: String) -> String {
    guard !path.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return normalize(path) }
    return normalize(file[...slash] + path)
}

/// `path` without empty or `.` components, so one file has one spelling
/// (short of `..` and links, which the include depth limit covers).
private func normalize(_ path: String) -> String {
    (path.hasPrefix("/") ? "/" : "") + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
}
