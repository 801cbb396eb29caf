import Testing
@testable import DNSWire

@Suite struct MessageTests {
    /// `dig www.example.com A` as sent by dig 9.18: RD and AD set, EDNS with a COOKIE option.
    static let digQuery = hex("""
        8b4e 0120 0001 0000 0000 0001
        03 777777 07 6578616d706c65 03 636f6d 00 0001 0001
        00 0029 04d0 00 00 0000 000c 000a 0008 0102030405060708
        """)

    @Test func parsesARealQueryPacket() throws {
        let m = try Message.parse(Self.digQuery)
        #expect(m.header.id == 0x8B4E)
        #expect(!m.header.isResponse)
        #expect(m.header.opcode == 0)
        #expect(m.header.recursionDesired)
        #expect(m.header.authenticData)
        #expect(!m.header.recursionAvailable && !m.header.truncated && !m.header.authoritative)
        #expect(m.questions == [Question(name: name("www.example.com."), type: .a)])
        #expect(m.answers.isEmpty && m.authority.isEmpty && m.additional.isEmpty)
        let edns = try #require(m.edns)
        #expect(edns.udpPayloadSize == 1232)
        #expect(!edns.dnssecOK)
        #expect(edns.version == 0)
        #expect(edns.clientSubnet == nil)
        #expect(edns.otherOptions.count == 1)
        #expect(edns.otherOptions.first?.code == 10)
        #expect(edns.otherOptions.first?.data == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func parsesACompressedResponse() throws {
        // www.example.com. A 192.0.2.1 with its owner compressed to the question.
        let bytes = header(flags: 0x8580, qd: 1, an: 1) + wwwExampleQuestion
            + [0xC0, 12, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 192, 0, 2, 1]
        let m = try Message.parse(bytes)
        #expect(m.header.isResponse && m.header.authoritative && m.header.recursionDesired && m.header.recursionAvailable)
        #expect(m.answers == [Record(name: name("www.example.com."), ttl: 3600, data: .a(IPv4Bytes([192, 0, 2, 1])))])
        #expect(m.encode() == bytes)
    }

    @Test func headerFlagAccessors() {
        var h = Header(id: 7)
        h.opcode = 5
        h.isResponse = true
        h.checkingDisabled = true
        h.rcodeLow = 3
        #expect(h.flags == 0x8000 | 5 << 11 | 0x0010 | 3)
        h.opcode = 0
        h.isResponse = false
        #expect(h.flags == 0x0013)
        h.rcodeLow = 0x1F  // only four bits are kept
        #expect(h.rcodeLow == 0xF)
    }

    static let everyRData: [RData] = [
        .a(IPv4Bytes([192, 0, 2, 1])),
        .aaaa(IPv6Bytes([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])),
        .ns(name("ns1.example.com.")),
        .cname(name("target.example.net.")),
        .ptr(name("host.example.com.")),
        .soa(SOA(mname: name("ns1.example.com."), rname: name("hostmaster.example.com."), serial: 2024010101,
                 refresh: 7200, retry: 3600, expire: 1209600, minimum: 300)),
        .mx(preference: 10, exchange: name("mail.example.com.")),
        .txt([Array("hello world".utf8), [], Array("x".utf8)]),
        .spf([Array("v=spf1 -all".utf8)]),
        .srv(priority: 1, weight: 2, port: 443, target: name("srv.example.com.")),
        .caa(flags: 128, tag: Array("issue".utf8), value: Array("letsencrypt.org".utf8)),
        .naptr(order: 100, preference: 10, flags: Array("S".utf8), services: Array("SIP+D2U".utf8), regexp: [],
               replacement: name("_sip._udp.example.com.")),
        .ds(keyTag: 60485, algorithm: 5, digestType: 1, digest: hex("2BB183AF5F22588179A53B0A98631FAD1A292118")),
        .sshfp(algorithm: 4, fingerprintType: 2, fingerprint: [UInt8](repeating: 0xAB, count: 32)),
        .tlsa(usage: 3, selector: 1, matchingType: 1, data: [UInt8](repeating: 0xCD, count: 32)),
        .svcb(SVCB(priority: 1, target: name("svc.example.com."), params: [.init(key: 1, value: [2, 0x68, 0x32]), .init(key: 3, value: [1, 0xBB])])),
        .https(SVCB(priority: 0, target: name("example.com."), params: [])),
        .unknown(type: RRType(65280), data: [0xDE, 0xAD, 0xBE, 0xEF]),
    ]

    @Test(arguments: everyRData)
    func recordDataRoundTrips(_ data: RData) throws {
        // Each record sits in a response whose question and other records share
        // suffixes with it, so compression is exercised where it is allowed.
        let owner = name("example.com.")
        let message = Message(
            header: Header(id: 99, flags: 0x8400),
            questions: [Question(name: owner, type: data.type)],
            answers: [Record(name: owner, ttl: 300, data: data)],
            authority: [Record(name: name("example.com."), ttl: 60, data: .ns(name("ns1.example.com.")))],
            additional: [Record(name: name("mail.example.com."), ttl: 5, data: data)],
            edns: EDNS(udpPayloadSize: 4096, dnssecOK: true))
        let bytes = message.encode()
        let parsed = try Message.parse(bytes)
        #expect(parsed == message)
        #expect(parsed.answers.first?.data == data)
        #expect(parsed.encode() == bytes)
        #expect(try decodeRData(data.uncompressedWire, type: data.type) == data)
    }

