import DNSWire
import LatencyModel

/// Why a client gets the answer it gets: the same resolution the DNS path
/// computes, plus the latency data behind it.
public struct Explanation: Sendable {
    public var resolution: Resolution
    public var client: ClientLocation
    /// The most specific measured prefix holding the client, with its RTTs.
    public var measured: (prefix: IPPrefix, rtts: [RegionRTT])?
    /// The block of the compiled map the client falls in (its ECS scope).
    public var block: IPPrefix
    /// The order regions were tried in: measured ones with RTTs, then the
    /// fallback order without.
    public var ranking: [RegionRTT]
}

extension Snapshot {
    public func explain(_ question: Question, client: ClientLocation) -> Explanation {
        let resolution = resolve(question, client: client)
        let hit = latencyMap.lookup(client.address)
        let measured = latencyMap.measurements(for: client.address)
        var ranking = latencyMap.rankings[hit.ranking].map { region in
            RegionRTT(region: region, rttMs: measured?.rtts.first { $0.region == region }?.rttMs)
        }
        for region in fallbackRanking where !ranking.contains(where: { $0.region == region }) {
            ranking.append(RegionRTT(region: region, rttMs: nil))
        }
        return Explanation(resolution: resolution, client: client, measured: measured, block: hit.block, ranking: ranking)
    }
}
