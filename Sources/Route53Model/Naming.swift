import DNSWire

extension DomainName {
    /// Route 53's listing order: the name with its labels reversed, each
    /// followed by a dot, compared as lowercase bytes
    /// (`www.example.com` → `com.example.www.`). Unlike DNSSEC's order,
    /// `a-b.example.com` sorts before `a.example.com` (`-` < `.`).
    public var route53SortKey: [UInt8] {
        var key: [UInt8] = []
        for label in labels.reversed() {
            key += label.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
            key.append(UInt8(ascii: "."))
        }
        return key
    }

    /// True when `a` lists before `b` in Route 53's order.
    public static func route53Order(_ a: DomainName, _ b: DomainName) -> Bool {
        a.route53SortKey.lexicographicallyPrecedes(b.route53SortKey)
    }

    /// The name as Route 53 prints it: lowercase, absolute, with every byte
    /// other than a-z, 0-9, `-` and `_` written as a three-digit octal escape
    /// (`*.example.com` → `\052.example.com.`).
    public var route53Text: String {
        if isRoot { return "." }
        var text = ""
        for label in labels {
            for byte in label {
                let lower = byte &- 0x41 < 26 ? byte | 0x20 : byte
                switch lower {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "_"):
                    text.unicodeScalars.append(UnicodeScalar(lower))
                default:
                    let octal = String(lower, radix: 8)
                    text += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
                }
            }
            text.append(".")
        }
        return text
    }

    /// Parses a name as Route 53 accepts it: relative names are taken as
    /// absolute, `\ooo` octal escapes as well as `\DDD` decimal ones are
    /// understood (Route 53 documents octal), and the result is lowercase.
    public init(route53 text: String) throws(DNSError) {
        var converted = ""
        var characters = Array(text.unicodeScalars)[...]
        while let scalar = characters.popFirst() {
            // Route 53 escapes are \ followed by three octal digits.
            if scalar == "\\", characters.count >= 3,
               let value = Int(String(String.UnicodeScalarView(characters.prefix(3))), radix: 8), value <= 255,
               characters.prefix(3).allSatisfy({ ("0"..."7").contains($0) }) {
                let decimal = String(value)
                converted += "\\" + String(repeating: "0", count: 3 - decimal.count) + decimal
                characters = characters.dropFirst(3)
            } else {
                converted.unicodeScalars.append(scalar)
            }
        }
        if !converted.hasSuffix(".") || converted.hasSuffix("\\.") { converted += "." }
        self = try DomainName(parsing: converted, origin: .root).lowercased
    }
}
