import LatencyModel

/// A line of a tor geoip file that cannot be used.
public struct TorGeoIPError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let reason: String
    public var description: String { line == 0 ? "\(file): \(reason)" : "\(file):\(line): \(reason)" }
}

/// IP ranges → country from the files of Debian's `tor-geoipdb` package
/// (converted by Tor from the IPFire Location database, CC BY-SA 4.0):
/// `geoip` has lines `FROM,TO,CC` with IPv4 addresses as integers, `geoip6`
/// lines `FROM,TO,CC` with IPv6 text; `#` starts a comment line.
///
/// Invariant: each family's ranges are sorted and disjoint (the files are;
/// loading rejects a line that is not), so a lookup is one binary search.
/// Ranges marked `??` (unknown) are left out.
public struct TorGeoIP: Sendable {
    public static let defaultIPv4Path = "/usr/share/tor/geoip"
    public static let defaultIPv6Path = "/usr/share/tor/geoip6"

    let ipv4: RangeTable<UInt32>
    let ipv6: RangeTable<UInt128>

    public init(ipv4Path: String = defaultIPv4Path, ipv6Path: String = defaultIPv6Path) throws(TorGeoIPError) {
        func read(_ path: String) throws(TorGeoIPError) -> [UInt8] {
            do { return try readFileBytes(path) } catch { throw TorGeoIPError(file: path, line: 0, reason: error.reason) }
        }
        try self.init(ipv4: read(ipv4Path), ipv6: read(ipv6Path), names: (ipv4Path, ipv6Path))
    }

    /// Parses the two files' contents; `names` label errors.
    public init(ipv4: [UInt8], ipv6: [UInt8], names: (String, String) = ("geoip", "geoip6")) throws(TorGeoIPError) {
        self.ipv4 = try RangeTable(ipv4, file: names.0) { Self.decimal($0) }
        self.ipv6 = try RangeTable(ipv6, file: names.1) { field in
            if case .v6(let v) = IPAddress(String(decoding: field, as: UTF8.self)) { v } else { nil }
        }
    }

    /// Number of ranges loaded per family.
    public var counts: (ipv4: Int, ipv6: Int) { (ipv4.starts.count, ipv6.starts.count) }

    /// The ISO 3166-1 alpha-2 code of the range holding `address`. IPFire's
    /// few non-country codes pass through: EU, AP (regions), AN, CS (former
    /// countries); its `UK` is returned as ISO's `GB`.
    public func country(of address: IPAddress) -> String? {
        let code = switch address {
        case .v4(let v): ipv4.code(of: v)
        case .v6(let v): ipv6.code(of: v)
        }
        return code.map(RangeTable<UInt32>.country)
    }

    /// An unsigned decimal that fits 32 bits.
    private static func decimal(_ digits: ArraySlice<UInt8>) -> UInt32? {
        guard (1...10).contains(digits.count) else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte &- 0x30 < 10 else { return nil }
            value = value * 10 + UInt64(byte - 0x30)
        }
        return UInt32(exactly: value)
    }
}

/// Sorted, disjoint ranges `starts[i]...ends[i]`, each with a country code
/// packed as two ASCII bytes.
///
/// Invariant: `directory[s]` is the number of ranges that start below
/// slice s of the address space (its top `directoryBits` bits equal s), for
/// s in 0...2^directoryBits, so a lookup searches only the ranges starting in
/// its address's slice (a few, rather than all the table's 2^18).
struct RangeTable<Address: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    private(set) var starts: [Address] = []
    private var ends: [Address] = []
    private var codes: [UInt16] = []
    private var directory: [UInt32] = []
    private static var directoryBits: Int { 16 }

    init(_ text: [UInt8], file: String, parse: (ArraySlice<UInt8>) -> Address?) throws(TorGeoIPError) {
        let comma = UInt8(ascii: ","), uk = UInt16(0x554B), gb = UInt16(0x4742)
        var lineStart = 0, lineNumber = 0
        while lineStart < text.count {
            let lineEnd = text[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? text.count
            var line = text[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            lineNumber += 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            func fail(_ reason: String) -> TorGeoIPError { TorGeoIPError(file: file, line: lineNumber, reason: reason) }
            guard let first = line.firstIndex(of: comma),
                  let second = line[(first + 1)...].firstIndex(of: comma) else { throw fail("expected FROM,TO,CC") }
            guard let from = parse(line[..<first]), let to = parse(line[(first + 1)..<second]), from <= to else {
                throw fail("bad range")
            }
            let code = line[(second + 1)...]
            if code.elementsEqual("??".utf8) { continue }
            guard code.count == 2, code.allSatisfy({ $0 &- UInt8(ascii: "A") < 26 }) else { throw fail("bad country code") }
            var packed = UInt16(code.first!) << 8 | UInt16(code.last!)
            if packed == uk { packed = gb }
            if let last = ends.last, from <= last { throw fail("range not after the previous one") }
            starts.append(from); ends.append(to); codes.append(packed)
        }
        var next = 0
        directory = (0...(1 << Self.directoryBits)).map { s in
            while next < starts.count, Self.slice(starts[next]) < s { next += 1 }
            return UInt32(next)
        }
    }

    /// The top `directoryBits` bits of `address`.
    private static func slice(_ address: Address) -> Int { Int(truncatingIfNeeded: address >> (Address.bitWidth - directoryBits)) }

    /// Calls `body` with every range and its country code, in order.
    func forEach(_ body: (Address, Address, String) -> Void) {
        for i in starts.indices { body(starts[i], ends[i], Self.country(codes[i])) }
    }

    /// The two-letter code packed in `code` (two capital letters).
    static func country(_ code: UInt16) -> String {
        countryNames[Int((code >> 8) - 0x41) * 26 + Int((code & 0xFF) - 0x41)]
    }

    func code(of address: Address) -> UInt16? {
        // The first range starting after `address`; the one before may hold it.
        // Only ranges starting in the address's slice can be either.
        let slice = Self.slice(address)
        var low = Int(directory[slice]), high = Int(directory[slice + 1])
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] <= address { low = mid + 1 } else { high = mid }
        }
        return low > 0 && address <= ends[low - 1] ? codes[low - 1] : nil
    }
}

/// Every pair of capital letters, made once: a lookup returns one (a string
/// that short is stored inline) instead of building it.
private let countryNames: [String] = (0..<26 * 26).map { (pair: Int) -> String in
    String(decoding: [UInt8(0x41 + pair / 26), UInt8(0x41 + pair % 26)], as: UTF8.self)
}
