import LatencyModel

/// One RTT sample from a client network to a region.
public struct Measurement: Hashable, Sendable {
    public enum Source: String, Hashable, Sendable {
        case rum, probe, imported = "import"
    }

    /// Milliseconds since 1970-01-01 UTC.
    public var timeMs: Int64
    /// The client: a single address is a full-length prefix.
    public var client: IPPrefix
    public var region: RegionID
    public var rttMs: Double
    public var source: Source

    public init(timeMs: Int64, client: IPPrefix, region: RegionID, rttMs: Double, source: Source) {
        self.timeMs = timeMs; self.client = client; self.region = region; self.rttMs = rttMs; self.source = source
    }

    public init(timeMs: Int64, client: IPAddress, region: RegionID, rttMs: Double, source: Source) {
        self.init(timeMs: timeMs, client: IPPrefix(client, length: client.bitWidth), region: region, rttMs: rttMs, source: source)
    }
}

/// Which network a client belongs to: its address cut to the bucket length of
/// its family. A client prefix shorter than that is a covering network and
/// stays as given.
public struct BucketPolicy: Hashable, Sendable {
    public let ipv4Length: Int
    public let ipv6Length: Int

    /// Lengths must fit their family (0...32 and 0...128).
    public init(ipv4Length: Int = 24, ipv6Length: Int = 48) {
        precondition((0...32).contains(ipv4Length) && (0...128).contains(ipv6Length), "bucket length out of range")
        self.ipv4Length = ipv4Length; self.ipv6Length = ipv6Length
    }

    /// The bucket length of `address`'s family.
    public func length(for address: IPAddress) -> Int { address.bitWidth == 32 ? ipv4Length : ipv6Length }

    public func bucket(of client: IPPrefix) -> IPPrefix {
        let length = length(for: client.address)
        return client.length <= length ? client : IPPrefix(client.address, length: length)
    }

    public func bucket(of client: IPAddress) -> IPPrefix {
        bucket(of: IPPrefix(client, length: client.bitWidth))
    }
}

/// A prefix as integers, for hashing: the masked address (IPv4 in the low 32
/// bits) and a tag, the length plus `ipv4Tag` for IPv4. Distinct prefixes have
/// distinct keys.
struct PrefixKey: Equatable {
    var address: UInt128
    var tag: UInt8

    /// Above every IPv6 length (≤ 128), so the families never share a tag.
    static let ipv4Tag: UInt8 = 0xC0

    init(address: UInt128, tag: UInt8) { self.address = address; self.tag = tag }

    init(_ prefix: IPPrefix) {
        switch prefix.address {
        case .v4(let a): self.init(address: UInt128(a), tag: Self.ipv4Tag + UInt8(prefix.length))
        case .v6(let a): self.init(address: a, tag: UInt8(prefix.length))
        }
    }

    var prefix: IPPrefix {
        tag >= Self.ipv4Tag
            ? IPPrefix(.v4(UInt32(truncatingIfNeeded: address)), length: Int(tag - Self.ipv4Tag))
            : IPPrefix(.v6(address), length: Int(tag))
    }

    /// Well mixed in every bit (SplitMix64's finalizer over both halves and the tag).
    var hash: UInt64 {
        var h = UInt64(truncatingIfNeeded: address) &* 0x9E37_79B9_7F4A_7C15
            ^ UInt64(truncatingIfNeeded: address >> 64) ^ UInt64(tag) << 56
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
