import DNSWire
import ZoneFile

/// Why Route 53 rejects a record value: its `FATAL problem` code and description.
///
/// Verbatim from AWS responses (notes 1.15, 1.16): IPv4, TXT quoting and
/// length, empty name, empty and long label. Inferred: IPv6 (by analogy
/// with IPv4) and DomainNameTooLong. Invented (no source): `illegalValue`,
/// for any other value that does not parse for its type.
struct ValueProblem: Equatable {
    var code: String
    var description: String

    static let ipv4 = ValueProblem(code: "ARRDATAIllegalIPv4Address", description: "Value is not a valid IPv4 address")
    static let ipv6 = ValueProblem(code: "AAAARRDATAIllegalIPv6Address", description: "Value is not a valid IPv6 address")
    static let unquoted = ValueProblem(code: "InvalidCharacterString", description: "Value should be enclosed in quotation marks")
    static let stringTooLong = ValueProblem(code: "CharacterStringTooLong", description: "Value is too long")
    static let nameEmpty = ValueProblem(code: "DomainNameEmpty", description: "Domain name is empty")
    static let labelEmpty = ValueProblem(code: "DomainLabelEmpty", description: "Domain label is empty")
    static let labelTooLong = ValueProblem(code: "DomainLabelTooLong", description: "Domain label is too long")
    static let nameTooLong = ValueProblem(code: "DomainNameTooLong", description: "Domain name is too long")
    static func illegalValue(_ type: RRType) -> ValueProblem {
        ValueProblem(code: "\(type)RRDATAIllegalValue", description: "Value is not a valid \(type) record")
    }
}

/// Checks ResourceRecords values the way Route 53 does, one message per bad value.
enum ValueChecks {
    /// Messages for the values of `set` that Route 53 would reject.
    static func problems(in set: ResourceRecordSet) -> [String] {
        (set.records ?? []).compactMap { value in
            problem(value, set.type).map { ChangeBatchMessages.invalidValue($0, value) }
        }
    }

    /// The value in a canonical form, so that equal values compare equal
    /// (`DELETE` must match the stored set); the value itself if it does not parse.
    static func canonical(_ value: String, _ type: RRType) -> String {
        (try? RData(presentation: value, type: type, origin: .root))?.presentation ?? value
    }

    static func problem(_ value: String, _ type: RRType) -> ValueProblem? {
        switch type {
        case .txt, .spf:
            // Route 53 requires quotes, which master files do not.
            guard let lengths = quotedStringLengths(value) else { return .unquoted }
            return lengths.contains { $0 > 255 } ? .stringTooLong : nil
        case .cname, .ns, .ptr, .mx, .srv:
            // The name is the last field: MX has one field before it, SRV three.
            let fields = value.split(whereSeparator: \.isWhitespace)
            let nameIndex = [RRType.mx: 1, .srv: 3][type] ?? 0
            if fields.count == nameIndex, let problem = nameProblem("") { return problem }
            if fields.count == nameIndex + 1, let problem = nameProblem(String(fields[nameIndex])) { return problem }
        default:
            break
        }
        guard (try? RData(presentation: value, type: type, origin: .root)) == nil else { return nil }
        return [RRType.a: .ipv4, .aaaa: .ipv6][type] ?? .illegalValue(type)
    }

    /// What is wrong with a domain name's text, if anything. Splits on
    /// every dot, so a `\.` inside a label is (rarely) misjudged.
    private static func nameProblem(_ text: String) -> ValueProblem? {
        if text.isEmpty { return .nameEmpty }
        if text == "." { return nil }
        let labels = (text.hasSuffix(".") ? text.dropLast() : text[...]).split(separator: ".", omittingEmptySubsequences: false)
        if labels.contains(where: \.isEmpty) { return .labelEmpty }
        if labels.contains(where: { $0.utf8.count > DomainName.maxLabelLength }) { return .labelTooLong }
        if labels.reduce(1, { $0 + $1.utf8.count + 1 }) > DomainName.maxWireLength { return .nameTooLong }
        return nil
    }

    /// Byte lengths of the quoted character-strings making up a TXT value;
    /// nil when the value is empty or any part is not enclosed in quotes.
    private static func quotedStringLengths(_ value: String) -> [Int]? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var bytes = Array(value.utf8)[...]
        var lengths: [Int] = []
        while true {
            while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes.removeFirst() }
            guard let first = bytes.popFirst() else { break }
            guard first == quote else { return nil }
            var length = 0, closed = false
            while let byte = bytes.popFirst() {
                if byte == quote { closed = true; break }
                if byte == backslash {
                    // `\DDD` is one byte, as is `\X`.
                    let digits = bytes.prefix(3)
                    if digits.count == 3, digits.allSatisfy({ $0 &- 0x30 < 10 }) { bytes.removeFirst(3) } else { _ = bytes.popFirst() }
                }
                length += 1
            }
            guard closed else { return nil }
            lengths.append(length)
        }
        return lengths.isEmpty ? nil : lengths
    }
}
