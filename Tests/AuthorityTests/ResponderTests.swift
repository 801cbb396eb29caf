import Testing
import Authority
import DNSWire
import LatencyModel

/// `big` holds 12 TXT records of 100 bytes: about 1.4 KB of answer.
/// `mid` holds 5 of them: about 600 bytes.
let responderZone = latencyZone + "\n" + txtLines("big", count: 12) + txtLines("mid", count: 5)

/// `count` distinct TXT records of 100 bytes at `owner`.
func txtLines(_ owner: String, count: Int) -> String {
    (0..<count).map { "\(owner) IN TXT \"\($0)\(String(repeating: "x", count: 100 - String($0).count))\"\n" }.joined()
}

@Suite struct ResponderTests {
    func snapshot(maxUDPPayload: Int = 1232) -> Snapshot {
        makeSnapshot([("lat.test.", responderZone)], latency: wwwSets, measurements: measurements,
                     defaultRegions: ["ap-northeast-1"], maxUDPPayload: maxUDPPayload)
    }

    @Test func dropsShortPacketsAndResponses() {
        let s = snapshot()
        #expect(s.respondBytes([]) == nil)
        #expect(s.respondBytes(Array(queryPacket("www.lat.test.", .a).prefix(11))) == nil)
        #expect(s.respondBytes(queryPacket("www.lat.test.", .a, flags: 0x8100)) == nil)
        #expect(s.respondBytes(queryPacket("www.lat.test.", .a, flags: 0x8000), transport: .tcp) == nil)
    }

    @Test func answersAQuery() throws {
        let m = try #require(try snapshot().respondMessage(queryPacket("www.lat.test.", .a, id: 0x4242), source: "81.2.69.1"))
        #expect(m.header.id == 0x4242)
        #expect(m.header.isResponse)
        #expect(m.header.authoritative)
        #expect(m.header.recursionDesired)
        #expect(!m.header.recursionAvailable)
        #expect(!m.header.truncated)
        #expect(m.rcode == .noError)
        #expect(m.questions == [Question(name: name("www.lat.test."), type: .a)])
        #expect(values(m.answers) == ["192.0.2.2"])
        #expect(m.edns == nil)
    }

    @Test func copiesRDAndCDAndNeverSetsRA() throws {
        let s = snapshot()
        let noRD = try #require(try s.respondMessage(queryPacket("www.lat.test.", .a, flags: 0x0000)))
        #expect(!noRD.header.recursionDesired)
        #expect(!noRD.header.recursionAvailable)
        let cd = try #require(try s.respondMessage(queryPacket("www.lat.test.", .a, flags: 0x0110)))
        #expect(cd.header.checkingDisabled && cd.header.recursionDesired)
        #expect(!cd.header.recursionAvailable)
        let ra = try #require(try s.respondMessage(queryPacket("www.lat.test.", .a, flags: 0x0180)))
        #expect(!ra.header.recursionAvailable)
        let nx = try #require(try s.respondMessage(queryPacket("nope.lat.test.", .a, flags: 0x0100)))
        #expect(!nx.header.recursionAvailable)
        #expect(nx.rcode == .nxDomain)
        #expect(nx.header.authoritative)
    }

    @Test func echoesTheQuestionInItsOwnCase() throws {
        let bytes = try #require(snapshot().respondBytes(queryPacket("WwW.LaT.tEsT.", .a)))
        let m = try Message.parse(bytes)
        #expect(m.questions.first?.name.wire == name("WwW.LaT.tEsT.").wire)
        #expect(m.answers.first?.name.wire == name("WwW.LaT.tEsT.").wire)
    }

    @Test func formErrForNoQuestionTwoQuestionsAndGarbage() throws {
        let s = snapshot()
        var none = queryPacket("www.lat.test.", .a)
        none = Array(none.prefix(12)); none[5] = 0
        var two = Message(header: Header(id: 7, flags: 0x0100), questions: [Question(name: name("www.lat.test."), type: .a),
                                                                            Question(name: name("static.lat.test."), type: .a)]).encode()
        let garbage: [UInt8] = [0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE, 0xFD]
        let trailing = queryPacket("www.lat.test.", .a, id: 10) + [0]
        for (packet, id) in [(none, UInt16(0xBEEF)), (two, 7), (garbage, 9), (trailing, 10)] {
            let m = try #require(try s.respondMessage(packet))
            #expect(m.rcode == .formErr)
            #expect(m.header.id == id)
            #expect(m.header.isResponse)
            #expect(m.answers.isEmpty)
            #expect(m.questions.isEmpty)
        }
        two[2] = 0  // RD is still copied from a request that is only parsed for its header
        #expect(try s.respondMessage(two)?.header.recursionDesired == false)
    }

