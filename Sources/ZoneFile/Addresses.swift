import DNSWire
import NetworkAddress

extension IPv4Bytes {
    /// Parses dotted-quad text (four decimal octets, no leading zeros).
    public init?(parsing text: some StringProtocol) {
        guard let address = IPAddress(text), address.bitWidth == 32 else { return nil }
        self.init(address.bytes)
    }

    /// Dotted-quad text.
    public var presentation: String { IPAddress(bytes: array)!.description }
}

extension IPv6Bytes {
    /// Parses any RFC 4291 §2.2 text form, including `::ffff:192.0.2.1`.
    public init?(parsing text: some StringProtocol) {
        guard let address = IPAddress(text), address.bitWidth == 128 else { return nil }
        self.init(address.bytes)
    }

    /// RFC 5952 text.
    public var presentation: String { IPAddress(bytes: array)!.description }
}
