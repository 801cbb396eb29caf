import Testing
@testable import GeoPrior
import LatencyModel
import SeededRandom

/// Expected answers, each from `mmdblookup --file F --ip IP -v` (libmaxminddb
/// 1.7.1, Debian's mmdb-bin). mmdblookup gives an IPv4 address's prefix
/// length in the IPv6 tree (≥ 96); these are in IPv4 terms.
@Suite struct MaxMindDBTests {
    @Test(arguments: [
        ("GeoIP2-City-Test.mmdb", "81.2.69.160", 27, "GB", 51.5142, -0.0931),
        ("GeoIP2-City-Test.mmdb", "216.160.83.56", 29, "US", 47.2513, -122.3149),
        ("GeoIP2-City-Test.mmdb", "89.160.20.112", 28, "SE", 58.4167, 15.6167),
        ("GeoIP2-City-Test.mmdb", "175.16.199.0", 24, "CN", 43.88, 125.3228),
        ("GeoIP2-City-Test.mmdb", "2001:218::", 32, "JP", 35.68536, 139.75309),
        ("GeoIP2-City-Test.mmdb", "2a02:cf40::", 29, "NO", 62.0, 10.0),
        ("GeoLite2-City-Test.mmdb", "81.2.69.160", 27, "GB", 51.5142, -0.0931),
        ("GeoLite2-City-Test.mmdb", "2001:480::", 43, "US", 32.7203, -117.1552),
        ("GeoLite2-City-Test.mmdb", "67.43.156.0", 24, "BT", 27.5, 90.5),
        ("GeoLite2-City-Test.mmdb", "202.196.224.0", 20, "PH", 13.0, 122.0),
    ])
    func cityDatabasesMatchMmdblookup(file: String, address: String, length: Int, country: String, latitude: Double, longitude: Double) throws {
        let db = try MaxMindDB(path: mmdbPath(file))
        let hit = try #require(try db.lookup(ip(address)))
        #expect(hit.prefix == IPPrefix(ip(address), length: length))
        let location = try #require(try db.location(ip(address)))
        #expect(location.country == country)
        #expect(location.point == GeoPoint(latitude: latitude, longitude: longitude))
    }

    @Test(arguments: [("81.2.69.160", 27, "GB"), ("216.160.83.56", 29, "US"), ("2001:218::", 32, "JP"), ("67.43.156.0", 24, "BT")])
    func countryDatabaseHasCountriesWithoutCoordinates(address: String, length: Int, country: String) throws {
        let db = try MaxMindDB(path: mmdbPath("GeoLite2-Country-Test.mmdb"))
        #expect(try db.lookup(ip(address))?.prefix.length == length)
        #expect(try db.location(ip(address)) == GeoLocation(country: country, point: nil))
    }

    @Test func readsMetadata() throws {
        let db = try MaxMindDB(path: mmdbPath("GeoIP2-City-Test.mmdb"))
        #expect(db.nodeCount == 1547)
        #expect(db.recordSize == 28)
        #expect(db.ipVersion == 6)
        #expect(db.databaseType == "GeoIP2-City")
        #expect(db.buildEpoch == 1_770_245_369)
        #expect(db.metadata["languages"] == .array([.string("en"), .string("zh")]))
    }

    @Test func missingAddressesAndRecordsWithoutLocationAreNil() throws {
        let city = try MaxMindDB(path: mmdbPath("GeoIP2-City-Test.mmdb"))
        #expect(try city.lookup(ip("1.1.1.1")) == nil)
        #expect(try city.lookup(ip("1.128.0.0")) == nil)
        let asn = try MaxMindDB(path: mmdbPath("GeoLite2-ASN-Test.mmdb"))
        let hit = try #require(try asn.lookup(ip("1.128.0.0")))
        #expect(hit.prefix == IPPrefix("1.128.0.0/11"))
        #expect(hit.value["autonomous_system_number"] == .uint32(1221))
        #expect(try asn.location(ip("1.128.0.0")) == nil)
        #expect(try asn.lookup(ip("67.43.156.0"))?.value["autonomous_system_number"] == .uint32(35908))
    }

    @Test func fallsBackToTheRegisteredCountry() throws {
        let registered = Field.map([("registered_country", Field.map([("iso_code", Field.string("RO"))])), ("x", Field.uint(6, 1))])
        #expect(try MaxMindDB(bytes: handMadeDatabase(data: registered)).location(ip("10.0.0.1")) == GeoLocation(country: "RO", point: nil))
        let neither = Field.map([("country", Field.map([("names", Field.map([]))])), ("location", Field.map([("latitude", Field.uint(6, 1))]))])
        #expect(try MaxMindDB(bytes: handMadeDatabase(data: neither)).location(ip("10.0.0.1")) == nil)
    }

