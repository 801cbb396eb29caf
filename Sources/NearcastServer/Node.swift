import Authority
import Dispatch
import ControlAPI
import Foundation
import HealthChecking
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProcessMemory
import RealUserMeasurement
import Store
import LatencyLearning

/// A running Nearcast node: DNS listeners and the Route 53 API serving the
/// newest snapshot, reloaded on SIGHUP, stopped on SIGTERM or SIGINT.
public final class NearcastNode: Sendable {
    private let loader: ConfigurationLoader
    private let configPath: String
    private let logger: Logger
    public let listeners: DNSListeners
    public let data: ServedData
    private let monitor: HealthMonitor
    private let storeSync: StoreSync
    private let latency: LatencyService?
    /// The HTTP servers (the API, the RUM listener), cancelled at shutdown.
    private let servers: NIOLockedValueBox<[Task<Void, Error>]> = NIOLockedValueBox([])
    private let reloadQueue = DispatchQueue(label: "nearcast.reload")
    /// The files the serving snapshot was built from, with what they looked like then.
    private let watched: NIOLockedValueBox<[String: FileStamp?]>

    private init(loader: ConfigurationLoader, configPath: String, logger: Logger, listeners: DNSListeners,
                 data: ServedData, monitor: HealthMonitor, storeSync: StoreSync, latency: LatencyService?, files: [String]) {
        self.loader = loader; self.configPath = configPath; self.logger = logger; self.listeners = listeners
        self.data = data; self.monitor = monitor; self.storeSync = storeSync; self.latency = latency
        self.watched = NIOLockedValueBox(FileStamp.of(files))
    }

    /// What the command line may override in the config file.
    public struct Overrides: Sendable {
        public var listen: [String] = []
        public var threads: Int? = nil
        /// "off" turns the API off.
        public var apiListen: String? = nil
        public var dataDirectory: String? = nil
        /// Keep the store in memory (the demo).
        public var inMemoryStore = false
        public init() {}
    }

    /// Loads the configuration and the store, and binds the DNS listeners
    /// and the API.
    public static func start(loader: ConfigurationLoader, configPath: String, overrides: Overrides,
                             logger: Logger) async throws -> NearcastNode {
        let loaded = try loader.load(configPath: configPath, version: 1).get()
        raiseOpenFileLimit(logger: logger)
        var settings = loaded.settings
        if !overrides.listen.isEmpty { settings.listen = overrides.listen }
        if let threads = overrides.threads { settings.threads = threads }
        if let apiListen = overrides.apiListen { settings.apiListen = apiListen == "off" ? nil : apiListen }
        if let directory = overrides.dataDirectory { settings.dataDirectory = directory }

        let store = overrides.inMemoryStore ? try Store.inMemory()
            : try Store(path: settings.dataDirectory + "/nearcast.sqlite")
        let apiZones = try ServedData.compileStore(store, config: loaded)
        let initial = ServedData.compose(loaded, apiZones, health: HealthView(), learnedMap: nil, version: 1)
        ProcessMemory.returnFreePages()  // parsing a large latency map frees far more than it keeps
        let listeners = DNSListeners(threads: settings.threads, initial: initial, logger: logger)
        let data = try ServedData(store: store, config: loaded, apiZones: apiZones, distributor: listeners.distributor,
                                  snapshotVersion: 1, logger: logger)
        // Health checks run on their own threads, never on the DNS event loops.
        let monitor = HealthMonitor(
            observer: settings.healthChecks.observer ?? ProcessInfo.processInfo.hostName,
            observerAddress: settings.listen.first.flatMap { try? parseListenAddress($0).ipAddress } ?? "127.0.0.1",
            group: MultiThreadedEventLoopGroup.singleton, settings: HealthCheckSettings(timeScale: settings.healthChecks.timeScale,
                                                                          sourceAddress: settings.healthChecks.sourceAddress),
            logger: logger, onChange: { [data] statuses in data.updateHealth(statuses) })
        data.attach(monitor)
        let latency = try settings.latency.map { config in
            try LatencyService.start(settings: config, dataDirectory: settings.dataDirectory, data: data, logger: logger)
        }
        let node = NearcastNode(loader: loader, configPath: configPath, logger: logger, listeners: listeners,
                                data: data, monitor: monitor,
                                storeSync: StoreSync(data: data, monitor: monitor, logger: logger), latency: latency, files: loaded.files)
        do {
            let bound = try await listeners.start(listen: settings.listen, tcpIdleTimeoutMs: settings.tcpIdleTimeoutMs)
            logger.info("serving DNS", metadata: [
                "udp+tcp": "\(bound.map(\.description).joined(separator: ", "))",
                "threads": "\(settings.threads)", "zones": "\(initial.zones.count)",
            ])
            if let apiListen = settings.apiListen {
                try await node.startAPI(listen: apiListen, settings: settings, store: store)
            }
            if let rum = settings.rum, let latency {
                try await node.startRUM(rum, latency: latency)
            }
        } catch {
            await node.shutdown()
            throw error
        }
        return node
    }

