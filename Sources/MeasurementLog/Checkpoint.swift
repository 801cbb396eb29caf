#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LatencyLearning

/// The aggregates' checkpoint file: a 40-byte header — "NCCK", version
/// UInt16, 2 zero bytes, the log position (hour Int64, records Int64), the
/// aggregates' length UInt64, a checksum UInt64 (FNV-1a) of those 32 bytes —
/// then `Aggregates.serialized()` (which has its own checksum).
enum Checkpoint {
    static let fileName = "checkpoint.ncc"
    static let magic: [UInt8] = Array("NCCK".utf8)
    static let version: UInt16 = 1
    static let headerSize = 40

    static func save(_ aggregates: Aggregates, position: LogPosition, to path: String, directory: String) throws(MeasurementLogError) {
        let body = aggregates.serialized()
        var header = magic + withUnsafeBytes(of: version.littleEndian, Array.init) + [0, 0]
        for field in [UInt64(bitPattern: position.hourMs), UInt64(bitPattern: position.records), UInt64(body.count)] {
            header += withUnsafeBytes(of: field.littleEndian, Array.init)
        }
        header += withUnsafeBytes(of: fnv1a(header).littleEndian, Array.init)
        let temporary = path + ".tmp"
        let file = try PosixFile(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { file.release() }
        try file.append(header)
        try file.append(body)
        try file.sync()
        try Directory.move(temporary, to: path)
        try Directory.sync(directory)
    }

    static func load(from path: String) throws(MeasurementLogError) -> (Aggregates, LogPosition)? {
        guard access(path, F_OK) == 0 else { return nil }
        let file = try PosixFile(path: path, flags: O_RDONLY)
        defer { file.release() }
        func corrupt(_ message: String) -> MeasurementLogError {
            MeasurementLogError(path: path, message: "corrupt checkpoint: \(message)")
        }
        let size = try file.size
        var header = [UInt8](repeating: 0, count: headerSize)
        guard try file.read(into: &header, at: 0) == headerSize
        else { throw corrupt("\(size) bytes is shorter than the header") }
        guard header.prefix(4).elementsEqual(magic) else { throw corrupt("bad magic") }
        let fields = header.withUnsafeBytes { raw in
            (1...4).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
        }
        guard fields[3] == fnv1a(Array(header[..<32])) else { throw corrupt("header checksum mismatch") }
        let version = UInt16(header[4]) | UInt16(header[5]) << 8
        guard version == Self.version else { throw corrupt("unsupported version \(version)") }
        guard fields[2] == UInt64(size - headerSize) else { throw corrupt("\(size - headerSize) bytes of aggregates, the header says \(fields[2])") }
        var body = [UInt8](repeating: 0, count: size - headerSize)
        guard try file.read(into: &body, at: headerSize) == body.count
        else { throw corrupt("the file shrank while it was read") }
        do {
            let aggregates = try Aggregates(serialized: body)
            return (aggregates, LogPosition(hourMs: Int64(bitPattern: fields[0]), records: Int64(bitPattern: fields[1])))
        } catch {
            throw corrupt(error.description)
        }
    }

    private static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }
}