    @Test func decodesEveryType() throws {
        let db = try MaxMindDB(path: mmdbPath("MaxMind-DB-test-decoder.mmdb"))
        let full: MMDBValue = .map([
            "array": .array([.uint32(1), .uint32(2), .uint32(3)]),
            "boolean": .bool(true),
            "bytes": .bytes([0, 0, 0, 42]),
            "double": .double(42.123456),
            "float": .float(1.1),
            "int32": .int32(-268_435_456),
            "map": .map(["mapX": .map(["arrayX": .array([.uint32(7), .uint32(8), .uint32(9)]), "utf8_stringX": .string("hello")])]),
            "uint128": .uint128(1 << 120),
            "uint16": .uint16(100),
            "uint32": .uint32(268_435_456),
            "uint64": .uint64(1 << 60),
            "utf8_string": .string("unicode! ☯ - ♫"),
        ])
        let zero: MMDBValue = .map([
            "array": .array([]), "boolean": .bool(false), "bytes": .bytes([]), "double": .double(0), "float": .float(0),
            "int32": .int32(0), "map": .map([:]), "uint128": .uint128(0), "uint16": .uint16(0), "uint32": .uint32(0),
            "uint64": .uint64(0), "utf8_string": .string(""),
        ])
        #expect(try db.lookup(ip("::1.1.1.0"))?.prefix == IPPrefix("::1.1.1.0/120"))
        #expect(try db.lookup(ip("::1.1.1.0"))?.value == full)
        #expect(try db.lookup(ip("1.1.1.3"))?.prefix == IPPrefix("1.1.1.0/24"))
        #expect(try db.lookup(ip("1.1.1.3"))?.value == full)
        #expect(try db.lookup(ip("::2.2.0.0"))?.value == full)
        #expect(try db.lookup(ip("::0.0.0.0"))?.value == zero)
        #expect(try db.lookup(ip("abcd::ffff"))?.prefix == IPPrefix("abcd::/64")) // the top bit set
        #expect(try db.lookup(ip("1000::1234:abcd"))?.prefix == IPPrefix("1000::1234:0/112"))
        #expect(try db.lookup(ip("ffff::")) == nil)
        #expect(try db.lookup(ip("::4.0.0.0")) == nil)
    }

    /// The first address of each network is its value's "ip" (in the
    /// mixed database, as IPv4-compatible IPv6).
    @Test(arguments: [
        ("1.1.1.1", 32), ("1.1.1.3", 31), ("1.1.1.7", 30), ("1.1.1.15", 29), ("1.1.1.16", 28), ("1.1.1.32", 32),
    ])
    func walksAnIPv4Tree(address: String, length: Int) throws {
        for (file, ipPrefix) in [("MaxMind-DB-test-ipv4-24.mmdb", ""), ("MaxMind-DB-test-mixed-24.mmdb", "::")] {
            let db = try MaxMindDB(path: mmdbPath(file))
            let hit = try #require(try db.lookup(ip(address)))
            #expect(hit.prefix == IPPrefix(ip(address), length: length))
            #expect(hit.value == .map(["ip": .string(ipPrefix + hit.prefix.address.description)]))
        }
    }

    @Test(arguments: [("::1:ffff:ffff", 128), ("::2:0:0", 122), ("::2:0:40", 124), ("::2:0:50", 125), ("::2:0:58", 127)])
    func walksAnIPv6Tree(address: String, length: Int) throws {
        for file in ["MaxMind-DB-test-ipv6-24.mmdb", "MaxMind-DB-test-mixed-24.mmdb"] {
            let hit = try #require(try MaxMindDB(path: mmdbPath(file)).lookup(ip(address)))
            #expect(hit.prefix == IPPrefix(ip(address), length: length))
            #expect(hit.value == .map(["ip": .string(hit.prefix.address.description)]))
        }
    }

    @Test func findsIPv4ThroughItsIPv6Aliases() throws {
        let mixed = try MaxMindDB(path: mmdbPath("MaxMind-DB-test-mixed-24.mmdb"))
        #expect(try mixed.lookup(ip("::ffff:1.1.1.1"))?.prefix.length == 128)
        #expect(try mixed.lookup(ip("2002:101:101::"))?.prefix.length == 48)
        #expect(try mixed.lookup(ip("::3")) == nil)
        #expect(try mixed.lookup(ip("1.1.1.33")) == nil)
        let ipv4Only = try MaxMindDB(path: mmdbPath("MaxMind-DB-test-ipv4-24.mmdb"))
        #expect(try ipv4Only.lookup(ip("::1.1.1.1")) == nil)
        #expect(try MaxMindDB(path: mmdbPath("MaxMind-DB-test-ipv6-24.mmdb")).lookup(ip("1.1.1.1")) == nil)
    }

