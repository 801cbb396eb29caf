import Foundation
import Hummingbird
import LatencyLearning
import LatencyModel
import Logging
import Synchronization
import Testing
@testable import RealUserMeasurement

/// Serves real collectors for tests/latency/test_rum_browser.py (the browser end-to-end test's "harness"
/// variant); skipped unless NEARCAST_RUM_HARNESS names a directory.
///
/// The directory holds `collectors.json`: `[{"name": "direct", "regions": [["eu-west-1", "http://..."]],
/// "trusted_proxies": ["10.0.0.0/8"]}]`. For each collector this writes `<name>.port` once it listens and
/// appends every measurement its sink receives to `<name>.jsonl` (`{"client", "region", "rtt_ms", "time_ms",
/// "source"}`). It stops when a file `stop` appears, or after ten minutes.
@Suite struct BrowserHarness {
    static let directory = ProcessInfo.processInfo.environment["NEARCAST_RUM_HARNESS"].map { URL(fileURLWithPath: $0) }

    struct CollectorSpec: Decodable {
        var name: String
        var regions: [[String]]
        var trusted_proxies: [String]
    }

    @Test(.enabled(if: directory != nil)) func serveCollectorsUntilStopped() async throws {
        let directory = try #require(Self.directory)
        let specs = try JSONDecoder().decode([CollectorSpec].self, from: Data(contentsOf: directory.appending(path: "collectors.json")))
        var applications: [Application<CallbackResponder<RUMRequestContext>>] = []
        for spec in specs {
            let settings = RUMSettings(regionURLs: spec.regions.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil },
                                       trustedProxies: spec.trusted_proxies.compactMap { IPPrefix($0) })
            let log = MeasurementFile(url: directory.appending(path: "\(spec.name).jsonl"))
            let collector = RUMCollector(settings: settings, catalog: catalog, sink: log.append, logger: Logger(label: "rum-harness"))
            let portFile = directory.appending(path: "\(spec.name).port")
            applications.append(Application(
                responder: collector.responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in try? Data("\(channel.localAddress?.port ?? 0)".utf8).write(to: portFile, options: .atomic) }))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for application in applications {
                group.addTask { try await application.runService(gracefulShutdownSignals: []) }
            }
            let stop = directory.appending(path: "stop")
            let deadline = ContinuousClock.now + .seconds(600)
            while !FileManager.default.fileExists(atPath: stop.path), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            group.cancelAll()  // Hummingbird logs the cancelled servers' shutdown as errors; harmless here
        }
    }
}

/// Measurements as JSON lines, rewritten whole after every batch (a harness sees a handful).
final class MeasurementFile: Sendable {
    let url: URL
    private let lines = Mutex<[String]>([])

    init(url: URL) { self.url = url }

    var append: @Sendable ([LatencyLearning.Measurement]) -> Void {
        { batch in
            let encoded = batch.map {
                #"{"client": "\#($0.client)", "region": "\#(catalog.name(of: $0.region))", "rtt_ms": \#($0.rttMs), "time_ms": \#($0.timeMs), "source": "\#($0.source.rawValue)"}"#
            }
            self.lines.withLock { lines in
                lines += encoded
                try? Data((lines.joined(separator: "\n") + "\n").utf8).write(to: self.url, options: .atomic)
            }
        }
    }
}
