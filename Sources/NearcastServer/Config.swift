import LatencyModel
import Yams

/// Something read from a config file, with the line it came from.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var line: Int
}

/// The config file's contents, checked for shape but not yet for meaning
/// (regions, records and files are checked when a snapshot is built).
public struct NearcastConfig: Sendable {
    public var listen: [Located<String>] = []
    public var threads: Int? = nil
    public var tcpIdleTimeoutMs = 5000
    public var maxUDPPayload = 1232
    public var defaultRegions: [Located<String>] = []
    public var latencyMap: Located<String>? = nil
    public var regions: [Located<(name: String, latitude: Double, longitude: Double)>] = []
    public var zones: [ZoneConfig] = []
    public var api = APIConfig()
    public var healthChecks = HealthChecksConfig()
    /// Learning latencies from measurements; nil (no `latency:` section): the configured map only.
    public var latency: LatencyConfig? = nil
    /// Real-user measurements; nil: off.
    public var rum: RUMConfig? = nil

    /// How this node runs the API's health checks.
    public struct HealthChecksConfig: Sendable {
        /// The name this node reports its observations under (GetHealthCheckStatus's Region); nil: the host name.
        public var observer: String? = nil
        /// Multiplies every RequestInterval; 1 in production, less in labs and tests.
        public var timeScale = 1.0
        /// Refuse health checks of private, loopback and other special-use addresses, as Route 53 does.
        public var restrictPrivateAddresses = false
        /// The local address checks are sent from; nil: the system's choice.
        public var sourceAddress: String? = nil
    }

    /// The Route 53-compatible API.
    public struct APIConfig: Sendable {
        /// Where the API listens; nil turns it off.
        public var listen: String? = "127.0.0.1:8053"
        /// The store's directory (SQLite database, generated credentials).
        public var dataDirectory = "nearcast-data"
        /// The name servers new hosted zones are delegated to.
        public var nameServers = ["ns1.nearcast.invalid.", "ns2.nearcast.invalid."]
        /// Access keys accepted by the API, besides those in the store.
        public var credentials: [(accessKeyID: String, secretAccessKey: String)] = []
    }

    public struct ZoneConfig: Sendable {
        public var origin: Located<String>
        public var file: Located<String>
        public var latencyRecords: [LatencyRecordConfig]
    }

    public struct LatencyRecordConfig: Sendable {
        public var name: Located<String>
        public var type: Located<String>
        public var ttl: UInt32
        public var sets: [Located<(id: String, region: String, values: [String])>]
    }

    public static let defaultListen = "127.0.0.1:5300"

    /// Parses YAML text. Returns the config and every problem found, each as
    /// "file:line: message".
    public static func parse(_ text: String, file: String) -> (config: NearcastConfig, errors: [String]) {
        var reader = YAMLReader(file: file)
        var config = NearcastConfig()
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return (config, ["\(file):1: the config file is empty"]) }
            root = node
        } catch {
            return (config, ["\(file):\(Self.line(of: error)): \(Self.yamlMessage(error))"])
        }
        guard let top = reader.mapping(root, "the config file") else { return (config, reader.errors) }
        for field in top {
            let key = field.name, value = field.value
            switch key {
            case "listen": config.listen = reader.strings(value, key)
            case "threads": config.threads = reader.int(value, key, 1...256)
            case "tcp_idle_timeout_ms": config.tcpIdleTimeoutMs = reader.int(value, key, 100...3_600_000) ?? config.tcpIdleTimeoutMs
            case "max_udp_payload": config.maxUDPPayload = reader.int(value, key, 512...65535) ?? config.maxUDPPayload
            case "default_regions": config.defaultRegions = reader.strings(value, key)
            case "latency_map": config.latencyMap = reader.string(value, key)
            case "regions":
                for item in reader.sequence(value, key) {
                    guard let fields = reader.mapping(item, "a region") else { continue }
                    reader.allowOnly(["name", "latitude", "longitude"], in: fields)
                    guard let name = reader.required(fields, "name", item).flatMap({ reader.string($0, "name") }),
                          let lat = reader.required(fields, "latitude", item).flatMap({ reader.double($0, "latitude", -90...90) }),
                          let lon = reader.required(fields, "longitude", item).flatMap({ reader.double($0, "longitude", -180...180) })
                    else { continue }
                    config.regions.append(Located(value: (name.value, lat, lon), line: reader.line(item)))
                }
            case "zones":
                for item in reader.sequence(value, key) { if let zone = reader.zone(item) { config.zones.append(zone) } }
            case "api":
                if let api = reader.api(value) { config.api = api }
            case "health_checks":
                if let health = reader.healthChecks(value) { config.healthChecks = health }
            case "latency": config.latency = reader.latency(value)
            case "rum": config.rum = reader.rum(value)
            default:
                reader.fail(field.key, "unknown setting '\(key)'")
            }
        }
        if config.listen.isEmpty { config.listen = [Located(value: defaultListen, line: 0)] }
        return (config, reader.errors)
    }

    private static func line(of error: Error) -> Int {
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
            default: break
            }
        }
        return 1
    }

    private static func yamlMessage(_ error: Error) -> String {
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
                return "invalid YAML: \(problem)"
            default: break
            }
        }
        return "invalid YAML: \(error)"
    }
}