    /// The test files have 24- and 28-bit records only: the same trees
    /// re-encoded with 28- and 32-bit records must answer alike.
    @Test(arguments: [28, 32])
    func readsEveryRecordSize(recordSize: Int) throws {
        for file in ["MaxMind-DB-test-ipv4-24.mmdb", "MaxMind-DB-test-mixed-24.mmdb"] {
            let bytes = try readFileBytes(mmdbPath(file))
            let original = try MaxMindDB(bytes: bytes)
            let copy = try MaxMindDB(bytes: reencoded(bytes, nodeCount: original.nodeCount, recordSize: recordSize))
            #expect(copy.recordSize == recordSize)
            let addresses = (0...40).map { IPAddress.v4(0x0101_0100 + $0) } + ["::1:ffff:ffff", "::2:0:58", "::3"].map(ip)
            for address in addresses {
                let (a, b) = (try original.lookup(address), try copy.lookup(address))
                #expect(a?.prefix == b?.prefix && a?.value == b?.value, "\(address)")
            }
        }
    }

    /// 28-bit records keep their top 4 bits in the middle byte: left's in
    /// its high nibble, right's in its low one.
    @Test func splitsTheMiddleNibblesOf28BitRecords() {
        let node: [UInt8] = [0x12, 0x34, 0x56, 0xAB, 0x65, 0x43, 0x21]
        #expect(MaxMindDB.record(node, 28, node: 0, bit: 0) == 0xA12_3456)
        #expect(MaxMindDB.record(node, 28, node: 0, bit: 1) == 0xB65_4321)
    }

    @Test func decodesLongSizesAndPointersIntoTheData() throws {
        let long = String(repeating: "x", count: 300), longer = String(repeating: "y", count: 70_000)
        let shared = Field.string("shared")
        let data = shared + Field.map([("a", Field.string(long)), ("b", Field.string(longer)), ("c", Field.pointer(0)),
                                       ("d", Field.uint(10, UInt64.max)), ("e", Field.header(8, 1) + [0xFF])])
        var bytes = handMadeDatabase(data: data)
        // Point both records at the map, after the shared string.
        for at in [0, 3] { bytes.replaceSubrange(at..<at + 3, with: Field.bigEndian(17 + shared.count, 3)) }
        let value = try #require(try MaxMindDB(bytes: bytes).lookup(ip("10.0.0.1"))).value
        #expect(value["a"] == .string(long))
        #expect(value["b"] == .string(longer))
        #expect(value["c"] == .string("shared"))
        #expect(value["d"] == .uint128(UInt128(UInt64.max)))
        #expect(value["e"] == .int32(255)) // zero-extended, as libmaxminddb reads it
    }

    @Test(arguments: [
        (Field.map([("a", Field.pointer(0))]), MMDBError.tooComplex(offset: 1)),   // a map holding itself
        (Field.pointer(2) + Field.pointer(0), .pointerToPointer(offset: 0)),
        (Field.pointer(2000), .truncated(offset: 2000)),
        (Field.header(3, 4) + [0, 0, 0, 0], .badSize(type: 3, size: 4, offset: 0)),  // a 4-byte double
        (Field.header(5, 3) + [0, 0, 1], .badSize(type: 5, size: 3, offset: 0)),     // a 3-byte uint16
        (Field.header(14, 2), .badSize(type: 14, size: 2, offset: 0)),
        (Field.header(2, 2) + [0xC3, 0x28], .invalidUTF8(offset: 0)),
        (Field.header(7, 1) + Field.uint(6, 1) + Field.uint(6, 1), .mapKeyNotString(offset: 1)),
        (Field.header(12, 0), .invalidType(12, offset: 0)),                          // data cache container
        (Field.header(13, 0), .invalidType(13, offset: 0)),                          // end marker
        ([0x00, 0x00], .invalidType(7, offset: 0)),                                  // extended type 0
        (Field.header(2, 20) + [0x61], .truncated(offset: 1)),
        (Field.header(7, 5000), .truncated(offset: 3)),
        // Maps nested 40 deep: the key of the one at depth 32 is one too deep.
        (Array((0..<40).map { _ in Field.header(7, 1) + Field.string("k") }.joined()), .tooComplex(offset: 97)),
    ])
    func rejectsMalformedData(data: [UInt8], error: MMDBError) throws {
        let db = try MaxMindDB(bytes: handMadeDatabase(data: data))
        #expect(throws: error) { try db.lookup(ip("10.0.0.1")) }
    }

