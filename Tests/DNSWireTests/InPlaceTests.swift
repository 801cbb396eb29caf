import Testing
import DNSWire

/// The allocation-free building blocks: `NameView`, `NameTable`, `Query`,
/// `RDataTemplate` and `ResponseWriter`, each against its allocating twin.
@Suite struct InPlaceTests {
    /// Equality and hashing read eight case-folded bytes at a time; they
    /// must agree with folding byte by byte for every byte value (the
    /// neighbours of 'A'...'Z' and 'a'...'z' — '@', '[', '`', '{' — differ by
    /// the same bit as a letter's two cases) and every length around a word.
    @Test(arguments: Array(1...41))
    func nameViewEqualityAndHashFoldOnlyLetters(length: Int) {
        var generator = SystemRandomNumberGenerator()
        let tricky: [UInt8] = [0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0xC1, 0xE1, 0x00, 0xFF]
        for _ in 0..<300 {
            let a = (0..<length).map { _ in Bool.random(using: &generator) ? tricky.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator) }
            var b = a
            for i in b.indices where Bool.random(using: &generator) {
                let flipped = b[i] ^ 0x20
                b[i] = Bool.random(using: &generator) ? flipped : b[i] &+ UInt8.random(in: 0...1, using: &generator)
            }
            let expected = zip(a, b).allSatisfy { x, y in Self.fold(x) == Self.fold(y) }
            a.withUnsafeBytes { x in
                b.withUnsafeBytes { y in
                    let (first, second) = (NameView(unchecked: x), NameView(unchecked: y))
                    #expect((first == second) == expected, "\(a) vs \(b)")
                    if expected { #expect(first.hashCode == second.hashCode) }
                }
            }
        }
    }

