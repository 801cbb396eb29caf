import Authority
import Dispatch
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A running Nearcast node: listeners serving the newest snapshot, reloaded
/// on SIGHUP, stopped on SIGTERM or SIGINT.
public final class NearcastNode: Sendable {
    private let loader: ConfigurationLoader
    private let configPath: String
    private let logger: Logger
    public let listeners: DNSListeners
    private let reloadQueue = DispatchQueue(label: "nearcast.reload")
    private let nextVersion = NIOLockedValueBox<UInt64>(2)
    /// The files the serving snapshot was built from, with what they looked like then.
    private let watched: NIOLockedValueBox<[String: FileStamp?]>

    private init(loader: ConfigurationLoader, configPath: String, logger: Logger, listeners: DNSListeners, files: [String]) {
        self.loader = loader; self.configPath = configPath; self.logger = logger; self.listeners = listeners
        self.watched = NIOLockedValueBox(FileStamp.of(files))
    }

    /// Loads the configuration and binds the listeners. `listen` and
    /// `threads` override the config file when given.
    public static func start(loader: ConfigurationLoader, configPath: String, listen: [String], threads: Int?,
                             logger: Logger) async throws -> NearcastNode {
        let loaded = try loader.load(configPath: configPath, version: 1).get()
        var settings = loaded.settings
        if !listen.isEmpty { settings.listen = listen }
        if let threads { settings.threads = threads }
        let listeners = DNSListeners(threads: settings.threads, initial: loaded.snapshot, logger: logger)
        let node = NearcastNode(loader: loader, configPath: configPath, logger: logger, listeners: listeners,
                                files: loaded.files)
        do {
            let bound = try await listeners.start(listen: settings.listen, tcpIdleTimeoutMs: settings.tcpIdleTimeoutMs)
            logger.info("serving DNS", metadata: [
                "udp+tcp": "\(bound.map(\.description).joined(separator: ", "))",
                "threads": "\(settings.threads)", "zones": "\(loaded.snapshot.zones.count)",
            ])
        } catch {
            await listeners.shutdown()
            throw error
        }
        return node
    }

    /// Loads the configuration again and swaps it in; on failure logs every
    /// error and keeps serving the old snapshot. Returns whether it swapped.
    @discardableResult
    public func reload() -> Bool {
        let version = nextVersion.withLockedValue { value in defer { value += 1 }; return value }
        switch loader.load(configPath: configPath, version: version) {
        case .success(let loaded):
            listeners.distributor.publish(loaded.snapshot)
            watched.withLockedValue { $0 = FileStamp.of(loaded.files) }
            logger.info("reloaded", metadata: ["version": "\(version)", "zones": "\(loaded.snapshot.zones.count)"])
            return true
        case .failure(let errors):
            for message in errors.messages { logger.error("\(message)") }
            logger.error("reload rejected; still serving the previous data", metadata: ["errors": "\(errors.messages.count)"])
            return false
        }
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
        await listeners.shutdown()
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
