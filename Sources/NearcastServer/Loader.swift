import Authority
import DNSWire
import Foundation
import LatencyModel
import NIOCore
import ZoneFile

/// Settings that shape the listeners rather than the answers.
public struct ServerSettings: Sendable {
    public var listen: [String]
    public var threads: Int
    public var tcpIdleTimeoutMs: Int
    /// Where the Route 53 API listens; nil when it is off.
    public var apiListen: String?
    /// The store's directory, resolved against the config file's directory.
    public var dataDirectory: String
    /// The name servers new hosted zones are delegated to.
    public var nameServers: [DomainName]
    public var credentials: [(accessKeyID: String, secretAccessKey: String)]
    public var healthChecks: NearcastConfig.HealthChecksConfig
    /// Learning latencies; nil: off. `mmdb` is resolved against the config file's directory.
    public var latency: LatencyConfig?
    public var rum: RUMConfig?
}

/// A snapshot and the settings it was loaded with.
public struct LoadedConfiguration: Sendable {
    public var snapshot: Snapshot
    public var settings: ServerSettings
    /// Every file read to build it (resolved paths), for change watching.
    public var files: [String]
    /// The configured latency map's entries when learning is on (the map builder starts from them); else empty.
    public var latencyEntries: [LatencyEntry] = []
}

/// Every problem that kept a configuration from loading, as "file:line: message".
public struct LoadErrors: Error, Sendable, CustomStringConvertible {
    public var messages: [String]
    public var description: String { messages.joined(separator: "\n") }
}

/// Reads the config file and everything it names, and compiles a snapshot.
public struct ConfigurationLoader: Sendable {
    /// Reads a file by path; replaceable so that the demo can load from memory.
    public var readFile: @Sendable (String) throws -> String

    public init(readFile: @escaping @Sendable (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }) {
        self.readFile = readFile
    }

    /// Loads `configPath`. Files it names are resolved against its directory,
    /// and named in messages as written in it. Reports every error found.
    public func load(configPath: String, version: UInt64) -> Result<LoadedConfiguration, LoadErrors> {
        let directory = (configPath as NSString).deletingLastPathComponent
        var files = [configPath]
        let read: (String) throws -> String = { path in
            let resolved = path.hasPrefix("/") || directory.isEmpty ? path : directory + "/" + path
            files.append(resolved)
            return try readFile(resolved)
        }
        let text: String
        do { text = try readFile(configPath) } catch {
            return .failure(LoadErrors(messages: ["\(configPath):0: cannot read the config file: \(describe(error))"]))
        }
        let (config, configErrors) = NearcastConfig.parse(text, file: configPath)
        var errors = configErrors

        let catalog: RegionCatalog
        do {
            catalog = try RegionCatalog(extra: config.regions.map { Region(name: $0.value.name, latitude: $0.value.latitude, longitude: $0.value.longitude) })
        } catch {
            return .failure(LoadErrors(messages: errors + ["\(configPath):0: \(error)"]))
        }
        let defaultRanking = config.defaultRegions.compactMap {
            regionID($0, in: catalog, configPath: configPath, errors: &errors)
        }

        var entries: [LatencyEntry] = []
        if let map = config.latencyMap {
            do {
                let parsed = LatencyMap.parseCSV(try read(map.value), file: map.value, catalog: catalog)
                entries = parsed.entries
                errors += parsed.errors
            } catch {
                errors.append("\(configPath):\(map.line): cannot read the latency map '\(map.value)': \(describe(error))")
            }
        }

        var zones: [Zone] = []
        var origins: Set<DomainName> = []
        for zoneConfig in config.zones {
            let origin: DomainName
            do { origin = try DomainName(parsing: zoneConfig.origin.value, origin: .root) } catch {
                errors.append("\(configPath):\(zoneConfig.origin.line): bad zone origin '\(zoneConfig.origin.value)': \(error)")
                continue
            }
            guard origins.insert(origin).inserted else {
                errors.append("\(configPath):\(zoneConfig.origin.line): the zone \(origin) is declared twice")
                continue
            }
            let file = zoneConfig.file.value
            var records: [DeclaredRecord] = []
            do {
                let parsed = MasterFile.parse(try read(file), file: file, origin: origin, loader: read)
                records = parsed.records.map { DeclaredRecord(record: $0.record, source: "\($0.file):\($0.line)") }
                errors += parsed.errors.map(\.description)
            } catch {
                errors.append("\(configPath):\(zoneConfig.file.line): cannot read the zone file '\(file)': \(describe(error))")
                continue
            }
            let latency = latencyDeclarations(zoneConfig, origin: origin, configPath: configPath, catalog: catalog, errors: &errors)
            switch Zone.build(origin: origin, records: records, routed: latency, catalog: catalog, zoneSource: "\(file):0") {
            case .success(let zone): zones.append(zone)
            case .failure(let failure): errors += failure.messages
            }
        }
        var nameServers: [DomainName] = []
        for text in config.api.nameServers {
            do { nameServers.append(try DomainName(parsing: text, origin: .root)) } catch {
                errors.append("\(configPath):0: bad name server '\(text)' under 'api': \(error)")
            }
        }
        if config.rum != nil && config.latency == nil {
            errors.append("\(configPath):0: 'rum' collects measurements for latency learning: add a 'latency:' section too")
        }
        for region in config.rum?.regions ?? [] where catalog.id(of: region.value.region) == nil {
            errors.append("\(configPath):\(region.line): unknown region '\(region.value.region)' under 'rum'")
        }
        var latency = config.latency
        if let mmdb = latency?.mmdb {
            let path = mmdb.value.hasPrefix("/") || directory.isEmpty ? mmdb.value : directory + "/" + mmdb.value
            latency?.mmdb = Located(value: path, line: mmdb.line)
            if !FileManager.default.isReadableFile(atPath: path) {
                errors.append("\(configPath):\(mmdb.line): cannot read the MaxMind DB '\(mmdb.value)' named under latency.geo.mmdb")
            }
        }
        guard errors.isEmpty else { return .failure(LoadErrors(messages: errors)) }
        let map = LatencyMap(entries: entries, defaultRanking: defaultRanking)
        let snapshot = Snapshot(version: version, zones: zones, latencyMap: map, catalog: catalog,
                                responder: ResponderSettings(maxUDPPayload: config.maxUDPPayload))
        let settings = ServerSettings(
            listen: config.listen.map(\.value),
            threads: config.threads ?? System.coreCount,
            tcpIdleTimeoutMs: config.tcpIdleTimeoutMs,
            apiListen: config.api.listen,
            dataDirectory: config.api.dataDirectory.hasPrefix("/") || directory.isEmpty
                ? config.api.dataDirectory : directory + "/" + config.api.dataDirectory,
            nameServers: nameServers,
            credentials: config.api.credentials,
            healthChecks: config.healthChecks,
            latency: latency,
            rum: config.rum)
        // Learning rebuilds from the entries; without it the compiled map is all that is needed (millions of entries are big).
        return .success(LoadedConfiguration(snapshot: snapshot, settings: settings, files: files,
                                            latencyEntries: config.latency == nil ? [] : entries))
    }

