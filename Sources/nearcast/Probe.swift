import ArgumentParser
import Foundation
import Logging
import ProbeAgent
import SigV4

/// `nearcast probe --region R`: the probe agent, run once per region next to that region's endpoints.
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure RTTs from this region to the controller's probe targets and report them.",
        discussion: """
            Every interval (set by the controller) fetches GET /nearcast/latency/probe-targets?region=R, measures each \
            target by TCP connect, DNS query and ICMP echo (the minimum counts), and posts the results to \
            /nearcast/latency/measurements. Requests are SigV4-signed like the Route 53 API.
            """)

    @Option(help: "The region this agent measures from, e.g. eu-west-1.") var region: String
    @Option(help: "The controlling node's API.") var controller = "http://127.0.0.1:8053"
    @Option(help: "Also serve the RUM probe object (GET /nearcast/probe-object) here, e.g. 127.0.0.1:9001.") var listen: String?
    @Option(help: "At most this many probes a second.") var rate: Double = 20
    @Option(help: "Probe methods, comma-separated: tcp, dns, icmp.") var methods = "tcp,dns,icmp"
    @Option(help: "Seconds a probe may take; slower means no measurement.") var timeout: Double = 2
    @Flag(help: "Run one round, post it, and exit (0 on success).") var once = false
    @Option(help: "With --once: tries per controller call (waiting 1 s, 2 s, 4 s... between) before exiting 1.")
    var attempts = 5
    @OptionGroup var keys: APIKeyOptions
    @Flag(help: "Log every probe target that did not answer.") var verbose = false

    /// The settings from the options, or the first problem with them.
    func settings() throws -> ProbeAgentSettings {
        var settings = ProbeAgentSettings(region: region)
        switch ProbeMethod.parseList(methods) {
        case .success(let list): settings.methods = list
        case .failure(let error): throw ValidationError("--methods: \(error)")
        }
        settings.rate = rate
        guard timeout.isFinite, timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be in (0, 60] seconds") }
        settings.timeout = .milliseconds(Int64(timeout * 1000))
        settings.once = once
        guard attempts >= 1 else { throw ValidationError("--attempts must be at least 1") }
        settings.onceAttempts = attempts
        if let problem = settings.problem { throw ValidationError(problem) }
        return settings
    }

    func validate() throws {
        _ = try settings()
        if let listen, ListenAddress.parse(listen) == nil {
            throw ValidationError("--listen wants ADDRESS:PORT such as 127.0.0.1:9001 or [::1]:9001, got '\(listen)'")
        }
    }

    /// Prints `message` and gives the exit code of a bad option (64), without the top-level usage text.
    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return ExitCode.validationFailure
    }

    func run() async throws {
        let verbose = verbose
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
        let logger = Logger(label: "nearcast.probe")
        let credential: Credential
        do {
            credential = try keys.credential()
        } catch {
            throw Self.fail("\(error)")
        }
        guard let client = ControllerClient(baseURL: controller, credential: credential) else {
            throw Self.fail("--controller wants a URL such as http://127.0.0.1:8053, got '\(controller)'")
        }
        var server: MinimalHTTPServer?
        if let listen, let (address, port) = ListenAddress.parse(listen) {
            do {
                server = try MinimalHTTPServer(address: address, port: port, logger: logger, handler: ProbeObjectResponder.respond)
                logger.info("serving the probe object at http://\(listen)\(ProbeObjectResponder.path)")
            } catch {
                logger.error("\(error)")
                throw ExitCode(1)
            }
        }
        defer { server?.stop() }
        let agent = ProbeAgent(settings: try settings(), client: client, logger: logger)
        logger.info("probing for region \(region) via \(controller), at most \(rate) probes/s, methods \(methods)")
        do {
            try await agent.run()
        } catch {
            throw ExitCode(1)  // the agent has logged why
        }
    }
}
