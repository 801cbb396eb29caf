import Testing
@testable import DNSWire

@Suite struct EDNSTests {
    func query(opt: [UInt8]) throws(DNSError) -> Message {
        try Message.parse(header(qd: 1, ar: 1) + wwwExampleQuestion + opt)
    }

    @Test func readsPayloadSizeDOBitVersionAndExtendedRCode() throws {
        let edns = try #require(try query(opt: optRecord(payload: 4096, extendedRCode: 1, version: 0, flags: 0x8000)).edns)
        #expect(edns.udpPayloadSize == 4096)
        #expect(edns.dnssecOK)
        #expect(edns.version == 0)
        #expect(edns.extendedRCode == 1)
        let other = try #require(try query(opt: optRecord(payload: 512, version: 1, flags: 0x7FFF)).edns)
        #expect(!other.dnssecOK)  // only the top bit is DO
        #expect(other.version == 1)
        #expect(other.udpPayloadSize == 512)
    }

    @Test func readsAnIPv4ClientSubnet() throws {
        let option = ednsOption(code: 8, [0, 1, 24, 0, 81, 2, 69])
        let ecs = try #require(try query(opt: optRecord(options: option)).edns?.clientSubnet)
        #expect(ecs.family == 1)
        #expect(ecs.sourcePrefix == 24)
        #expect(ecs.scopePrefix == 0)
        #expect(ecs.address == [81, 2, 69])
        #expect(ecs.fullAddress == [81, 2, 69, 0])
        #expect(ecs.maxPrefix == 32)
    }

    @Test func readsAnIPv6ClientSubnetNextToOtherOptions() throws {
        let options = ednsOption(code: 10, [1, 2, 3, 4, 5, 6, 7, 8])
            + ednsOption(code: 8, [0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0x44, 0x01])
            + ednsOption(code: 65001, [])
        let edns = try #require(try query(opt: optRecord(options: options)).edns)
        let ecs = try #require(edns.clientSubnet)
        #expect(ecs.family == 2 && ecs.sourcePrefix == 56)
        #expect(ecs.fullAddress == [0x20, 0x01, 0x0d, 0xb8, 0, 0x44, 0x01] + [UInt8](repeating: 0, count: 9))
        #expect(edns.otherOptions.map(\.code) == [10, 65001])
    }

    @Test func rejectsTwoClientSubnetOptions() {
        let one = ednsOption(code: 8, [0, 1, 24, 0, 81, 2, 69])
        #expect(throws: DNSError.self) { try query(opt: optRecord(options: one + one)) }
    }

    @Test(arguments: [
        [0, 3, 0, 0],                       // family 3
        [0, 1, 33, 0, 1, 2, 3, 4, 5],       // IPv4 /33
        [0, 1, 24, 0, 81, 2, 69, 0],        // 4 address bytes for a /24
        [0, 1, 24, 0, 81, 2],               // 2 address bytes for a /24
        [0, 1, 23, 0, 81, 2, 69],           // bit 24 set beyond /23
        [0, 1, 24, 33, 81, 2, 69],          // scope /33
        [0, 1, 24],                         // shorter than 4 bytes
    ] as [[UInt8]])
    func rejectsAMalformedClientSubnet(_ data: [UInt8]) {
        #expect(throws: DNSError.self) { try query(opt: optRecord(options: ednsOption(code: 8, data))) }
    }

    @Test func rejectsAnOptionRunningPastTheRecord() {
        let option = [0, 10, 0, 8, 1, 2] as [UInt8]
        #expect(throws: DNSError.self) { try query(opt: optRecord(options: option)) }
    }

    @Test func clientSubnetValidation() throws {
        #expect(throws: DNSError.self) { try ClientSubnet(family: 3, sourcePrefix: 0, scopePrefix: 0, address: []) }
        #expect(throws: DNSError.self) { try ClientSubnet(family: 1, sourcePrefix: 33, scopePrefix: 0, address: [1, 2, 3, 4, 5]) }
        #expect(throws: DNSError.self) { try ClientSubnet(family: 2, sourcePrefix: 129, scopePrefix: 0, address: [UInt8](repeating: 0, count: 17)) }
        #expect(throws: DNSError.self) { try ClientSubnet(family: 1, sourcePrefix: 24, scopePrefix: 0, address: [10, 0, 0, 0]) }
        #expect(throws: DNSError.self) { try ClientSubnet(family: 1, sourcePrefix: 25, scopePrefix: 0, address: [10, 0, 0, 0x40]) }
        #expect(throws: DNSError.self) { try ClientSubnet(family: 1, sourcePrefix: 0, scopePrefix: 0, address: [0]) }
        let zero = try ClientSubnet(family: 1, sourcePrefix: 0, scopePrefix: 0, address: [])
        #expect(zero.fullAddress == [0, 0, 0, 0])
        let v6 = try ClientSubnet(family: 2, sourcePrefix: 56, scopePrefix: 0, address: [0x20, 0x01, 0x0d, 0xb8, 0, 0x44, 0x01])
        #expect(v6.maxPrefix == 128)
        #expect(v6.fullAddress.count == 16)
        let edge = try ClientSubnet(family: 1, sourcePrefix: 25, scopePrefix: 32, address: [10, 0, 0, 0x80])
        #expect(edge.address == [10, 0, 0, 0x80])
    }

    @Test func encodesOnlyTheClientSubnetOption() throws {
        var edns = EDNS(udpPayloadSize: 1400, version: 0, dnssecOK: true,
                        clientSubnet: try ClientSubnet(family: 1, sourcePrefix: 24, scopePrefix: 16, address: [81, 2, 69]))
        edns._otherOptions = [.init(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])]
        let bytes = Message(header: Header(id: 5, flags: 0x8000), edns: edns).encode()
        #expect(Array(bytes[12...]) == optRecord(payload: 1400, flags: 0x8000, options: ednsOption(code: 8, [0, 1, 24, 16, 81, 2, 69])))
        let parsed = try #require(try Message.parse(bytes).edns)
        #expect(parsed.clientSubnet?.scopePrefix == 16)
        #expect(parsed.otherOptions.isEmpty)
        #expect(parsed.dnssecOK && parsed.udpPayloadSize == 1400)
    }

    @Test func encodesAnEmptyOptionListWithoutClientSubnet() {
        let bytes = Message(header: Header(id: 5), edns: EDNS(udpPayloadSize: 1232)).encode()
        #expect(Array(bytes[10..<12]) == [0, 1])  // ARCOUNT counts the OPT
        #expect(Array(bytes[12...]) == optRecord(payload: 1232))
    }
}
