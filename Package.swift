// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Nearcast",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nearcast", targets: ["nearcast"]),
        // The query path's pure parts, for the microbenchmarks in Benchmarks/ (a package of its own).
        .library(name: "NearcastEngine", targets: ["DNSWire", "ZoneFile", "LatencyModel", "Authority"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // DNS wire format: messages, names, record data, EDNS and ECS. No I/O.
        .target(name: "DNSWire"),
        // Calendar dates as days since 1970 (proleptic Gregorian), without Foundation.
        .target(name: "CivilDate"),
        // Resident size, and handing freed pages back to the system after large builds.
        .target(name: "ProcessMemory"),
        // IPv4/IPv6 addresses and prefixes, with their text forms.
        .target(name: "NetworkAddress"),
        // RFC 1035 master files and record presentation format.
        .target(name: "ZoneFile", dependencies: ["DNSWire", "NetworkAddress"]),
        // The CPU's prefetch hint, for Swift (header-only C).
        .target(name: "CPrefetch"),
        // Regions and the compiled latency map. No I/O.
        .target(name: "LatencyModel", dependencies: ["NetworkAddress", "CPrefetch"]),
        // Latency measurements: network buckets, time-decayed robust estimates, rankings with hysteresis. No I/O.
        .target(name: "LatencyLearning", dependencies: ["LatencyModel"]),
        // Ingestion rate, map rebuild time and map memory at scale: `swift run -c release LatencyLearningBench`.
        .executableTarget(name: "LatencyLearningBench", dependencies: ["LatencyLearning", "LatencyPrediction", "GeoPrior", "SeededRandom", "ProcessMemory"]),
        // A reproducible random number generator for tests and benchmarks.
        .target(name: "SeededRandom"),
        // Where a client probably is and what RTT that predicts: MaxMind DB and tor-geoip readers, a country RTT prior.
        .target(name: "GeoPrior", dependencies: ["LatencyModel"]),
        // Measurement batches in CSV and JSON: parsing with line-numbered errors. No I/O.
        .target(name: "MeasurementFormats", dependencies: ["LatencyLearning", "LatencyModel", "CivilDate"]),
        // Raw measurements on disk: append-only segments, retention, aggregate checkpoints.
        .target(name: "MeasurementLog", dependencies: ["LatencyLearning", "LatencyModel", "CivilDate"]),
        // Estimates for every network and region (measured, borrowed, prior, default), the map built from them, explanations.
        .target(name: "LatencyPrediction", dependencies: ["LatencyLearning", "LatencyModel", "GeoPrior"]),
        // Real-user measurements: the JavaScript beacon, the collector and the probe object (Hummingbird routes).
        .target(name: "RealUserMeasurement", dependencies: [
            "LatencyLearning", "LatencyModel",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The probe agent: fetches targets from a controller, measures RTTs (TCP, DNS, ICMP), reports them.
        .target(name: "ProbeAgent", dependencies: [
            "SigV4", "DNSWire", "LatencyModel",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // UDP below NIO: threads calling recvmmsg/sendmmsg on SO_REUSEPORT sockets.
        .target(name: "DatagramServer", dependencies: ["LatencyModel"]),
        // The latency simulation: a world from real data, measurements over days, routing quality against an oracle.
        .executableTarget(name: "LatencySimulation", dependencies: [
            "LatencyPrediction", "LatencyLearning", "LatencyModel", "GeoPrior", "MeasurementFormats", "Authority", "DNSWire",
            "ZoneFile", "SeededRandom",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Zones, record sets, routing policies and the answer engine. No I/O.
        .target(name: "Authority", dependencies: ["DNSWire", "LatencyModel"]),
        // AWS Signature Version 4 verification. No I/O.
        .target(name: "SigV4", dependencies: ["CivilDate", .product(name: "Crypto", package: "swift-crypto")]),
        // Route 53's data model and its change-batch rules. No I/O.
        .target(name: "Route53Model", dependencies: ["DNSWire", "ZoneFile", "LatencyModel"]),
        // Durable state: hosted zones, record sets, changes, tags, credentials (SQLite via GRDB).
        .target(name: "Store", dependencies: ["Route53Model", "DNSWire", .product(name: "GRDB", package: "GRDB.swift")]),
        // The Route 53 2013-04-01 REST/XML API.
        .target(name: "ControlAPI", dependencies: [
            "Route53Model", "Store", "SigV4", "Authority", "ZoneFile",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Runs health checks (TCP, HTTP, HTTPS, string match, calculated) and decides their status.
        .target(name: "HealthChecking", dependencies: [
            "Route53Model",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The running node: config, loading, snapshot distribution, listeners.
        .target(name: "NearcastServer", dependencies: [
            "DNSWire", "ZoneFile", "LatencyModel", "Authority", "Route53Model", "Store", "ControlAPI", "SigV4", "HealthChecking",
            "LatencyLearning", "LatencyPrediction", "GeoPrior", "MeasurementFormats", "MeasurementLog", "RealUserMeasurement",
            "DatagramServer", "ProcessMemory",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "nearcast", dependencies: [
            "NearcastServer", "ProbeAgent", "SigV4",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "CivilDateTests", dependencies: ["CivilDate"]),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire"]),
        .testTarget(name: "ZoneFileTests", dependencies: ["ZoneFile"]),
        .testTarget(name: "LatencyModelTests", dependencies: ["LatencyModel", "SeededRandom"]),
        .testTarget(name: "LatencyLearningTests", dependencies: ["LatencyLearning", "LatencyModel", "SeededRandom"]),
        .testTarget(name: "GeoPriorTests", dependencies: ["GeoPrior", "LatencyModel", "SeededRandom"]),
        .testTarget(name: "MeasurementFormatsTests", dependencies: ["MeasurementFormats", "LatencyLearning", "LatencyModel"]),
        .testTarget(name: "MeasurementLogTests", dependencies: ["MeasurementLog", "LatencyLearning", "LatencyModel"]),
        .testTarget(name: "LatencyPredictionTests", dependencies: ["LatencyPrediction", "LatencyLearning", "LatencyModel", "GeoPrior", "SeededRandom"]),
        .testTarget(name: "RealUserMeasurementTests", dependencies: [
            "RealUserMeasurement", "LatencyLearning", "LatencyModel",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        .testTarget(name: "ProbeAgentTests", dependencies: ["ProbeAgent", "SigV4", "DNSWire", "LatencyModel"]),
        .testTarget(name: "DatagramServerTests", dependencies: ["DatagramServer", "LatencyModel"]),
        .testTarget(name: "AuthorityTests", dependencies: ["Authority", "ZoneFile", "SeededRandom"]),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4"], exclude: ["make_fixtures.py"]),
        .testTarget(name: "Route53ModelTests", dependencies: ["Route53Model"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "DNSWire", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "HealthCheckingTests", dependencies: [
            "HealthChecking", "Route53Model",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "NearcastServerTests", dependencies: ["NearcastServer", "DNSWire", "LatencyModel", "Authority"]),
    ]
)
