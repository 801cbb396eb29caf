import DNSWire
@testable import ZoneFile

let zoneOrigin = try! DomainName(parsing: "example.com.")

func name(_ text: String) -> DomainName { try! DomainName(parsing: text) }

/// The RDATA's wire form, as a record would carry it (names compressed where allowed).
func wire(_ data: RData) -> [UInt8] {
    var writer = WireWriter()
    data.encode(into: &writer)
    return writer.bytes
}

func decode(_ bytes: [UInt8], type: RRType) throws -> RData {
    try bytes.withUnsafeBytes { raw in
        var reader = WireReader(raw)
        return try RData.decode(type: type, length: raw.count, from: &reader)
    }
}

func hexBytes(_ text: String) -> [UInt8] { ZoneFile.hexBytes(text.filter { $0 != " " })! }

/// A loader over in-memory files; unknown paths throw.
func memoryLoader(_ files: [String: String]) -> (String) throws -> String {
    { path in
        guard let text = files[path] else { throw MissingFile(path: path) }
        return text
    }
}

struct MissingFile: Error, CustomStringConvertible {
    var path: String
    var description: String { "no such file" }
}