    @Test func notImpForOtherOpcodesAndMetaTypes() throws {
        let s = snapshot()
        let update = try #require(try s.respondMessage(queryPacket("lat.test.", .soa, flags: 5 << 11)))
        #expect(update.rcode == .notImp)
        #expect(update.header.opcode == 5)
        #expect(update.answers.isEmpty)
        let notify = try #require(try s.respondMessage(queryPacket("lat.test.", .soa, flags: 4 << 11)))
        #expect(notify.rcode == .notImp)
        let mailb = try #require(try s.respondMessage(queryPacket("www.lat.test.", RRType(253))))
        #expect(mailb.rcode == .notImp)
    }

    @Test func badVersForEDNSVersion1() throws {
        let m = try #require(try snapshot().respondMessage(queryPacket("www.lat.test.", .a, opt: optRecord(version: 1))))
        #expect(m.rcode == .badVers)
        #expect(m.header.rcodeLow == 0)
        let edns = try #require(m.edns)
        #expect(edns.extendedRCode == 1)
        #expect(edns.version == 0)
        #expect(m.answers.isEmpty)
    }

    @Test func refusesZoneTransfersAndForeignNames() throws {
        let s = snapshot()
        #expect(try s.respondMessage(queryPacket("lat.test.", .axfr), transport: .tcp)?.rcode == .refused)
        #expect(try s.respondMessage(queryPacket("lat.test.", .ixfr))?.rcode == .refused)
        let foreign = try #require(try s.respondMessage(queryPacket("www.example.org.", .a)))
        #expect(foreign.rcode == .refused)
        #expect(!foreign.header.authoritative)
        #expect(try s.respondMessage(queryPacket("www.lat.test.", .a, rrclass: .chaos))?.rcode == .refused)
    }

    @Test func echoesECSWithTheBlockAsScope() throws {
        let m = try #require(try snapshot().respondMessage(queryPacket("www.lat.test.", .a, opt: optRecord(options: ecsOption("81.2.69.0/24")))))
        #expect(values(m.answers) == ["192.0.2.2"])
        let ecs = try #require(m.edns?.clientSubnet)
        #expect(ecs.family == 1)
        #expect(ecs.sourcePrefix == 24)
        #expect(ecs.scopePrefix == 24)
        #expect(ecs.address == [81, 2, 69])
        let tokyo = try #require(try snapshot().respondMessage(queryPacket("www.lat.test.", .a, opt: optRecord(options: ecsOption("1.0.16.128/25")))))
        #expect(values(tokyo.answers) == ["192.0.2.3"])
        #expect(tokyo.edns?.clientSubnet?.sourcePrefix == 25)
        #expect(tokyo.edns?.clientSubnet?.scopePrefix == 24)
    }

    @Test func ecsScopeIsZeroForStaticAnswers() throws {
        let m = try #require(try snapshot().respondMessage(queryPacket("static.lat.test.", .a, opt: optRecord(options: ecsOption("81.2.69.0/24")))))
        #expect(values(m.answers) == ["192.0.2.100"])
        #expect(m.edns?.clientSubnet?.scopePrefix == 0)
        #expect(m.edns?.clientSubnet?.sourcePrefix == 24)
    }

    @Test func ecsSourcePrefixZeroUsesTheSourceAddressAndScopeZero() throws {
        let packet = queryPacket("www.lat.test.", .a, opt: optRecord(options: ecsOption("0.0.0.0/0")))
        let m = try #require(try snapshot().respondMessage(packet, source: "1.0.16.9"))
        #expect(values(m.answers) == ["192.0.2.3"])
        let ecs = try #require(m.edns?.clientSubnet)
        #expect(ecs.sourcePrefix == 0)
        #expect(ecs.scopePrefix == 0)
    }

    @Test func ecsForIPv6() throws {
        let m = try #require(try snapshot().respondMessage(queryPacket("www.lat.test.", .a, opt: optRecord(options: ecsOption("2001:db8:44::/56")))))
        #expect(values(m.answers) == ["192.0.2.2"])
        #expect(m.edns?.clientSubnet?.family == 2)
        #expect(m.edns?.clientSubnet?.scopePrefix == 48)
    }

