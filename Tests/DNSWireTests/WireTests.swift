import Testing
@testable import DNSWire

@Suite struct WireReaderTests {
    /// `example.com.` at offset 0 (13 bytes).
    let exampleCom: [UInt8] = [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]

    @Test func followsABackwardPointerAndResumesAfterIt() throws {
        let bytes = exampleCom + [4] + Array("mail".utf8) + [0xC0, 0x00] + [0xAB]
        let (n, end) = try readName(bytes, at: 13)
        #expect(n == name("mail.example.com."))
        #expect(n.wire == [4] + Array("mail".utf8) + exampleCom)
        #expect(end == 13 + 5 + 2)
    }

    @Test func followsAChainOfBackwardPointers() throws {
        // 0: example.com.  13: www + ->0   19: ->13
        let bytes = exampleCom + [3] + Array("www".utf8) + [0xC0, 0x00] + [0xC0, 13]
        let (n, end) = try readName(bytes, at: 19)
        #expect(n == name("www.example.com."))
        #expect(end == 21)
    }

    @Test func pointerIntoTheMiddleOfAnEarlierName() throws {
        let bytes = exampleCom + [0xC0, 8]  // 8 is the "com" label
        #expect(try readName(bytes, at: 13).0 == name("com."))
    }

    @Test func rejectsForwardPointers() {
        let bytes: [UInt8] = [0xC0, 0x02] + [3] + Array("com".utf8) + [0]
        #expect(throws: DNSError.self) { try readName(bytes, at: 0) }
    }

    @Test func rejectsSelfLoopAndPointerToOwnLabels() {
        #expect(throws: DNSError.self) { try readName([0xC0, 0x00], at: 0) }
        // "a" then a pointer back to the start of the same name: a loop.
        #expect(throws: DNSError.self) { try readName([1, 0x61, 0xC0, 0x00], at: 0) }
        // Two names pointing at each other: the second pointer goes forward again.
        let bytes: [UInt8] = [1, 0x61, 0xC0, 0x04, 1, 0x62, 0xC0, 0x00]
        #expect(throws: DNSError.self) { try readName(bytes, at: 4) }
    }

    @Test(arguments: [[UInt8](), [3, 0x77, 0x77], [3, 0x77, 0x77, 0x77], [0xC0], [1]])
    func rejectsTruncatedNames(_ bytes: [UInt8]) {
        #expect(throws: DNSError.truncated) { try readName(bytes, at: 0) }
    }

    @Test func rejectsReservedLabelTypes() {
        #expect(throws: DNSError.self) { try readName([0x40, 0x00], at: 0) }
        #expect(throws: DNSError.self) { try readName([0x80, 0x00], at: 0) }
    }

    @Test func rejectsPointersWhereCompressionIsNotAllowed() throws {
        let bytes = exampleCom + [0xC0, 0x00]
        #expect(throws: DNSError.self) { try readName(bytes, at: 13, allowCompression: false) }
        #expect(try readName(bytes, at: 0, allowCompression: false).0 == name("example.com."))
    }

    @Test func rejectsNamesThatGrowPast255BytesThroughPointers() throws {
        let label = [UInt8(63)] + [UInt8](repeating: 0x61, count: 63)
        let first = label + label + label + [0]           // 193 bytes: valid
        #expect(try readName(first, at: 0).0.wire.count == 193)
        let bytes = first + label + [0xC0, 0x00]           // 64 + 193 = 257 bytes
        #expect(throws: DNSError.self) { try readName(bytes, at: 193) }
        let exactly255 = first + [61] + [UInt8](repeating: 0x62, count: 61) + [0xC0, 0x00]
        #expect(try readName(exactly255, at: 193).0.wire.count == 255)
    }

    @Test func integerReadsAreBoundsChecked() {
        ([0x01, 0x02, 0x03] as [UInt8]).withUnsafeBytes { raw in
            var r = WireReader(raw)
            #expect(throws: DNSError.truncated) { try r.u32() }
            #expect((try? r.u16()) == 0x0102)
            #expect(throws: DNSError.truncated) { try r.u16() }
            #expect((try? r.u8()) == 0x03)
            #expect(throws: DNSError.truncated) { try r.u8() }
            #expect(throws: DNSError.truncated) { try r.bytes(1) }
        }
    }
}

@Suite struct WireWriterTests {
    @Test func compressesARepeatedSuffix() {
        var w = WireWriter()
        w.name(name("example.com."))
        w.name(name("www.example.com."))
        w.name(name("www.example.com."))
        w.name(name("com."))
        #expect(w.bytes == [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]
                + [3] + Array("www".utf8) + [0xC0, 0x00]
                + [0xC0, 13]
                + [0xC0, 8])
    }

    @Test func compressionIgnoresCaseButKeepsTheFirstSpelling() throws {
        var w = WireWriter()
        w.name(name("WWW.Example.COM."))
        w.name(name("mail.example.com."))
        #expect(w.count == 17 + 5 + 2)
        #expect(Array(w.bytes[17...]) == [4] + Array("mail".utf8) + [0xC0, 4])
        #expect(try readName(w.bytes, at: 17).0.wire == [4] + Array("mail".utf8) + [7] + Array("Example".utf8) + [3] + Array("COM".utf8) + [0])
    }

    @Test func uncompressedNamesAreWrittenInFullButBecomeTargets() {
        var w = WireWriter()
        w.name(name("example.com."))
        w.name(name("a.example.com."), compress: false)
        #expect(w.count == 13 + 15)
        w.name(name("a.example.com."))
        #expect(Array(w.bytes[28...]) == [0xC0, 13])
    }

    @Test func differentNamesAreNotCompressed() {
        var w = WireWriter()
        w.name(name("example.com."))
        w.name(name("example.org."))
        #expect(w.count == 26)
    }

    @Test func integersAndPatching() {
        var w = WireWriter()
        w.u8(1); w.u16(0x0203); w.u32(0x0405_0607)
        w.patch16(at: 1, 0xAABB)
        #expect(w.bytes == [1, 0xAA, 0xBB, 4, 5, 6, 7])
        w.characterString([0x61, 0x62])
        #expect(Array(w.bytes[7...]) == [2, 0x61, 0x62])
    }
}