    @Test func coversEveryRDataCase() {
        // Keep the round-trip list complete: one value per known type plus unknown.
        #expect(Set(Self.everyRData.map(\.type)).count == Self.everyRData.count)
    }

    @Test func namesInNewerTypesAreNeverCompressed() {
        // RFC 3597 §4: only RFC 1035 types may use compression.
        for data in Self.everyRData {
            guard [.srv, .naptr, .svcb, .https].contains(data.type),
                  let target = data.target ?? (data.type == .naptr ? name("_sip._udp.example.com.") : nil) else { continue }
            var w = WireWriter()
            w.name(target)  // make the target available for compression
            let before = w.count
            data.encode(into: &w)
            #expect(!w.bytes[before...].contains(0xC0), "\(data.type) compressed its target")
        }
    }

    @Test func rejectsTrailingBytes() {
        #expect(throws: DNSError.self) { try Message.parse(header(qd: 1) + wwwExampleQuestion + [0]) }
    }

    @Test func rejectsMissingRecords() {
        #expect(throws: DNSError.truncated) { try Message.parse(header(qd: 1, an: 1) + wwwExampleQuestion) }
        #expect(throws: DNSError.truncated) { try Message.parse(header(qd: 2) + wwwExampleQuestion) }
        #expect(throws: DNSError.truncated) { try Message.parse(Array(header(qd: 0).prefix(11))) }
    }

    @Test func rejectsRDLengthPastTheEnd() {
        let bytes = header(qd: 0, an: 1) + [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 5, 192, 0, 2, 1]
        #expect(throws: DNSError.self) { try Message.parse(bytes) }
    }

    @Test func rejectsOPTInTheAnswerSection() {
        #expect(throws: DNSError.self) { try Message.parse(header(qd: 1, an: 1) + wwwExampleQuestion + optRecord()) }
        #expect(throws: DNSError.self) { try Message.parse(header(qd: 1, ns: 1) + wwwExampleQuestion + optRecord()) }
    }

    @Test func rejectsTwoOPTRecords() {
        #expect(throws: DNSError.self) {
            try Message.parse(header(qd: 1, ar: 2) + wwwExampleQuestion + optRecord() + optRecord())
        }
    }

    @Test func rejectsOPTWithANonRootOwner() {
        let opt = [1, 0x61, 0] + optRecord().dropFirst()
        #expect(throws: DNSError.self) { try Message.parse(header(qd: 1, ar: 1) + wwwExampleQuestion + opt) }
    }

    @Test func rejectsSVCBWithACompressedTarget() throws {
        // HTTPS record at the question name whose TargetName points at the question name.
        let rdata: [UInt8] = [0, 1, 0xC0, 12]
        let bytes = header(flags: 0x8400, qd: 1, an: 1) + wwwExampleQuestion
            + [0xC0, 12, 0, 65, 0, 1, 0, 0, 0, 60, 0, UInt8(rdata.count)] + rdata
        #expect(throws: DNSError.self) { try Message.parse(bytes) }
        // The same record with the target written out parses.
        let plain: [UInt8] = [0, 1] + Array(name("www.example.com.").wire)
        let ok = header(flags: 0x8400, qd: 1, an: 1) + wwwExampleQuestion
            + [0xC0, 12, 0, 65, 0, 1, 0, 0, 0, 60, 0, UInt8(plain.count)] + plain
        #expect(try Message.parse(ok).answers.first?.data == .https(SVCB(priority: 1, target: name("www.example.com."), params: [])))
    }

    @Test func rejectsMalformedRecordData() {
        #expect(throws: DNSError.self) { try decodeRData([192, 0, 2], type: .a) }
        #expect(throws: DNSError.self) { try decodeRData([192, 0, 2, 1, 0], type: .a) }
        #expect(throws: DNSError.self) { try decodeRData([0x20, 1], type: .aaaa) }
        #expect(throws: DNSError.self) { try decodeRData([], type: .txt) }
        #expect(throws: DNSError.self) { try decodeRData([5, 0x61], type: .txt) }
        #expect(throws: DNSError.self) { try decodeRData([0, 10] + name("mx.example.").wire + [0], type: .mx) }
        // SvcParamKeys must strictly increase (RFC 9460 §2.2).
        let svcb: [UInt8] = [0, 1, 0] + [0, 3, 0, 2, 1, 0xBB] + [0, 1, 0, 1, 0x68]
        #expect(throws: DNSError.self) { try decodeRData(svcb, type: .svcb) }
    }

    @Test func extendedRCodeSplitsBetweenHeaderAndOPT() throws {
        var m = Message(header: Header(id: 1), edns: EDNS())
        m.rcode = .badVers
        #expect(m.header.rcodeLow == 0)
        #expect(m.edns?.extendedRCode == 1)
        let parsed = try Message.parse(m.encode())
        #expect(parsed.rcode == .badVers)
        var plain = Message(header: Header(id: 1))
        plain.rcode = .nxDomain
        #expect(plain.header.rcodeLow == 3)
        #expect(plain.rcode == .nxDomain)
    }

    @Test func typeMnemonics() {
        #expect(RRType(mnemonic: "aaaa") == .aaaa)
        #expect(RRType(mnemonic: "TYPE65280") == RRType(65280))
        #expect(RRType(mnemonic: "TYPE70000") == nil)
        #expect(RRType(mnemonic: "BOGUS") == nil)
        #expect(RRType(65280).description == "TYPE65280")
        #expect(RRType.opt.isMetaType && RRType.any.isMetaType && RRType.axfr.isMetaType)
        #expect(!RRType.a.isMetaType && !RRType.caa.isMetaType)
    }
}
