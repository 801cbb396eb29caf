import ArgumentParser
import Authority
import DNSWire
import Foundation
import LatencyModel
import Logging
import NearcastServer
import ZoneFile

@main
struct Nearcast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Latency-based authoritative DNS.",
        subcommands: [Serve.self, Check.self, Answer.self, Explain.self, Latency.self, Probe.self])
}

/// Where the configuration comes from: a file, or the built-in demo.
struct Source: ParsableArguments {
    @Option(name: .shortAndLong, help: "The config file (YAML).")
    var config: String?

    @Flag(help: "Use the built-in demo zone instead of a config file.")
    var demo = false

    func validate() throws {
        guard (config != nil) != demo else { throw ValidationError("give exactly one of --config FILE or --demo") }
    }

    var loader: ConfigurationLoader { demo ? Demo.loader : ConfigurationLoader() }
    var path: String { config ?? Demo.configPath }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve DNS on UDP and TCP; SIGHUP reloads.")

    @OptionGroup var source: Source

    @Option(help: "Listen address (repeatable), e.g. 127.0.0.1:5300 or [::1]:5300; overrides the config.")
    var listen: [String] = []

    @Option(help: "UDP sockets and event loops per address; overrides the config.")
    var threads: Int?

    @Flag(help: "Also reload when the config, a zone file or the latency map changes (checked every second).")
    var watch = false

    @Option(help: "Where the Route 53 API listens, e.g. 127.0.0.1:8053, or 'off'; overrides the config.")
    var apiListen: String?

    @Option(help: "The directory of the store (SQLite) and generated credentials; overrides the config.")
    var dataDir: String?

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "nearcast")
        let node: NearcastNode
        do {
            var overrides = NearcastNode.Overrides()
            overrides.listen = listen
            overrides.threads = threads
            overrides.apiListen = apiListen
            overrides.dataDirectory = dataDir
            overrides.inMemoryStore = source.demo && dataDir == nil
            node = try await NearcastNode.start(loader: source.loader, configPath: source.path, overrides: overrides,
                                                logger: logger)
        } catch let errors as LoadErrors {
            FileHandle.standardError.write(Data((errors.description + "\n").utf8))
            throw ExitCode(1)
        }
        await node.runUntilSignalled(watchInterval: watch ? .seconds(1) : nil)
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a config file and everything it names.")

    @Argument(help: "The config file.")
    var config: String

    func run() throws {
        switch ConfigurationLoader().load(configPath: config, version: 1) {
        case .success(let loaded):
            let records = loaded.snapshot.zones.values.reduce(0) { $0 + $1.nodes.count }
            print("OK: \(loaded.snapshot.zones.count) zone(s), \(records) name(s)")
        case .failure(let errors):
            print(errors.description)
            throw ExitCode(1)
        }
    }
}

struct Answer: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the answer a client would get, and why.")

    @Argument(help: "The query name.") var name: String
    @Argument(help: "The query type, e.g. A or AAAA.") var type: String = "A"
    @OptionGroup var source: Source
    @Option(help: "The address the query comes from.") var client: String = "127.0.0.1"
    @Option(help: "An EDNS Client Subnet, e.g. 81.2.69.0/24.") var ecs: String?
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Also answer from the hosted zones in this data directory (the API's store).") var dataDir: String?

    func run() throws {
        guard let qtype = RRType(mnemonic: type) else { throw ValidationError("unknown type '\(type)'") }
        let qname = try DomainName(parsing: name.hasSuffix(".") ? name : name + ".")
        guard let sourceAddress = IPAddress(client) else { throw ValidationError("bad client address '\(client)'") }
        var subnet: ClientSubnet? = nil
        if let ecs {
            guard let prefix = IPPrefix(ecs) else { throw ValidationError("bad ECS prefix '\(ecs)' (e.g. 81.2.69.0/24)") }
            subnet = ClientSubnet(prefix)
        }
        let loaded: LoadedConfiguration
        switch source.loader.load(configPath: source.path, version: 1) {
        case .success(let value): loaded = value
        case .failure(let errors): print(errors.description); throw ExitCode(1)
        }
        let snapshot = try dataDir.map { try ServedData.snapshot(of: loaded, storeAt: $0 + "/nearcast.sqlite") } ?? loaded.snapshot
        let explanation = snapshot.explain(Question(name: qname, type: qtype), client: ClientLocation(source: sourceAddress, ecs: subnet))
        let resolution = explanation.resolution
        let scope = subnet.map { $0.sourcePrefix == 0 ? 0 : resolution.scope } ?? resolution.scope
        let network = ecs.flatMap(IPPrefix.init).map(\.description) ?? IPPrefix(sourceAddress, length: sourceAddress.bitWidth).description
        if json {
            var object = AnswerReport.json(resolution, catalog: snapshot.catalog)
            object["client_network"] = network
            object["measured_prefix"] = explanation.measured.map { $0.prefix.description } ?? NSNull()
            object["map_block"] = explanation.block.description
            object["ranking"] = explanation.ranking.map { ["region": snapshot.catalog.name(of: $0.region), "rtt_ms": $0.rttMs ?? NSNull()] as [String: Any] }
            object["scope"] = scope
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("query:          \(qname) \(qtype)")
        print("client network: \(network)\(subnet == nil ? " (query source)" : " (EDNS Client Subnet)")")
        print("measured as:    \(explanation.measured.map { $0.prefix.description } ?? "no measurements; default order")")
        print("map block:      \(explanation.block)")
        let measuredRanking = explanation.ranking.filter { $0.rttMs != nil }
        print("ranking:")
        for (index, entry) in measuredRanking.enumerated() {
            print("  \(index + 1). \(snapshot.catalog.name(of: entry.region))  \(String(format: "%.1f ms", entry.rttMs!))")
        }
        let rest = explanation.ranking.dropFirst(measuredRanking.count).map { snapshot.catalog.name(of: $0.region) }
        print("  then the default order: \(rest.joined(separator: ", "))")
        for step in resolution.steps {
            for skipped in step.skipped {
                print("skipped:        set '\(skipped.setIdentifier)' of \(step.owner) \(step.type): \(skipped.reason)")
            }
            let sets = step.chosen.map { set in set.region.map { "\(snapshot.catalog.name(of: $0)) (set '\(set.setIdentifier)')" } ?? "set '\(set.setIdentifier)'" }
            let note = step.allUnhealthy ? " — every set unhealthy, answered as if all were healthy" : ""
            print("chosen:         \(sets.joined(separator: ", ")) for \(step.owner) \(step.type) (\(step.policy.name))\(note)")
        }
        print("response:       \(resolution.rcode)\(resolution.authoritative ? " AA" : "")  ECS scope /\(scope)")
        for (title, section) in [("answer", resolution.answer), ("authority", resolution.authority), ("additional", resolution.additional)] where !section.isEmpty {
            print("\(title):")
            section.forEach { print("  " + AnswerReport.record($0)) }
        }
    }
}
