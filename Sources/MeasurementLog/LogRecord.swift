import LatencyLearning
import LatencyModel

/// One measurement on disk, 32 bytes, little-endian:
///
///     0   time ms since 1970            Int64
///     8   client address, network order 16 bytes (IPv4 in the first 4, the rest zero)
///     24  prefix length                 UInt8
///     25  family | source << 4          UInt8: family 4 or 6; source 0 rum, 1 probe, 2 import
///     26  region                        UInt16
///     28  RTT ms                        Float32
enum LogRecord {
    static let size = 32

    static func write(_ measurement: Measurement, to bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        bytes.storeBytes(of: measurement.timeMs.littleEndian, toByteOffset: offset, as: Int64.self)
        let family: UInt8
        switch measurement.client.address {
        case .v4(let address):
            family = 4
            bytes.storeBytes(of: address.bigEndian, toByteOffset: offset + 8, as: UInt32.self)
            for zero in offset + 12..<offset + 24 { bytes[zero] = 0 }
        case .v6(let address):
            family = 6
            bytes.storeBytes(of: address.bigEndian, toByteOffset: offset + 8, as: UInt128.self)
        }
        bytes[offset + 24] = UInt8(measurement.client.length)
        bytes[offset + 25] = family | sourceCode(measurement.source) << 4
        bytes.storeBytes(of: measurement.region.littleEndian, toByteOffset: offset + 26, as: UInt16.self)
        bytes.storeBytes(of: Float32(measurement.rttMs).bitPattern.littleEndian, toByteOffset: offset + 28, as: UInt32.self)
    }

    /// The measurement at `offset`, or nil when the record is not one `write` makes.
    static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Measurement? {
        let timeMs = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
        let length = Int(bytes[offset + 24]), kind = bytes[offset + 25]
        let address: IPAddress
        switch kind & 0x0F {
        case 4 where length <= 32:
            address = .v4(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)))
        case 6 where length <= 128:
            address = .v6(UInt128(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt128.self)))
        default:
            return nil
        }
        let source: Measurement.Source
        switch kind >> 4 {
        case 0: source = .rum
        case 1: source = .probe
        case 2: source = .imported
        default: return nil
        }
        let region = RegionID(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 26, as: UInt16.self))
        let rtt = Float32(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 28, as: UInt32.self)))
        return Measurement(timeMs: timeMs, client: IPPrefix(address, length: length), region: region, rttMs: Double(rtt), source: source)
    }

    private static func sourceCode(_ source: Measurement.Source) -> UInt8 {
        switch source {
        case .rum: 0
        case .probe: 1
        case .imported: 2
        }
    }
}