    private func regionID(_ name: Located<String>, in catalog: RegionCatalog, configPath: String,
                          errors: inout [String]) -> RegionID? {
        if let id = catalog.id(of: name.value) { return id }
        errors.append("\(configPath):\(name.line): unknown region '\(name.value)'")
        return nil
    }

    private func latencyDeclarations(_ zone: NearcastConfig.ZoneConfig, origin: DomainName, configPath: String,
                                     catalog: RegionCatalog, errors: inout [String]) -> [RoutedDeclaration] {
        var declarations: [RoutedDeclaration] = []
        for record in zone.latencyRecords {
            let at = "\(configPath):\(record.name.line)"
            guard let name = try? DomainName(parsing: record.name.value, origin: origin) else {
                errors.append("\(at): bad name '\(record.name.value)'"); continue
            }
            guard let type = RRType(mnemonic: record.type.value), !type.isMetaType, type != .soa, type != .ns else {
                errors.append("\(configPath):\(record.type.line): '\(record.type.value)' is not a record type latency records can have"); continue
            }
            for set in record.sets {
                let setAt = "\(configPath):\(set.line)"
                guard (1...128).contains(set.value.id.count) else {
                    errors.append("\(setAt): set identifier must be 1 to 128 characters"); continue
                }
                guard let regionID = regionID(Located(value: set.value.region, line: set.line), in: catalog,
                                              configPath: configPath, errors: &errors) else { continue }
                var rdata: [RData] = []
                for value in set.value.values {
                    do {
                        let data = try RData(presentation: value, type: type, origin: origin)
                        if !rdata.contains(data) { rdata.append(data) }
                    } catch {
                        errors.append("\(setAt): bad \(type) value '\(value)': \(error)")
                    }
                }
                guard !rdata.isEmpty else { continue }
                let rrset = RRSet(type: type, ttl: record.ttl, rdata: rdata)
                declarations.append(RoutedDeclaration(
                    name: name, set: RoutedRecordSet(setIdentifier: set.value.id, policy: .latency(regionID), rrset: rrset), source: setAt))
            }
        }
        return declarations
    }

    private func describe(_ error: Error) -> String {
        (error as? CocoaError)?.localizedDescription ?? "\(error)"
    }
}
