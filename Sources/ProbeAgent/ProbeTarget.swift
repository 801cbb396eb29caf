import Foundation
import LatencyModel

/// One address the controller wants measured from this region.
public struct ProbeTarget: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// A recursive resolver seen in DNS queries: measured by DNS query, TCP to 53, ICMP.
        case resolver
        /// A client network seen by RUM or ECS: measured by TCP (443, then 80) and ICMP.
        case client
        /// Named in the node's config (`latency.probe_targets`).
        case configured
    }

    public var address: IPAddress
    public var kind: Kind
    /// The TCP (or, for resolvers, DNS) port to use; nil for the kind's default.
    public var port: UInt16?

    public init(address: IPAddress, kind: Kind, port: UInt16? = nil) {
        self.address = address
        self.kind = kind
        self.port = port
    }
}

/// The answer of `GET /nearcast/latency/probe-targets?region=R`.
public struct ProbeTargetList: Sendable, Equatable {
    /// How often to measure every target, in seconds.
    public var interval: Duration
    /// Distinct targets, in the controller's order.
    public var targets: [ProbeTarget]
    /// Entries left out, each with the reason (bad address, unknown kind, bad port).
    public var skipped: [String]

    public static let defaultInterval = Duration.seconds(300)
    /// Intervals are clamped to this range, so a bad value can neither spin nor stall the agent.
    public static let intervalRange: ClosedRange<Int> = 10...86_400

    public init(interval: Duration, targets: [ProbeTarget], skipped: [String] = []) {
        self.interval = interval
        self.targets = targets
        self.skipped = skipped
    }

    /// Parses `{"interval_s": 300, "targets": [{"address": "...", "kind": "...", "port": 53|null}]}`.
    /// Bad entries are skipped (and listed in `skipped`), not fatal; a missing or non-positive
    /// interval means 300 s; duplicates (same address and port) are kept once.
    public static func parse(_ body: [UInt8]) throws(ControllerError) -> ProbeTargetList {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw .badResponse("probe targets: not a JSON object")
        }
        guard let entries = object["targets"] as? [Any] else {
            throw .badResponse("probe targets: no \"targets\" array")
        }
        var interval = defaultInterval
        if let seconds = (object["interval_s"] as? NSNumber)?.doubleValue, seconds.isFinite, seconds > 0 {
            interval = .seconds(min(max(Int(seconds), intervalRange.lowerBound), intervalRange.upperBound))
        }
        var targets: [ProbeTarget] = []
        var seen: Set<ProbeTarget> = []
        var skipped: [String] = []
        for (index, entry) in entries.enumerated() {
            switch target(from: entry) {
            case .success(let target):
                let key = ProbeTarget(address: target.address, kind: .client, port: target.port)
                if seen.insert(key).inserted { targets.append(target) }
            case .failure(let reason):
                skipped.append("target \(index): \(reason.description)")
            }
        }
        return ProbeTargetList(interval: interval, targets: targets, skipped: skipped)
    }

    private static func target(from entry: Any) -> Result<ProbeTarget, ProbeOptionError> {
        guard let fields = entry as? [String: Any] else { return .failure(ProbeOptionError("not an object")) }
        guard let text = fields["address"] as? String, let address = IPAddress(text) else {
            return .failure(ProbeOptionError("bad address \(String(describing: fields["address"] ?? "nil"))"))
        }
        let kindText = fields["kind"] as? String ?? "configured"
        guard let kind = ProbeTarget.Kind(rawValue: kindText) else {
            return .failure(ProbeOptionError("unknown kind '\(kindText)'"))
        }
        var port: UInt16?
        if let value = fields["port"], !(value is NSNull) {
            guard let number = value as? NSNumber, let exact = Int(exactly: number.doubleValue), (1...65_535).contains(exact) else {
                return .failure(ProbeOptionError("bad port \(value)"))
            }
            port = UInt16(exact)
        }
        return .success(ProbeTarget(address: address, kind: kind, port: port))
    }
}