    @Test func rejectsMalformedMetadata() {
        // 6 bytes of tree, 16 of separator, 2 of data, then the 14-byte marker.
        let bytes = handMadeDatabase(data: Field.string("x"))
        #expect(throws: MMDBError.noMetadata) { try MaxMindDB(bytes: Array(bytes.prefix(37))) }
        #expect(throws: MMDBError.truncated(offset: 0)) { try MaxMindDB(bytes: Array(bytes.prefix(38))) }
        let tooManyNodes = handMadeDatabase(data: Field.string("x"), metadata: [("node_count", Field.uint(6, 3))])
        #expect(throws: MMDBError.treeOutOfBounds(nodeCount: 3, recordSize: 24, fileSize: tooManyNodes.count)) {
            try MaxMindDB(bytes: tooManyNodes)
        }
        let cases: [((String, [UInt8]), MMDBError)] = [
            (("record_size", Field.uint(5, 27)), .badMetadata("record_size 27 is not 24, 28 or 32")),
            (("ip_version", Field.uint(5, 5)), .badMetadata("ip_version 5 is not 4 or 6")),
            (("binary_format_major_version", Field.uint(5, 3)), .badMetadata("binary_format_major_version is not 2")),
            (("node_count", Field.string("1")), .badMetadata("node_count is missing or not an unsigned integer")),
            (("database_type", Field.uint(5, 1)), .badMetadata("database_type is missing")),
        ]
        for (entry, error) in cases {
            #expect(throws: error) { try MaxMindDB(bytes: handMadeDatabase(data: Field.string("x"), metadata: [entry])) }
        }
    }

    @Test func rejectsTheBrokenTestDatabases() throws {
        #expect(throws: MMDBError.treeOutOfBounds(nodeCount: 100_000, recordSize: 28, fileSize: 22876)) {
            try MaxMindDB(path: mmdbPath("GeoIP2-City-Test-Invalid-Node-Count.mmdb"))
        }
        let pointers = try MaxMindDB(path: mmdbPath("MaxMind-DB-test-broken-pointers-24.mmdb"))
        #expect(try pointers.lookup(ip("1.1.1.1"))?.value == .map(["ip": .string("1.1.1.1")]))
        let error = #expect(throws: MMDBError.self) { try pointers.lookup(ip("1.1.1.32")) }
        guard case .badRecord = error else { Issue.record("\(String(describing: error))"); return }
        #expect(throws: MMDBError.truncated(offset: 1_000_000)) { try pointers.lookup(ip("1.1.1.16")) }
        // The first node's right record points back at the root: walks end
        // after 32 bits on a node.
        let tree = try MaxMindDB(path: mmdbPath("MaxMind-DB-test-broken-search-tree-24.mmdb"))
        #expect(try tree.lookup(ip("1.1.1.1"))?.value == .map(["ip": .string("1.1.1.1")]))
        #expect(throws: MMDBError.treeTooDeep) { try tree.lookup(ip("255.255.255.255")) }
        #expect(throws: MMDBError.unreadable(FileReadError(path: "/nonexistent.mmdb", reason: "No such file or directory"))) {
            try MaxMindDB(path: "/nonexistent.mmdb")
        }
    }

    /// Truncated and corrupted copies of real databases: every open and
    /// lookup returns or throws, none traps or hangs.
    @Test func survivesTruncationAndCorruption() throws {
        let bytes = try readFileBytes(mmdbPath("GeoIP2-City-Test.mmdb"))
        let addresses = ["81.2.69.160", "216.160.83.56", "2001:218::", "175.16.199.0", "89.160.20.112"].map(ip)
        for length in stride(from: 0, to: bytes.count, by: 97) {
            _ = try? MaxMindDB(bytes: Array(bytes.prefix(length)))
        }
        var random = SeededGenerator(state: 42)
        var failures = 0
        for _ in 0..<300 {
            var copy = bytes
            for _ in 0..<8 { copy[Int.random(in: 0..<copy.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            guard let db = try? MaxMindDB(bytes: copy) else { continue }
            for address in addresses where (try? db.lookup(address)) == nil { failures += 1 }
        }
        #expect(failures > 0) // some corruptions are detected, and none trapped
    }
}

/// A 24-bit database's bytes with its tree re-encoded in `recordSize`-bit
/// records and `record_size` patched in the metadata (same length).
private func reencoded(_ bytes: [UInt8], nodeCount: Int, recordSize: Int) -> [UInt8] {
    var tree: [UInt8] = []
    for node in 0..<nodeCount {
        let left = MaxMindDB.record(bytes, 24, node: node, bit: 0), right = MaxMindDB.record(bytes, 24, node: node, bit: 1)
        tree += recordSize == 28
            ? Field.bigEndian(left, 3) + [UInt8((left >> 24) << 4 | right >> 24)] + Field.bigEndian(right, 3)
            : Field.bigEndian(left, 4) + Field.bigEndian(right, 4)
    }
    var rest = Array(bytes[(nodeCount * 6)...])
    let entry = Field.string("record_size") + Field.uint(5, 24)
    let at = rest.lastIndex(of: entry, from: 0)!
    rest[at + entry.count - 1] = UInt8(recordSize)
    return tree + rest
}
