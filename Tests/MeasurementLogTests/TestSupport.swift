#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LatencyLearning
import LatencyModel
@testable import MeasurementLog
import Synchronization
import Testing

/// For logs that should find no damage: any report fails the test.
let unexpectedDamage: @Sendable (MeasurementLogError) -> Void = { Issue.record("unexpected damage: \($0)") }

/// Collects a log's damage reports.
final class DamageReports: Sendable {
    private let reports = Mutex<[MeasurementLogError]>([])
    var all: [MeasurementLogError] { reports.withLock { $0 } }
    var report: @Sendable (MeasurementLogError) -> Void { { [self] error in reports.withLock { $0.append(error) } } }
}

/// A new empty directory under /tmp, removed by `removeDirectory`.
func temporaryDirectory() -> String {
    var template = Array("/tmp/measurement-log-test-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress, let path = mkdtemp(base) else { return "/tmp/measurement-log-test-fallback-\(getpid())" }
        return String(cString: path)
    }
}

func removeDirectory(_ path: String) {
    if let stream = opendir(path) {
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { unlink(path + "/" + name) }
        }
        closedir(stream)
    }
    rmdir(path)
}

func fileNames(_ path: String) -> [String] {
    var names: [String] = []
    if let stream = opendir(path) {
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(stream)
    }
    return names.sorted()
}

/// Appends raw bytes to a file (to simulate torn writes and corruption).
func appendBytes(_ bytes: [UInt8], to path: String) {
    let descriptor = open(path, O_WRONLY | O_APPEND)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}

/// Overwrites bytes at `offset`.
func overwrite(_ bytes: [UInt8], at offset: Int, in path: String) {
    let descriptor = open(path, O_WRONLY)
    _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
    close(descriptor)
}

/// Inverts every bit of the byte at `offset`: always a change, whatever the byte was.
func flipBits(at offset: Int, in path: String) {
    let descriptor = open(path, O_RDWR)
    var byte: UInt8 = 0
    _ = pread(descriptor, &byte, 1, off_t(offset))
    byte = ~byte
    _ = pwrite(descriptor, &byte, 1, off_t(offset))
    close(descriptor)
}

func fileSize(_ path: String) -> Int {
    var status = stat()
    return stat(path, &status) == 0 ? Int(status.st_size) : -1
}

/// SplitMix64: reproducible test data.
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// 2026-11-25T05:00:00Z.
let baseMs: Int64 = 1_795_582_800_000

/// Random measurements with RTTs that Float32 holds exactly (the log stores Float32),
/// IPv4 and IPv6 clients, host addresses and prefixes, every source.
func randomMeasurements(_ count: Int, using random: inout TestRandom, startMs: Int64 = baseMs, spanMs: Int64 = 3_600_000) -> [Measurement] {
    let sources: [Measurement.Source] = [.rum, .probe, .imported]
    return (0..<count).map { _ in
        let v6 = Bool.random(using: &random)
        let address: IPAddress = v6 ? .v6(UInt128(random.next()) << 64 | UInt128(random.next())) : .v4(UInt32.random(in: 0...UInt32.max, using: &random))
        let length = Bool.random(using: &random) ? address.bitWidth : Int.random(in: 0...address.bitWidth, using: &random)
        return Measurement(timeMs: startMs + Int64.random(in: 0..<spanMs, using: &random), client: IPPrefix(address, length: length),
                           region: RegionID.random(in: 0..<39, using: &random), rttMs: Double(Int.random(in: 1...4000, using: &random)) / 4,
                           source: sources[Int.random(in: 0..<3, using: &random)])
    }
}
