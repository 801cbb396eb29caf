// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Nearcast",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nearcast", targets: ["nearcast"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // DNS wire format: messages, names, record data, EDNS and ECS. No I/O.
        .target(name: "DNSWire"),
        // IPv4/IPv6 addresses and prefixes, with their text forms.
        .target(name: "NetworkAddress"),
        // RFC 1035 master files and record presentation format.
        .target(name: "ZoneFile", dependencies: ["DNSWire", "NetworkAddress"]),
        // Regions and the compiled latency map. No I/O.
        .target(name: "LatencyModel", dependencies: ["NetworkAddress"]),
        // Zones, record sets, routing policies and the answer engine. No I/O.
        .target(name: "Authority", dependencies: ["DNSWire", "LatencyModel"]),
        // The running node: config, loading, snapshot distribution, listeners.
        .target(name: "NearcastServer", dependencies: [
            "DNSWire", "ZoneFile", "LatencyModel", "Authority",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "nearcast", dependencies: [
            "NearcastServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire"]),
        .testTarget(name: "ZoneFileTests", dependencies: ["ZoneFile"]),
        .testTarget(name: "LatencyModelTests", dependencies: ["LatencyModel"]),
        .testTarget(name: "AuthorityTests", dependencies: ["Authority", "ZoneFile"]),
        .testTarget(name: "NearcastServerTests", dependencies: ["NearcastServer", "DNSWire", "LatencyModel", "Authority"]),
    ]
)
