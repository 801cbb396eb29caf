import LatencyLearning
import LatencyModel
import Yams

/// How this node learns latencies (the `latency:` section).
public struct LatencyConfig: Sendable {
    public var bucketIPv4 = 24
    public var bucketIPv6 = 48
    public var halfLifeMs: Int64 = 6 * 3_600_000
    public var hysteresisRelative = 0.10
    public var hysteresisAbsoluteMs = 2.0
    public var rebuildIntervalMs: Int64 = 60_000
    /// Raw measurements older than this are deleted (whole hourly segments).
    public var retentionMs: Int64 = 7 * 86_400_000
    /// How often the aggregates are checkpointed, stale states dropped and expired segments deleted.
    public var maintenanceIntervalMs: Int64 = 600_000
    /// Networks estimates are borrowed from: buckets rolled up to these lengths.
    public var borrowIPv4 = 16
    public var borrowIPv6 = 32
    /// Use Debian's tor-geoipdb tables for the geographic prior; nil: when installed.
    public var torGeoIP: Bool? = nil
    /// A MaxMind DB (GeoLite2/GeoIP2 City or Country) for the prior; replaces the tor tables.
    public var mmdb: Located<String>? = nil
    /// Addresses probe agents measure besides the clients and resolvers seen.
    public var probeTargets: [(address: IPAddress, port: Int?)] = []
    public var probeIntervalMs: Int64 = 300_000

    /// The client networks measurements are kept under.
    public var bucketPolicy: BucketPolicy { BucketPolicy(ipv4Length: bucketIPv4, ipv6Length: bucketIPv6) }
}

/// Real-user measurements (the `rum:` section): the beacon, the collector, the probe object.
public struct RUMConfig: Sendable {
    public var listen: String
    public var trustedProxies: [IPPrefix] = []
    /// The URL the beacon times per region.
    public var regions: [Located<(region: String, url: String)>] = []
}

