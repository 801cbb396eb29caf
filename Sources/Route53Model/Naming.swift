import DNSWire

extension DomainName {
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
