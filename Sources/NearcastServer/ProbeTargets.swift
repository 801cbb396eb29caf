import DNSWire
import LatencyLearning
import LatencyModel

/// What probe agents measure: configured targets, then the resolvers and
/// client networks (from ECS) that recent queries came from, most frequent
/// first, one address per network bucket.
enum ProbeTargets {
    struct Target: Hashable {
        var address: IPAddress
        var kind: String
        var port: Int?
    }

    /// At most this many targets per list.
    static let limit = 1000

    static func collect(configured: [(address: IPAddress, port: Int?)], recent: [(source: IPAddress, packet: [UInt8])],
                        buckets: BucketPolicy) -> [Target] {
        var counts: [Target: Int] = [:]
        var seenNetworks = Set<IPPrefix>()
        for (source, packet) in recent {
            counts[Target(address: source, kind: "resolver", port: 53), default: 0] += 1
            let subnet = packet.withUnsafeBytes { try? Message.parse($0) }?.edns?.clientSubnet
            if let subnet, subnet.sourcePrefix > 0, let address = IPAddress(bytes: subnet.fullAddress) {
                // The network's first host: the ECS address has its host bits cleared.
                let network = IPPrefix(address, length: Int(subnet.sourcePrefix))
                counts[Target(address: firstHost(of: network), kind: "client", port: nil), default: 0] += 1
            }
        }
        var targets = configured.map { Target(address: $0.address, kind: "configured", port: $0.port) }
        for target in targets { seenNetworks.insert(buckets.bucket(of: target.address)) }
        for (target, _) in counts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key.address.description < $1.key.address.description }) {
            guard targets.count < limit, seenNetworks.insert(buckets.bucket(of: target.address)).inserted else { continue }
            targets.append(target)
        }
        return targets
    }

    private static func firstHost(of network: IPPrefix) -> IPAddress {
        guard network.length < network.address.bitWidth else { return network.address }
        switch network.address {
        case .v4(let value): return .v4(value | 1)
        case .v6(let value): return .v6(value | 1)
        }
    }
}