extension YAMLReader {
    /// A duration: `500ms`, `90s`, `15m`, `6h`, `7d`, or a number of seconds.
    mutating func duration(_ node: Node, _ key: String, _ range: ClosedRange<Int64>) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        var milliseconds: Int64? = nil
        if case .scalar(let scalar) = node {
            let text = scalar.string.trimmingCharacters(in: .whitespaces)
            if let seconds = Int64(text) { milliseconds = seconds.multipliedReportingOverflow(by: 1000).overflow ? nil : seconds * 1000 }
            for (suffix, scale) in units where milliseconds == nil && text.hasSuffix(suffix) {
                if let number = Double(text.dropLast(suffix.count)), number.isFinite, number >= 0, number * Double(scale) < 1e15 {
                    milliseconds = Int64(number * Double(scale))
                }
            }
        }
        guard let milliseconds, range.contains(milliseconds) else {
            fail(node, "'\(key)' must be a duration like 500ms, 90s, 15m, 6h or 7d, between \(range.lowerBound) ms and \(range.upperBound / 86_400_000) days")
            return nil
        }
        return milliseconds
    }

    mutating func latency(_ node: Node) -> LatencyConfig? {
        var latency = LatencyConfig()
        if node.null != nil { return latency }  // `latency:` alone turns learning on with the defaults
        guard let fields = mapping(node, "'latency'") else { return nil }
        allowOnly(["bucket_ipv4", "bucket_ipv6", "half_life", "hysteresis", "rebuild_interval", "retention", "maintenance_interval", "borrow_ipv4",
                   "borrow_ipv6", "geo", "probe_targets", "probe_interval"], in: fields)
        for field in fields {
            let value = field.value
            switch field.name {
            case "bucket_ipv4": latency.bucketIPv4 = int(value, field.name, 8...32) ?? latency.bucketIPv4
            case "bucket_ipv6": latency.bucketIPv6 = int(value, field.name, 16...128) ?? latency.bucketIPv6
            case "borrow_ipv4": latency.borrowIPv4 = int(value, field.name, 0...32) ?? latency.borrowIPv4
            case "borrow_ipv6": latency.borrowIPv6 = int(value, field.name, 0...128) ?? latency.borrowIPv6
            case "half_life": latency.halfLifeMs = duration(value, field.name, 60_000...365 * 86_400_000) ?? latency.halfLifeMs
            case "rebuild_interval":
                latency.rebuildIntervalMs = duration(value, field.name, 1000...86_400_000) ?? latency.rebuildIntervalMs
            case "retention": latency.retentionMs = duration(value, field.name, 3_600_000...3650 * 86_400_000) ?? latency.retentionMs
            case "maintenance_interval":
                latency.maintenanceIntervalMs = duration(value, field.name, 1000...86_400_000) ?? latency.maintenanceIntervalMs
            case "probe_interval": latency.probeIntervalMs = duration(value, field.name, 10_000...86_400_000) ?? latency.probeIntervalMs
            case "hysteresis":
                guard let parts = mapping(value, "'hysteresis'") else { continue }
                allowOnly(["relative", "absolute_ms"], in: parts)
                for part in parts {
                    if part.name == "relative" { latency.hysteresisRelative = double(part.value, "relative", 0...10) ?? latency.hysteresisRelative }
                    if part.name == "absolute_ms" { latency.hysteresisAbsoluteMs = double(part.value, "absolute_ms", 0...10_000) ?? latency.hysteresisAbsoluteMs }
                }
            case "geo":
                guard let parts = mapping(value, "'geo'") else { continue }
                allowOnly(["tor_geoip", "mmdb"], in: parts)
                for part in parts {
                    if part.name == "tor_geoip" { latency.torGeoIP = bool(part.value, "tor_geoip") }
                    if part.name == "mmdb" { latency.mmdb = string(part.value, "mmdb") }
                }
            case "probe_targets":
                for item in sequence(value, field.name) {
                    guard let parts = mapping(item, "a probe target") else { continue }
                    allowOnly(["address", "port"], in: parts)
                    guard let text = required(parts, "address", item).flatMap({ string($0, "address") }) else { continue }
                    guard let address = IPAddress(text.value) else { fail(item, "'address' must be an IPv4 or IPv6 address"); continue }
                    let port = parts.first { $0.name == "port" }.flatMap { int($0.value, "port", 1...65535) }
                    latency.probeTargets.append((address, port))
                }
            default: break
            }
        }
        if latency.borrowIPv4 >= latency.bucketIPv4 || latency.borrowIPv6 >= latency.bucketIPv6 {
            fail(node, "'borrow_ipv4'/'borrow_ipv6' must be shorter than the bucket lengths")
        }
        return latency
    }

    mutating func rum(_ node: Node) -> RUMConfig? {
        guard let fields = mapping(node, "'rum'") else { return nil }
        allowOnly(["listen", "trusted_proxies", "regions"], in: fields)
        let listen = required(fields, "listen", node).flatMap { string($0, "listen") }
        var rum = RUMConfig(listen: listen?.value ?? "")
        for field in fields {
            switch field.name {
            case "trusted_proxies":
                for text in strings(field.value, field.name) {
                    guard let prefix = IPPrefix(text.value) ?? IPAddress(text.value).map({ IPPrefix($0, length: $0.bitWidth) }) else {
                        fail(field.value, "'\(text.value)' in 'trusted_proxies' is not an address or a prefix like 10.0.0.0/8"); continue
                    }
                    rum.trustedProxies.append(prefix)
                }
            case "regions":
                guard let entries = mapping(field.value, "'regions'") else { continue }
                for entry in entries {
                    guard let url = string(entry.value, entry.name) else { continue }
                    guard url.value.hasPrefix("http://") || url.value.hasPrefix("https://") else {
                        fail(entry.value, "the URL for '\(entry.name)' must start with http:// or https://"); continue
                    }
                    rum.regions.append(Located(value: (entry.name, url.value), line: line(entry.key)))
                }
            default: break
            }
        }
        return listen == nil ? nil : rum
    }
}