    private func startAPI(listen: String, settings: ServerSettings, store: Store) async throws {
        let credentials = try APICredentials.resolve(configured: settings.credentials, store: store,
                                                     dataDirectory: settings.dataDirectory, endpoint: listen, logger: logger)
        let api = Route53API(backend: data, credentials: credentials)
        let latencyAPI = LatencyAPI(service: latency, data: data, credentials: credentials,
                                    recentSources: { [listeners] in listeners.recentQueries() })
        let metrics = data.metrics, listeners = self.listeners
        // Prometheus scrapes `/metrics` without signing; `/nearcast/latency/` is Nearcast's own; the rest is the Route 53 API.
        let responder = CallbackResponder<BasicRequestContext> { request, context in
            if request.uri.path.hasPrefix(LatencyAPI.pathPrefix) { return await latencyAPI.respond(to: request) }
            guard request.method == .get, request.uri.path == "/metrics" else { return try await api.responder.respond(to: request, context: context) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            let text = metrics.render(queries: listeners.queryCounts())
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        try await serveHTTP(responder, listen: listen)
        logger.info("serving the Route 53 API", metadata: ["http": "\(listen)"])
    }

    /// Serves real-user measurements (beacon, collector, probe object) on the public RUM listener.
    private func startRUM(_ rum: RUMConfig, latency: LatencyService) async throws {
        let logger = self.logger
        let settings = RUMSettings(regionURLs: rum.regions.map(\.value), trustedProxies: rum.trustedProxies,
                                   keptNetwork: latency.settings.bucketPolicy)
        let collector = RUMCollector(settings: settings, catalog: data.catalog, sink: { batch in
            do { try latency.ingest(batch) } catch {
                logger.error("could not keep real-user measurements", metadata: ["error": "\(error)"])
            }
        }, logger: logger)
        try await serveHTTP(collector.responder, listen: rum.listen)
        logger.info("serving real-user measurements", metadata: ["http": "\(rum.listen)", "beacon": "\(RUMCollector.beaconPath)"])
    }

    /// Runs an HTTP server for `responder` on `listen` until shutdown; returns once it listens.
    private func serveHTTP<Context: RequestContext>(_ responder: some HTTPResponder<Context>, listen: String) async throws
    where Context.Source == ApplicationRequestContextSource {
        let address = try parseListenAddress(listen)
        let bound = NIOLockedValueBox<Result<Void, Error>?>(nil)
        let ready = AsyncStream<Void>.makeStream()
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(address.ipAddress!, port: address.port!), serverName: "Nearcast"),
            onServerRunning: { _ in bound.withLockedValue { $0 = .success(()) }; ready.continuation.finish() },
            logger: logger)
        let task = Task {
            do { try await application.runService(gracefulShutdownSignals: []) } catch {
                bound.withLockedValue { $0 = $0 ?? .failure(error) }
                ready.continuation.finish()
                throw error
            }
        }
        servers.withLockedValue { $0.append(task) }
        for await _ in ready.stream {}
        if case .failure(let error)? = bound.withLockedValue({ $0 }) { throw error }
        if bound.withLockedValue({ $0 }) == nil { throw HTTPStartError(listen: listen) }
    }

