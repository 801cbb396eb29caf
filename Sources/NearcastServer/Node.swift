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

    private init(loader: ConfigurationLoader, configPath: String, logger: Logger, listeners: DNSListeners) {
        self.loader = loader; self.configPath = configPath; self.logger = logger; self.listeners = listeners
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
        let node = NearcastNode(loader: loader, configPath: configPath, logger: logger, listeners: listeners)
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
            logger.info("reloaded", metadata: ["version": "\(version)", "zones": "\(loaded.snapshot.zones.count)"])
            return true
        case .failure(let errors):
            for message in errors.messages { logger.error("\(message)") }
            logger.error("reload rejected; still serving the previous data", metadata: ["errors": "\(errors.messages.count)"])
            return false
        }
    }

    /// Serves until SIGTERM or SIGINT, reloading on SIGHUP; then shuts down.
    public func runUntilSignalled() async {
        for number in [SIGHUP, SIGTERM, SIGINT] { signal(number, SIG_IGN) }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: reloadQueue)
        hangup.setEventHandler { [self] in self.reload() }
        hangup.resume()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let once = NIOLockedValueBox(false)
            let sources = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: reloadQueue) }
            for source in sources {
                source.setEventHandler {
                    let first = once.withLockedValue { fired in defer { fired = true }; return !fired }
                    if first { done.resume() }
                }
                source.resume()
            }
            SignalSources.keep(sources + [hangup])
        }
        logger.info("shutting down")
        await listeners.shutdown()
    }
}

/// Keeps dispatch signal sources alive for the life of the process.
private enum SignalSources {
    nonisolated(unsafe) static var retained: [DispatchSourceSignal] = []
    static func keep(_ sources: [DispatchSourceSignal]) { retained += sources }
}
