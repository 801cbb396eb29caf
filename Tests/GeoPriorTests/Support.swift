@testable import GeoPrior
import LatencyModel
import SeededRandom

/// `shared/data`, which CI checks out beside the repository.
let sharedData: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3) // Tests/GeoPriorTests/Support.swift
    return parts.joined(separator: "/") + "/../shared/data"
}()

func mmdbPath(_ name: String) -> String { "\(sharedData)/mmdb-test/\(name)" }
let ripeTablePath = "\(sharedData)/country-rtt-ripe-atlas-2025.csv"

func ip(_ text: String) -> IPAddress { IPAddress(text)! }

/// MaxMind DB data fields, encoded as the spec says, for hand-made databases.
enum Field {
    /// The control byte(s) of a field of `type` with payload `size`.
    static func header(_ type: Int, _ size: Int) -> [UInt8] {
        let (bits, extra): (Int, [UInt8]) = switch size {
        case ..<29: (size, [])
        case ..<285: (29, [UInt8(size - 29)])
        case ..<65_821: (30, bigEndian(size - 285, 2))
        default: (31, bigEndian(size - 65_821, 3))
        }
        return (type <= 7 ? [UInt8(type << 5 | bits)] : [UInt8(bits), UInt8(type - 7)]) + extra
    }

    static func string(_ text: String) -> [UInt8] { header(2, text.utf8.count) + Array(text.utf8) }
    static func uint(_ type: Int, _ value: UInt64) -> [UInt8] {
        let bytes = bigEndian(value, 8).drop { $0 == 0 }
        return header(type, bytes.count) + bytes
    }
    static func map(_ pairs: [(String, [UInt8])]) -> [UInt8] {
        header(7, pairs.count) + pairs.flatMap { string($0.0) + $0.1 }
    }
    /// A pointer of the shortest form: `offset` < 2048.
    static func pointer(_ offset: Int) -> [UInt8] { [0x20 | UInt8(offset >> 8), UInt8(offset & 0xFF)] }

    static func bigEndian(_ value: some BinaryInteger, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * (count - 1 - $0))) }
    }
}

/// An IPv4 database of one node, 24-bit records, whose every address has
/// the value at offset 0 of `data`; `metadata` entries override the defaults.
func handMadeDatabase(data: [UInt8], metadata: [(String, [UInt8])] = []) -> [UInt8] {
    let record = Field.bigEndian(1 + 16, 3) // node count + separator + offset 0
    var fields: [(String, [UInt8])] = [
        ("node_count", Field.uint(6, 1)), ("record_size", Field.uint(5, 24)), ("ip_version", Field.uint(5, 4)),
        ("database_type", Field.string("Test")), ("binary_format_major_version", Field.uint(5, 2)),
        ("binary_format_minor_version", Field.uint(5, 0)), ("build_epoch", Field.uint(9, 1_700_000_000)),
    ]
    for (key, value) in metadata {
        fields.removeAll { $0.0 == key }
        fields.append((key, value))
    }
    return record + record + [UInt8](repeating: 0, count: 16) + data
        + [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8) + Field.map(fields)
}
