import Foundation
import LatencyModel

/// Who sent a report: the TCP peer, or — only when the peer is a trusted
/// proxy — the right-most X-Forwarded-For address that is not itself a trusted
/// proxy. Entries left of that one were written by the client or by proxies we
/// cannot vouch for, so they never count.
struct ClientAttribution: Sendable {
    let trustedProxies: [IPPrefix]

    /// The client behind `peer`; nil when a trusted proxy forwarded an entry that is not an address
    /// (nothing trustworthy is left to attribute to). `forwardedFor` holds the header's values in arrival order.
    func client(peer: IPAddress, forwardedFor: [String]) -> IPAddress? {
        var client = Self.unmapped(peer)
        guard isTrusted(client) else { return client }
        let hops = forwardedFor.flatMap { $0.split(separator: ",").map(Self.trimmed) }.filter { !$0.isEmpty }
        for hop in hops.reversed() {
            guard let address = Self.address(inHop: hop) else { return nil }
            client = address
            guard isTrusted(address) else { break }
        }
        return client
    }

    func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(Self.unmapped(address)) }
    }

    /// One trimmed X-Forwarded-For entry: `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1`, `[2001:db8::1]:4711`, maybe quoted.
    static func address(inHop hop: String) -> IPAddress? {
        var text = hop
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            text = String(text[text.index(after: text.startIndex)..<close])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = String(text[..<colon])  // IPv4 with a port
        }
        return IPAddress(text).map(unmapped)
    }

    static func trimmed(_ hop: Substring) -> String {
        hop.trimmingCharacters(in: CharacterSet(charactersIn: " \t\""))
    }

    /// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4 peers) as IPv4.
    static func unmapped(_ address: IPAddress) -> IPAddress {
        if case .v6(let value) = address, value >> 32 == 0xFFFF { return .v4(UInt32(truncatingIfNeeded: value)) }
        return address
    }
}
