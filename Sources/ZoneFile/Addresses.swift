import DNSWire

extension IPv4Bytes {
    /// Parses dotted-quad text: four decimal octets, 0 to 255, without leading zeros.
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard part.count <= 3, part.utf8.allSatisfy(isASCIIDigit), part.count == 1 || part.first != "0",
                  let octet = UInt8(part) else { return nil }
            bytes.append(octet)
        }
        self.init(bytes)
    }

    /// Dotted-quad text.
    public var presentation: String { array.map { String($0) }.joined(separator: ".") }
}

extension IPv6Bytes {
    /// Parses any RFC 4291 §2.2 text form: eight hex groups, or fewer with
    /// one `::`, optionally ending in a dotted quad (`::ffff:192.0.2.1`).
    public init?(parsing text: some StringProtocol) {
        let text = Substring(text)
        var groups: [UInt16]
        if let gap = text.firstRange(of: "::") {
            guard let head = Self.groups(text[..<gap.lowerBound], dottedTail: false),
                  let tail = Self.groups(text[gap.upperBound...], dottedTail: true),
                  head.count + tail.count < 8 else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = Self.groups(text, dottedTail: true), all.count == 8 else { return nil }
            groups = all
        }
        self.init(groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    /// Colon-separated groups of one to four hex digits, the last possibly a
    /// dotted quad (two groups) when `dottedTail`; empty text is no groups.
    private static func groups(_ text: Substring, dottedTail: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (i, part) in parts.enumerated() {
            if dottedTail, i == parts.count - 1, let v4 = IPv4Bytes(parsing: part) {
                groups += [UInt16(v4.bytes.0) << 8 | UInt16(v4.bytes.1), UInt16(v4.bytes.2) << 8 | UInt16(v4.bytes.3)]
            } else {
                guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let group = UInt16(part, radix: 16) else {
                    return nil
                }
                groups.append(group)
            }
        }
        return groups
    }

    /// RFC 5952 text: lowercase hex without leading zeros; the longest run of
    /// two or more zero groups (the first of equals) as `::`; IPv4-mapped
    /// addresses as `::ffff:` and a dotted quad (§5).
    public var presentation: String {
        if high == 0, low >> 32 == 0xFFFF {
            return "::ffff:" + IPv4Bytes(Array(array[12...])).presentation
        }
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: ($0 < 4 ? high : low) >> (48 - 16 * ($0 % 4))) }
        var best = 0..<0
        var start = 0
        while start < 8 {
            let end = groups[start...].firstIndex { $0 != 0 } ?? 8
            if end - start > best.count { best = start..<end }
            start = end + 1
        }
        let text = groups.map { String($0, radix: 16) }
        guard best.count >= 2 else { return text.joined(separator: ":") }
        return text[..<best.lowerBound].joined(separator: ":") + "::" + text[best.upperBound...].joined(separator: ":")
    }
}
