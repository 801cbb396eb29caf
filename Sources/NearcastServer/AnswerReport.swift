import Authority
import DNSWire
import Foundation
import LatencyModel
import ZoneFile

/// A resolution as JSON values: what `nearcast answer --json` prints and
/// the explain endpoint returns for a name.
public enum AnswerReport {
    public static func record(_ record: Record) -> String {
        "\(record.name) \(record.ttl) IN \(record.type) \(record.data.presentation)"
    }

    /// The set a latency step chose, if any step was by latency.
    public static func latencyChoice(_ resolution: Resolution) -> RoutedRecordSet? {
        resolution.steps.first { $0.chosen.first?.region != nil }?.chosen.first
    }

    public static func json(_ resolution: Resolution, catalog: RegionCatalog) -> [String: Any] {
        let choice = latencyChoice(resolution)
        return [
            "rcode": resolution.rcode.description,
            "authoritative": resolution.authoritative,
            "answers": resolution.answer.map(record),
            "authority": resolution.authority.map(record),
            "additional": resolution.additional.map(record),
            "region": choice?.region.map(catalog.name(of:)) ?? NSNull(),
            "set_identifier": choice?.setIdentifier ?? NSNull(),
            "steps": resolution.steps.map { step in [
                "owner": step.owner.description, "type": step.type.description, "policy": step.policy.name,
                "chosen": step.chosen.map(\.setIdentifier),
                "skipped": step.skipped.map { ["set_identifier": $0.setIdentifier, "reason": $0.reason] },
                "all_unhealthy": step.allUnhealthy,
            ] as [String: Any] },
        ]
    }
}