    /// Loads the configuration again and swaps it in; on failure logs every
    /// error and keeps serving the old snapshot. Returns whether it swapped.
    @discardableResult
    public func reload() -> Bool {
        do {
            let loaded = try loader.load(configPath: configPath, version: 0).get()
            try data.replaceConfig(loaded)
            ProcessMemory.returnFreePages()
            latency?.rebuildSoon()
            watched.withLockedValue { $0 = FileStamp.of(loaded.files) }
            logger.info("reloaded", metadata: ["zones": "\(data.snapshot.zones.count)"])
            return true
        } catch {
            let messages = (error as? LoadErrors)?.messages ?? ["\(error)"]
            for message in messages { logger.error("\(message)") }
            logger.error("reload rejected; still serving the previous data", metadata: ["errors": "\(messages.count)"])
            return false
        }
    }

    /// Stops the health checks, the API and the DNS listeners.
    public func shutdown() async {
        latency?.stop()
        storeSync.stop()
        monitor.shutdown()
        for task in servers.withLockedValue({ $0 }) {
            task.cancel()
            _ = try? await task.value
        }
        await listeners.shutdown()
    }

    /// Reloads when a file the snapshot was built from has changed since.
    private func reloadIfChanged() {
        let files = watched.withLockedValue { $0 }
        guard files.contains(where: { FileStamp.of($0.key) != $0.value }) else { return }
        logger.info("a configuration file changed; reloading")
        if !reload() {
            // Remember the broken state so the same error is not logged every second.
            watched.withLockedValue { $0 = FileStamp.of(Array(files.keys)) }
        }
    }

    /// Serves until SIGTERM or SIGINT, reloading on SIGHUP (and, when
    /// `watchInterval` is given, whenever a file it was built from changes);
    /// then shuts down.
    public func runUntilSignalled(watchInterval: Duration? = nil) async {
        for number in [SIGHUP, SIGTERM, SIGINT] { signal(number, SIG_IGN) }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: reloadQueue)
        hangup.setEventHandler { [self] in self.reload() }
        hangup.resume()
        var sources: [DispatchSourceProtocol] = [hangup]
        if let watchInterval {
            let timer = DispatchSource.makeTimerSource(queue: reloadQueue)
            let interval = DispatchTimeInterval.milliseconds(Int(watchInterval.components.seconds * 1000
                + watchInterval.components.attoseconds / 1_000_000_000_000_000))
            timer.schedule(deadline: .now() + interval, repeating: interval)
            timer.setEventHandler { [self] in self.reloadIfChanged() }
            timer.resume()
            sources.append(timer)
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let once = NIOLockedValueBox(false)
            let stops = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: reloadQueue) }
            sources += stops as [DispatchSourceProtocol]
            for source in stops {
                source.setEventHandler {
                    let first = once.withLockedValue { fired in defer { fired = true }; return !fired }
                    if first { done.resume() }
                }
                source.resume()
            }
            SignalSources.keep(sources)
        }
        logger.info("shutting down")
        await shutdown()
    }
}

/// Raises the soft limit on open files to the hard limit: every health
/// check request in flight holds a socket (a TCP check of an endpoint that
/// never answers, for up to 10 s), besides the DNS and API connections.
private func raiseOpenFileLimit(logger: Logger) {
    var limit = rlimit()
    let resource = Int32(RLIMIT_NOFILE.rawValue)
    guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    let wanted = limit.rlim_max
    limit.rlim_cur = wanted
    if setrlimit(resource, &limit) != 0 {
        logger.warning("could not raise the open file limit", metadata: ["wanted": "\(wanted)"])
    }
}

/// Keeps dispatch sources alive for the life of the process.
private enum SignalSources {
    nonisolated(unsafe) static var retained: [DispatchSourceProtocol] = []
    static func keep(_ sources: [DispatchSourceProtocol]) { retained += sources }
}

/// What a file looked like: enough to notice that it was replaced or edited.
struct FileStamp: Hashable, Sendable {
    var modified: Date
    var size: Int
    var inode: Int

    /// The stamp of `path`, or nil when it cannot be read.
    static func of(_ path: String) -> FileStamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return FileStamp(modified: modified, size: (attributes[.size] as? Int) ?? -1,
                         inode: (attributes[.systemFileNumber] as? Int) ?? -1)
    }

    static func of(_ paths: [String]) -> [String: FileStamp?] {
        Dictionary(paths.map { ($0, of($0)) }, uniquingKeysWith: { first, _ in first })
    }
}

struct HTTPStartError: Error, CustomStringConvertible {
    var listen: String
    var description: String { "could not listen for HTTP on \(listen)" }
}
