// swift-tools-version: 6.1
// Microbenchmarks of the query path (ordo-one/benchmark): `cd Benchmarks && swift package --disable-sandbox benchmark`.
// A package of its own so that the main build and CI do not build the benchmark tooling.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory: the checkout's name.
let engine = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "NearcastBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Engine",
            dependencies: [
                .product(name: "NearcastEngine", package: engine),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Engine",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