    @Test func malformedECSIsFormErr() throws {
        let bad = ednsOption(code: 8, [0, 1, 24, 0, 81, 2, 69, 1])
        let m = try #require(try snapshot().respondMessage(queryPacket("www.lat.test.", .a, opt: optRecord(options: bad))))
        #expect(m.rcode == .formErr)
    }

    @Test func withoutEDNSUDPAnswersAreCappedAt512() throws {
        let s = snapshot()
        let bytes = try #require(s.respondBytes(queryPacket("mid.lat.test.", .txt)))
        #expect(bytes.count <= 512)
        let m = try Message.parse(bytes)
        #expect(m.header.truncated)
        #expect(m.header.authoritative)
        #expect(m.questions == [Question(name: name("mid.lat.test."), type: .txt)])
        #expect(m.answers.isEmpty && m.authority.isEmpty && m.additional.isEmpty)
        #expect(m.edns == nil)
        #expect(bytes.count == 12 + name("mid.lat.test.").wire.count + 4)
    }

    @Test func tcpReturnsTheFullAnswer() throws {
        let m = try #require(try snapshot().respondMessage(queryPacket("big.lat.test.", .txt), transport: .tcp))
        #expect(!m.header.truncated)
        #expect(m.answers.count == 12)
    }

    @Test func ednsRaisesTheUDPLimitToTheClientsSize() throws {
        let s = snapshot()
        let fits = try #require(try s.respondMessage(queryPacket("mid.lat.test.", .txt, opt: optRecord(payload: 1232))))
        #expect(!fits.header.truncated)
        #expect(fits.answers.count == 5)
        #expect(fits.edns?.udpPayloadSize == 1232)
        // A client size below 512 counts as 512 (RFC 6891 §6.2.5).
        let tiny = try #require(s.respondBytes(queryPacket("mid.lat.test.", .txt, opt: optRecord(payload: 100))))
        #expect(try Message.parse(tiny).header.truncated)
        let small = try #require(s.respondBytes(queryPacket("mid.lat.test.", .txt, opt: optRecord(payload: 600))))
        let parsedSmall = try Message.parse(small)
        #expect(parsedSmall.header.truncated)
        #expect(parsedSmall.answers.isEmpty)
        #expect(parsedSmall.edns != nil)  // the OPT survives truncation
        #expect(small.count <= 600)
    }

    @Test func udpLimitIsCappedByMaxUDPPayload() throws {
        let big = try #require(try snapshot().respondMessage(queryPacket("big.lat.test.", .txt, opt: optRecord(payload: 4096))))
        #expect(big.header.truncated)
        #expect(big.answers.isEmpty)
        #expect(big.edns?.udpPayloadSize == 1232)
        let roomy = try #require(try snapshot(maxUDPPayload: 4096).respondMessage(queryPacket("big.lat.test.", .txt, opt: optRecord(payload: 4096))))
        #expect(!roomy.header.truncated)
        #expect(roomy.answers.count == 12)
        let tight = try #require(try snapshot(maxUDPPayload: 600).respondMessage(queryPacket("mid.lat.test.", .txt, opt: optRecord(payload: 4096))))
        #expect(tight.header.truncated)
        #expect(tight.edns?.udpPayloadSize == 600)
        let tcp = try #require(try snapshot().respondMessage(queryPacket("big.lat.test.", .txt, opt: optRecord(payload: 512)), transport: .tcp))
        #expect(!tcp.header.truncated)
        #expect(tcp.answers.count == 12)
    }

    @Test func copiesTheDOBit() throws {
        let s = snapshot()
        #expect(try s.respondMessage(queryPacket("www.lat.test.", .a, opt: optRecord(dnssecOK: true)))?.edns?.dnssecOK == true)
        #expect(try s.respondMessage(queryPacket("www.lat.test.", .a, opt: optRecord(dnssecOK: false)))?.edns?.dnssecOK == false)
    }

    @Test func doesNotEchoUnknownOptions() throws {
        let cookie = ednsOption(code: 10, [1, 2, 3, 4, 5, 6, 7, 8])
        let bytes = try #require(snapshot().respondBytes(queryPacket("www.lat.test.", .a, opt: optRecord(options: cookie + ednsOption(code: 65001, [9])))))
        let m = try Message.parse(bytes)
        #expect(m.edns != nil)
        #expect(m.edns?.otherOptions.isEmpty == true)
        #expect(Array(bytes.suffix(2)) == [0, 0])  // OPT RDLENGTH 0: the OPT is last
    }
}