    static func fold(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    @Test func nameViewWalksLabelsLikeDomainName() {
        for text in ["www.Example.COM.", "a.b.c.d.", "."] {
            let owned = name(text)
            owned.withView { view in
                #expect(view.labelCount == owned.labelCount)
                #expect(view.parent.domainName.wire == owned.parent.wire)
                #expect(view.dropping(labels: 2).domainName.wire == owned.dropping(labels: 2).wire)
                #expect(view.isSubdomain(of: view.parent))
                #expect(view.domainName.wire == owned.wire)
            }
        }
        name("WWW.example.com.").withView { upper in
            name("www.EXAMPLE.com.").withView { lower in
                #expect(upper == lower)
                #expect(upper.hashCode == lower.hashCode)
            }
            name("ww.example.com.").withView { other in #expect(upper != other) }
            name("example.com.").withView { parent in
                #expect(upper.isSubdomain(of: parent))
                #expect(!parent.isSubdomain(of: upper))
            }
        }
    }

    @Test(arguments: [[UInt8]([0xC0, 0x00]), [3, 0x77, 0x77], [0x40, 0], [0x80, 0], [3, 0x77, 0x77, 0x77]])
    func nameViewDeclinesCompressedReservedOrTruncatedNames(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { #expect(NameView(uncompressedIn: $0, at: 0) == nil) }
    }

    @Test func nameViewDeclinesNamesLongerThan255Bytes() {
        let label63 = [63] + [UInt8](repeating: 0x61, count: 63)
        let longest = label63 + label63 + label63 + [61] + [UInt8](repeating: 0x62, count: 61) + [0]
        #expect(longest.count == 255)
        longest.withUnsafeBytes { #expect(NameView(uncompressedIn: $0, at: 0)?.bytes.count == 255) }
        let tooLong = label63 + label63 + label63 + [62] + [UInt8](repeating: 0x62, count: 62) + [0]
        tooLong.withUnsafeBytes { #expect(NameView(uncompressedIn: $0, at: 0) == nil) }
    }

    @Test func nameTableFindsEveryNameIgnoringCaseAndNothingElse() {
        let names = (0..<1000).map { name("host\($0).Zone\($0 % 7).test.") } + [.root, name("*.wild.test.")]
        let table = NameTable(names)
        #expect(table.count == names.count)
        for (index, owned) in names.enumerated() {
            let shouted = try! DomainName(parsing: owned.description.uppercased())
            shouted.withView { #expect(table.index(of: $0) == index) }
            #expect(table.name(at: index).domainName.wire == owned.wire)
        }
        for missing in ["host1000.zone6.test.", "zone0.test.", "wild.test.", "host1.zone1.test.x."] {
            name(missing).withView { #expect(table.index(of: $0) == nil) }
        }
        let duplicates = NameTable([name("a.test."), name("A.TEST.")])
        name("a.test.").withView { #expect(duplicates.index(of: $0) == 0) }
    }

    @Test func queryReadsWhatMessageParseReads() throws {
        var message = Message(header: Header(id: 0xABCD, flags: 0x0110), questions: [Question(name: name("WwW.example.com."), type: .aaaa)])
        message.edns = EDNS(udpPayloadSize: 4096, dnssecOK: true,
                            clientSubnet: try ClientSubnet(family: 1, sourcePrefix: 22, scopePrefix: 0, address: [81, 2, 68]))
        let bytes = message.encode()
        try bytes.withUnsafeBytes { raw in
            let query = try #require(Query(parsing: raw))
            #expect(query.header == message.header)
            #expect(query.name.domainName.wire == name("WwW.example.com.").wire)
            #expect(query.type == .aaaa && query.rrclass == .in)
            #expect(Array(query.question) == Array(bytes[12..<(bytes.count - 11 - 11)]))
            let edns = try #require(query.edns)
            #expect(edns.udpPayloadSize == 4096 && edns.dnssecOK && edns.version == 0)
            let subnet = try #require(edns.clientSubnet)
            #expect(subnet.family == 1 && subnet.sourcePrefix == 22 && Array(subnet.address) == [81, 2, 68])
            #expect(subnet.fullAddress == 0x5102_4400)
        }
        let plain = Message(header: Header(id: 1), questions: [Question(name: name("a.test."), type: .a)]).encode()
        plain.withUnsafeBytes { #expect(Query(parsing: $0)?.edns == nil) }
    }

    @Test func queryDeclinesWhatItDoesNotHandle() {
        let base = Message(header: Header(id: 1), questions: [Question(name: name("a.test."), type: .a)]).encode()
        let opt: [UInt8] = [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0]
        let badECS: [UInt8] = [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 12, 0, 8, 0, 8, 0, 1, 24, 0, 81, 2, 69, 1]
        let declined: [[UInt8]] = [
            Array(base.prefix(11)),                                                   // short header
            base + [0],                                                               // trailing byte
            Array(base.prefix(base.count - 1)),                                       // truncated question
            Array(base[..<12]) + [0xC0, 0x0C, 0, 1, 0, 1],                            // compressed question name
            { var p = base; p[5] = 2; return p }(),                                   // two questions
            { var p = base; p[7] = 1; return p }(),                                   // an answer record
            { var p = base; p[11] = 1; return p + [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0] }(),  // an additional record that is not OPT
            { var p = base; p[11] = 1; return p + [0xC0, 12] + opt.dropFirst() }(),   // OPT with a compressed owner
            { var p = base; p[11] = 1; return p + badECS }(),                         // ECS with bits beyond its prefix
            { var p = base; p[11] = 1; return p + Array(opt.dropLast()) + [4, 0, 8, 0, 0] }(),  // option past the end
        ]
        for packet in declined {
            packet.withUnsafeBytes { #expect(Query(parsing: $0) == nil, "\(packet)") }
        }
    }

    /// Writes `records` with both writers; the bytes must agree.
    func bothWriters(question: DomainName, _ records: [Record]) -> (expected: [UInt8], got: [UInt8]) {
        var expected = WireWriter()
        expected.name(question)
        for record in records { Message.encode(record, into: &expected) }
        var store: [UInt8] = []
        let templates = records.map { RDataTemplate($0.data, appendingTo: &store) }
        let bytes = ByteStore(store)
        var output = [UInt8](repeating: 0, count: 4096)
        let count = output.withUnsafeMutableBytes { raw in
            var writer = ResponseWriter(raw)
            question.withView { writer.name($0) }
            for (record, template) in zip(records, templates) {
                record.name.withView { writer.record(owner: $0, ttl: record.ttl, template, in: bytes) }
            }
            return writer.count
        }
        return (expected.bytes, Array(output[..<count]))
    }

    @Test(arguments: MessageTests.everyRData)
    func recordsAreWrittenAsMessageEncodeWritesThem(_ data: RData) {
        let records = [Record(name: name("www.example.com."), ttl: 300, data: data),
                       Record(name: name("Mail.EXAMPLE.com."), ttl: 60, data: data),
                       Record(name: name("example.net."), ttl: 1, data: data)]
        let (expected, got) = bothWriters(question: name("www.Example.com."), records)
        #expect(got == expected)
    }

    @Test func templatesCompareDataAsRDataEqualityDoes() {
        let samples: [RData] = [.ns(name("a.test.")), .ns(name("A.TEST.")), .ns(name("b.test.")), .mx(preference: 0x41, exchange: name("a.test.")),
                                .mx(preference: 0x61, exchange: name("a.test.")), .txt([[0x41]]), .txt([[0x61]])]
        var store: [UInt8] = []
        let templates = samples.map { RDataTemplate($0, appendingTo: &store) }
        let bytes = ByteStore(store)
        for (a, x) in zip(samples, templates) {
            for (b, y) in zip(samples, templates) { #expect(x.sameData(as: y, in: bytes) == (a == b), "\(a) vs \(b)") }
        }
    }

    @Test func writerFlagsAFullBufferAndTruncates() {
        var output = [UInt8](repeating: 0, count: 20)
        output.withUnsafeMutableBytes { raw in
            var writer = ResponseWriter(raw)
            name("www.example.com.").withView { writer.name($0) }
            #expect(writer.count == 17 && !writer.isFull)
            name("example.com.").withView { writer.name($0) }   // a pointer: 2 bytes
            #expect(writer.count == 19)
            writer.u32(7)
            #expect(writer.isFull)
            writer.truncate(to: 17)
            #expect(!writer.isFull && writer.count == 17)
            name("mail.example.com.").withView { writer.name($0) }   // 6 bytes do not fit
            #expect(writer.isFull)
        }
    }

    @Test func writerReportsWhenItCannotRememberAnotherSuffix() {
        var output = [UInt8](repeating: 0, count: 8192)
        output.withUnsafeMutableBytes { raw in
            var writer = ResponseWriter(raw)
            for index in 0..<ResponseWriter.maxSuffixes { name("n\(index).").withView { writer.name($0) } }
            #expect(!writer.lostSuffix)
            name("one-more.").withView { writer.name($0) }
            #expect(writer.lostSuffix)
        }
    }
}