/// Reads typed values out of a YAML tree, collecting errors with lines.
struct YAMLReader {
    let file: String
    var errors: [String] = []

    func line(_ node: Node) -> Int { (node.mark?.line) ?? 0 }

    mutating func fail(_ node: Node, _ message: String) { errors.append("\(file):\(line(node)): \(message)") }

    /// A key of a mapping and its value; errors about the key point at `key`.
    struct Field { var name: String; var key: Node; var value: Node }

    mutating func mapping(_ node: Node, _ what: String) -> [Field]? {
        guard let mapping = node.mapping else { fail(node, "\(what) must be a mapping"); return nil }
        var fields: [Field] = []
        for (key, value) in mapping {
            guard let name = key.string else { fail(key, "keys must be strings"); continue }
            fields.append(Field(name: name, key: key, value: value))
        }
        return fields
    }

    mutating func sequence(_ node: Node, _ key: String) -> [Node] {
        guard let sequence = node.sequence else { fail(node, "'\(key)' must be a list"); return [] }
        return Array(sequence)
    }

    mutating func string(_ node: Node, _ key: String) -> Located<String>? {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { fail(node, "'\(key)' must be a non-empty string"); return nil }
        return Located(value: scalar.string, line: line(node))
    }

    mutating func strings(_ node: Node, _ key: String) -> [Located<String>] {
        if case .scalar = node { return string(node, key).map { [$0] } ?? [] }
        return sequence(node, key).compactMap { string($0, key) }
    }

    mutating func int(_ node: Node, _ key: String, _ range: ClosedRange<Int>) -> Int? {
        guard let value = node.int, range.contains(value) else {
            fail(node, "'\(key)' must be an integer in \(range.lowerBound)...\(range.upperBound)"); return nil
        }
        return value
    }

    mutating func bool(_ node: Node, _ key: String) -> Bool? {
        guard let value = node.bool else { fail(node, "'\(key)' must be true or false"); return nil }
        return value
    }

    mutating func double(_ node: Node, _ key: String, _ range: ClosedRange<Double>) -> Double? {
        guard let value = node.float ?? node.int.map(Double.init), range.contains(value) else {
            fail(node, "'\(key)' must be a number in \(range.lowerBound)...\(range.upperBound)"); return nil
        }
        return value
    }

    mutating func required(_ fields: [Field], _ key: String, _ parent: Node) -> Node? {
        guard let node = fields.first(where: { $0.name == key })?.value else { fail(parent, "missing '\(key)'"); return nil }
        return node
    }

    mutating func allowOnly(_ keys: Set<String>, in fields: [Field]) {
        for field in fields where !keys.contains(field.name) {
            fail(field.key, "unknown key '\(field.name)' (expected \(keys.sorted().joined(separator: ", ")))")
        }
    }

