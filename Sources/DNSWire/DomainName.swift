/// A domain name in uncompressed wire form.
///
/// Invariants: `wire` is a sequence of length-prefixed labels (1...63 bytes
/// each) ending with the zero-length root label, at most 255 bytes in all.
/// Equality and hashing ignore ASCII case (RFC 4343); the stored bytes keep
/// the case they were created with, so a name can be echoed as it was given.
public struct DomainName: Sendable, CustomStringConvertible {
    public private(set) var wire: [UInt8]

    public static let maxWireLength = 255
    public static let maxLabelLength = 63
    public static let root = DomainName(uncheckedWire: [0])

    /// Wraps bytes already known to satisfy the invariants.
    init(uncheckedWire: [UInt8]) { self.wire = uncheckedWire }

    /// Builds a name from labels, checking the label and name length limits.
    public init<S: Sequence>(labels: S) throws(DNSError) where S.Element: Collection, S.Element.Element == UInt8 {
        var wire: [UInt8] = []
        for label in labels {
            guard !label.isEmpty else { throw .badName("empty label") }
            guard label.count <= Self.maxLabelLength else { throw .badName("label longer than 63 bytes") }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        wire.append(0)
        guard wire.count <= Self.maxWireLength else { throw .badName("name longer than 255 bytes") }
        self.wire = wire
    }

    /// The number of labels, not counting the root.
    public var labelCount: Int {
        var count = 0, i = 0
        while wire[i] != 0 { count += 1; i += Int(wire[i]) + 1 }
        return count
    }

    public var isRoot: Bool { wire.count == 1 }

    /// Labels from the leftmost (most specific) to the rightmost.
    public var labels: [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var i = 0
        while wire[i] != 0 {
            let length = Int(wire[i])
            result.append(wire[(i + 1)..<(i + 1 + length)])
            i += length + 1
        }
        return result
    }

    /// The name without its leftmost label; the root's parent is the root.
    public var parent: DomainName {
        guard !isRoot else { return self }
        return DomainName(uncheckedWire: Array(wire[(Int(wire[0]) + 1)...]))
    }

    /// The name with its `count` leftmost labels removed.
    public func dropping(labels count: Int) -> DomainName {
        var i = 0
        for _ in 0..<count where wire[i] != 0 { i += Int(wire[i]) + 1 }
        return i == 0 ? self : DomainName(uncheckedWire: Array(wire[i...]))
    }

    /// This name with `label` prepended.
    public func prepending(_ label: some Collection<UInt8>) throws(DNSError) -> DomainName {
        guard !label.isEmpty, label.count <= Self.maxLabelLength else { throw .badName("bad label length") }
        guard wire.count + label.count + 1 <= Self.maxWireLength else { throw .badName("name longer than 255 bytes") }
        return DomainName(uncheckedWire: [UInt8(label.count)] + label + wire)
    }

    /// This (relative) name followed by `origin`.
    public func appending(_ origin: DomainName) throws(DNSError) -> DomainName {
        let joined = Array(wire.dropLast()) + origin.wire
        guard joined.count <= Self.maxWireLength else { throw .badName("name longer than 255 bytes") }
        return DomainName(uncheckedWire: joined)
    }

    /// True when this name equals `other` or lies below it.
    public func isSubdomain(of other: DomainName) -> Bool {
        let extra = labelCount - other.labelCount
        return extra >= 0 && dropping(labels: extra) == other
    }

    /// True when the leftmost label is `*`.
    public var isWildcard: Bool { wire.count >= 2 && wire[0] == 1 && wire[1] == UInt8(ascii: "*") }

    /// The name with ASCII letters lowered.
    public var lowercased: DomainName { DomainName(uncheckedWire: wire.map(asciiLower)) }

    /// Presentation form, absolute with a trailing dot, using RFC 1035 escapes.
    public var description: String {
        if isRoot { return "." }
        var text = ""
        for label in labels {
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("),
                     UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    text.append("\\"); text.unicodeScalars.append(UnicodeScalar(byte))
                case 0x21...0x7E:
                    text.unicodeScalars.append(UnicodeScalar(byte))
                default:
                    text += "\\" + String(repeating: "0", count: byte < 10 ? 2 : byte < 100 ? 1 : 0) + String(byte)
                }
            }
            text.append(".")
        }
        return text
    }

    /// Orders names as DNSSEC does (RFC 4034 §6.1): by labels compared from
    /// the rightmost, each label as lowercased bytes.
    public static func canonicalOrder(_ a: DomainName, _ b: DomainName) -> Bool {
        let la = a.labels, lb = b.labels
        for (x, y) in zip(la.reversed(), lb.reversed()) {
            let xl = x.map(asciiLower), yl = y.map(asciiLower)
            if xl != yl { return xl.lexicographicallyPrecedes(yl) }
        }
        return la.count < lb.count
    }
}

extension DomainName: Hashable {
    public static func == (lhs: DomainName, rhs: DomainName) -> Bool {
        guard lhs.wire.count == rhs.wire.count else { return false }
        for i in lhs.wire.indices where asciiLower(lhs.wire[i]) != asciiLower(rhs.wire[i]) { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        for byte in wire { hasher.combine(asciiLower(byte)) }
    }
}

extension DomainName {
    /// Parses a presentation-format name. A name without a trailing dot is
    /// relative and gets `origin` appended (an error when `origin` is nil).
    /// `@` alone is the origin. Supports `\X` and `\DDD` escapes.
    public init(parsing text: some StringProtocol, origin: DomainName? = nil) throws(DNSError) {
        if text == "@" {
            guard let origin else { throw .badName("'@' used without an origin") }
            self = origin
            return
        }
        if text == "." { self = .root; return }
        guard !text.isEmpty else { throw .badName("empty name") }
        var labels: [[UInt8]] = []
        var current: [UInt8] = []
        var absolute = false
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { throw .badName("dangling escape in '\(text)'") }
                if isDigit(bytes[i + 1]) {
                    guard i + 3 < bytes.count, isDigit(bytes[i + 2]), isDigit(bytes[i + 3]) else {
                        throw .badName("bad \\DDD escape in '\(text)'")
                    }
                    let value = Int(bytes[i + 1] - 48) * 100 + Int(bytes[i + 2] - 48) * 10 + Int(bytes[i + 3] - 48)
                    guard value <= 255 else { throw .badName("escape \\\(value) out of range in '\(text)'") }
                    current.append(UInt8(value))
                    i += 4
                } else {
                    current.append(bytes[i + 1])
                    i += 2
                }
                continue
            }
            if byte == UInt8(ascii: ".") {
                guard !current.isEmpty else { throw .badName("empty label in '\(text)'") }
                labels.append(current)
                current = []
                if i == bytes.count - 1 { absolute = true }
            } else {
                current.append(byte)
            }
            i += 1
        }
        if !current.isEmpty { labels.append(current) }
        let name = try DomainName(labels: labels)
        if absolute { self = name; return }
        guard let origin else { throw .badName("relative name '\(text)' without an origin") }
        self = try name.appending(origin)
    }
}

@inline(__always) func asciiLower(_ byte: UInt8) -> UInt8 {
    byte &- 0x41 < 26 ? byte | 0x20 : byte
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
