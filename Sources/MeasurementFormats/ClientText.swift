import LatencyModel

/// A client as text: an IPv4 or IPv6 address, or a prefix `address/length`.
enum ClientText {
    enum Parsed {
        case prefix(IPPrefix)
        /// A prefix with bits set beyond its length, e.g. `10.0.0.1/8`.
        case hostBitsSet
        case invalid
    }

    /// Dotted-quad IPv4 is parsed here (no leading zeros, as inet_pton);
    /// IPv6 by `IPAddress`'s inet_pton.
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Parsed {
        var end = text.count, length: Int?
        if let slash = text.firstIndex(of: UInt8(ascii: "/")) {
            let digits = UnsafeBufferPointer(rebasing: text[(slash + 1)...])
            guard (1...3).contains(digits.count), digits.allSatisfy({ $0 &- 0x30 < 10 }) else { return .invalid }
            length = digits.reduce(0) { $0 * 10 + Int($1 &- 0x30) }
            end = slash
        }
        let addressText = UnsafeBufferPointer(rebasing: text[..<end])
        guard let address = ipv4(addressText) ?? ipv6(addressText) else { return .invalid }
        let prefixLength = length ?? address.bitWidth
        guard prefixLength <= address.bitWidth else { return .invalid }
        let prefix = IPPrefix(address, length: prefixLength)
        return prefix.address == address ? .prefix(prefix) : .hostBitsSet
    }

    static func ipv4(_ text: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, dots = 0
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                octet = 0; digits = 0; dots += 1
            } else {
                let digit = byte &- 0x30
                guard digit < 10, digits < 3, !(digits == 1 && octet == 0) else { return nil }
                octet = octet * 10 + UInt32(digit)
                guard octet <= 255 else { return nil }
                digits += 1
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return .v4(value << 8 | octet)
    }

    static func ipv6(_ text: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        guard text.contains(UInt8(ascii: ":")), text.count <= 45,
              let address = IPAddress(String(decoding: text, as: UTF8.self)), address.bitWidth == 128
        else { return nil }
        return address
    }
}