    mutating func api(_ node: Node) -> NearcastConfig.APIConfig? {
        guard let fields = mapping(node, "'api'") else { return nil }
        allowOnly(["listen", "data_dir", "name_servers", "credentials"], in: fields)
        var api = NearcastConfig.APIConfig()
        for field in fields {
            switch field.name {
            case "listen":
                if case .scalar(let scalar) = field.value, scalar.string == "off" || scalar.string == "false" { api.listen = nil }
                else { api.listen = string(field.value, "listen")?.value }
            case "data_dir": api.dataDirectory = string(field.value, "data_dir")?.value ?? api.dataDirectory
            case "name_servers":
                let names = strings(field.value, "name_servers").map(\.value)
                if names.isEmpty { fail(field.value, "'name_servers' needs at least one name") } else { api.nameServers = names }
            case "credentials":
                for item in sequence(field.value, "credentials") {
                    guard let keys = mapping(item, "a credential") else { continue }
                    allowOnly(["access_key_id", "secret_access_key"], in: keys)
                    guard let id = required(keys, "access_key_id", item).flatMap({ string($0, "access_key_id") }),
                          let secret = required(keys, "secret_access_key", item).flatMap({ string($0, "secret_access_key") })
                    else { continue }
                    api.credentials.append((id.value, secret.value))
                }
            default: break
            }
        }
        return api
    }

    mutating func healthChecks(_ node: Node) -> NearcastConfig.HealthChecksConfig? {
        guard let fields = mapping(node, "'health_checks'") else { return nil }
        allowOnly(["observer", "time_scale", "restrict_private_addresses", "source_address"], in: fields)
        var health = NearcastConfig.HealthChecksConfig()
        for field in fields {
            switch field.name {
            case "observer": health.observer = string(field.value, "observer")?.value
            case "time_scale": health.timeScale = double(field.value, "time_scale", 0.001...1) ?? health.timeScale
            case "source_address":
                guard let text = string(field.value, "source_address") else { continue }
                if IPAddress(text.value) == nil { fail(field.value, "'source_address' must be an IPv4 or IPv6 address") }
                else { health.sourceAddress = text.value }
            case "restrict_private_addresses":
                health.restrictPrivateAddresses = bool(field.value, "restrict_private_addresses") ?? health.restrictPrivateAddresses
            default: break
            }
        }
        return health
    }

    mutating func zone(_ node: Node) -> NearcastConfig.ZoneConfig? {
        guard let fields = mapping(node, "a zone") else { return nil }
        allowOnly(["origin", "file", "latency_records"], in: fields)
        let origin = required(fields, "origin", node).flatMap { string($0, "origin") }
        let file = required(fields, "file", node).flatMap { string($0, "file") }
        var records: [NearcastConfig.LatencyRecordConfig] = []
        if let list = fields.first(where: { $0.name == "latency_records" })?.value {
            for item in sequence(list, "latency_records") { if let record = latencyRecord(item) { records.append(record) } }
        }
        guard let origin, let file else { return nil }
        return .init(origin: origin, file: file, latencyRecords: records)
    }

    mutating func latencyRecord(_ node: Node) -> NearcastConfig.LatencyRecordConfig? {
        guard let fields = mapping(node, "a latency record") else { return nil }
        allowOnly(["name", "type", "ttl", "sets"], in: fields)
        let name = required(fields, "name", node).flatMap { string($0, "name") }
        let type = required(fields, "type", node).flatMap { string($0, "type") }
        let ttl = required(fields, "ttl", node).flatMap { int($0, "ttl", 0...2_147_483_647) }
        var sets: [Located<(id: String, region: String, values: [String])>] = []
        if let list = required(fields, "sets", node) {
            for item in sequence(list, "sets") {
                guard let setFields = mapping(item, "a latency record set") else { continue }
                allowOnly(["id", "region", "values"], in: setFields)
                guard let id = required(setFields, "id", item).flatMap({ string($0, "id") }),
                      let region = required(setFields, "region", item).flatMap({ string($0, "region") }),
                      let valuesNode = required(setFields, "values", item) else { continue }
                let values = strings(valuesNode, "values").map(\.value)
                if values.isEmpty { fail(item, "a latency record set needs at least one value"); continue }
                sets.append(Located(value: (id.value, region.value, values), line: line(item)))
            }
        }
        guard let name, let type, let ttl else { return nil }
        return .init(name: name, type: type, ttl: UInt32(ttl), sets: sets)
    }
}
