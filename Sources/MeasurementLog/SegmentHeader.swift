/// The 16 bytes at the start of a segment: "NCML", version UInt16, record
/// size UInt16, the hour's start in ms Int64 (little-endian).
enum SegmentHeader {
    static let size = 16
    static let magic: [UInt8] = Array("NCML".utf8)
    static let version: UInt16 = 1

    static func bytes(hourMs: Int64) -> [UInt8] {
        magic + withUnsafeBytes(of: version.littleEndian, Array.init) + withUnsafeBytes(of: UInt16(LogRecord.size).littleEndian, Array.init)
            + withUnsafeBytes(of: hourMs.littleEndian, Array.init)
    }

    /// Nil when `bytes` is the header of the segment of `hourMs`, else what is wrong.
    static func problem(_ bytes: UnsafeRawBufferPointer, hourMs: Int64) -> String? {
        guard bytes.count >= size else { return "the segment header is truncated (\(bytes.count) of \(size) bytes)" }
        guard bytes.prefix(4).elementsEqual(magic) else { return "not a measurement segment (bad magic)" }
        let version = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        guard version == Self.version else { return "unsupported segment version \(version)" }
        let recordSize = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        guard recordSize == LogRecord.size else { return "unsupported record size \(recordSize)" }
        let hour = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        guard hour == hourMs else { return "the header's hour \(hour) does not match the file name" }
        return nil
    }
}
