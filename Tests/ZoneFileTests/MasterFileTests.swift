import DNSWire
import Foundation
import Testing
@testable import ZoneFile

private func parse(_ text: String, file: String = "example.com.zone", defaultTTL: UInt32? = nil,
                   files: [String: String] = [:]) -> (records: [SourcedRecord], errors: [ZoneFileError]) {
    MasterFile.parse(text, file: file, origin: zoneOrigin, defaultTTL: defaultTTL, loader: memoryLoader(files))
}

/// "owner ttl type rdata" for each record, for compact comparisons.
private func lines(_ records: [SourcedRecord]) -> [String] {
    records.map { "\($0.record.name) \($0.record.ttl) \($0.record.type) \($0.record.data.presentation)" }
}

@Test func realisticZone() throws {
    let text = """
        ; example.com, served by Nearcast
        $ORIGIN example.com.
        $TTL 1h
        @   IN  SOA ns1 hostmaster (
                    2024060101 ; serial
                    2h         ; refresh
                    15m        ; retry
                    2w         ; expire
                    5m )       ; negative caching
            IN  NS  ns1
            IN  NS  ns2.example.net.
            IN  MX  10 mail
            IN  MX  20 mail.backup.example.net.
            300 TXT "v=spf1 mx -all" "second string"
            CAA 0 issue "letsencrypt.org"
            CAA 0 iodef "mailto:security@example.com"
            HTTPS 1 . alpn=h2,h3 ipv4hint=192.0.2.1,192.0.2.2 ech=AEX+DQBBpQAgACB/RiYn

        ns1     A     192.0.2.53
                AAAA  2001:db8::53
        mail    A     192.0.2.25
        www     CNAME @
        *.dyn   A     192.0.2.80
        sub     NS    ns.sub
        ns.sub  A     192.0.2.99     ; glue for the delegation above
        _sip._tcp SRV 10 60 5060 sip
        _443._tcp.www TLSA 3 1 1 ( 0C72AC70B745AC19998811B131D662C9
                                   AC69DBDBE7CB23E5B514B56664C5D3D6 )

        """
    let (records, errors) = parse(text)
    #expect(errors == [])
    #expect(lines(records) == [
        "example.com. 3600 SOA ns1.example.com. hostmaster.example.com. 2024060101 7200 900 1209600 300",
        "example.com. 3600 NS ns1.example.com.",
        "example.com. 3600 NS ns2.example.net.",
        "example.com. 3600 MX 10 mail.example.com.",
        "example.com. 3600 MX 20 mail.backup.example.net.",
        #"example.com. 300 TXT "v=spf1 mx -all" "second string""#,
        #"example.com. 3600 CAA 0 issue "letsencrypt.org""#,
        #"example.com. 3600 CAA 0 iodef "mailto:security@example.com""#,
        #"example.com. 3600 HTTPS 1 . alpn="h2,h3" ipv4hint=192.0.2.1,192.0.2.2 ech=AEX+DQBBpQAgACB/RiYn"#,
        "ns1.example.com. 3600 A 192.0.2.53",
        "ns1.example.com. 3600 AAAA 2001:db8::53",
        "mail.example.com. 3600 A 192.0.2.25",
        "www.example.com. 3600 CNAME example.com.",
        "*.dyn.example.com. 3600 A 192.0.2.80",
        "sub.example.com. 3600 NS ns.sub.example.com.",
        "ns.sub.example.com. 3600 A 192.0.2.99",
        "_sip._tcp.example.com. 3600 SRV 10 60 5060 sip.example.com.",
        "_443._tcp.www.example.com. 3600 TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6",
    ])
    #expect(records.map(\.line) == [4, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27])
    #expect(records.allSatisfy { $0.file == "example.com.zone" && $0.record.rrclass == .in })
    #expect(records[13].record.name.isWildcard)
}

@Test func originDirectiveAndRelativeNames() {
    let text = """
        $TTL 60
        www A 192.0.2.1
        $ORIGIN sub.example.com.
        @ A 192.0.2.2
        host CNAME www
        $ORIGIN deeper
        x MX 5 @
        y.example.com. PTR y
        """
    let (records, errors) = parse(text)
    #expect(errors == [])
    #expect(lines(records) == [
        "www.example.com. 60 A 192.0.2.1",
        "sub.example.com. 60 A 192.0.2.2",
        "host.sub.example.com. 60 CNAME www.sub.example.com.",
        "x.deeper.sub.example.com. 60 MX 5 deeper.sub.example.com.",
        "y.example.com. 60 PTR y.deeper.sub.example.com.",
    ])
}

@Test func ttlAndClassInEitherOrder() {
    let text = """
        a 300 IN A 192.0.2.1
        b IN 300 A 192.0.2.2
        c in 1h30m a 192.0.2.3
        d CLASS1 TYPE1 192.0.2.4
        e 2d TYPE1 \\# 4 c0000205
        f 1w Type65280 \\# 2 abcd
        """
    let (records, errors) = parse(text)
    #expect(errors == [])
    #expect(lines(records) == [
        "a.example.com. 300 A 192.0.2.1",
        "b.example.com. 300 A 192.0.2.2",
        "c.example.com. 5400 A 192.0.2.3",
        "d.example.com. 5400 A 192.0.2.4",
        "e.example.com. 172800 A 192.0.2.5",
        ##"f.example.com. 604800 TYPE65280 \# 2 ABCD"##,
    ])
}

@Test func ttlDefaulting() {
    // Without $TTL a record takes the last explicit TTL (RFC 2308 §4);
    // $TTL then takes over for records without one.
    let text = """
        a 600 A 192.0.2.1
        b A 192.0.2.2
        c 60 A 192.0.2.3
          A 192.0.2.4
        $TTL 1d
        d A 192.0.2.5
        e 5 A 192.0.2.6
        f A 192.0.2.7
        """
    let (records, errors) = parse(text)
    #expect(errors == [])
    #expect(records.map(\.record.ttl) == [600, 600, 60, 60, 86400, 5, 86400])

    let none = parse("a A 192.0.2.1\nb 10 A 192.0.2.2\nc A 192.0.2.3")
    #expect(none.errors.map(\.description) == ["example.com.zone:1: no TTL: give the record one or set $TTL before it"])
    #expect(none.records.map(\.record.ttl) == [10, 10])

    let given = parse("a A 192.0.2.1\n$TTL 7\nb A 192.0.2.2", defaultTTL: 42)
    #expect(given.records.map(\.record.ttl) == [42, 7])
}

@Test func blankOwnerRepeatsPreviousOwner() {
    let text = """
        $TTL 60
        www A 192.0.2.1
         \tAAAA 2001:db8::1
        \tTXT hello
        """
    #expect(parse(text).records.map(\.record.name) == Array(repeating: name("www.example.com."), count: 3))
    #expect(parse("  A 192.0.2.1", defaultTTL: 1).errors.map(\.description) == [
        "example.com.zone:1: line starts with a blank but there is no previous owner name to repeat",
    ])
}

@Test func parenthesesQuotesAndComments() {
    let text = #"""
        $TTL 60
        t1 TXT ( "one" ; a comment with "quotes" and ( parens
                 "two ; not a comment" "(three)" )
        t2 TXT "a\"b" x\;y \(z\) "semi;colon"
        t3 ( A
          192.0.2.1 )
        t4 TXT ""
        """#
    let (records, errors) = parse(text)
    #expect(errors == [])
    #expect(lines(records) == [
        #"t1.example.com. 60 TXT "one" "two ; not a comment" "(three)""#,
        #"t2.example.com. 60 TXT "a\"b" "x;y" "(z)" "semi;colon""#,
        "t3.example.com. 60 A 192.0.2.1",
        #"t4.example.com. 60 TXT """#,
    ])
    #expect(records.map(\.line) == [2, 4, 5, 7])
}

@Test func crlfLineEndings() {
    let (records, errors) = parse("$TTL 60\r\nwww A 192.0.2.1\r\n  AAAA ::1\r\n")
    #expect(errors == [])
    #expect(lines(records) == ["www.example.com. 60 A 192.0.2.1", "www.example.com. 60 AAAA ::1"])
}

@Test func escapedNames() {
    let (records, errors) = parse(#"a\.b\032c 60 PTR x\046y.example.net."#)
    #expect(errors == [])
    #expect(records.first?.record.name.labels.first.map(Array.init) == Array("a.b c".utf8))
    #expect(lines(records) == [#"a\.b\032c.example.com. 60 PTR x\.y.example.net."#])
}

@Test func includes() {
    let files = [
        "zones/hosts.inc": "www A 192.0.2.1\n  AAAA 2001:db8::1\n$ORIGIN elsewhere.example.com.\nx A 192.0.2.9",
        "zones/sub/more.inc": "@ A 192.0.2.2\n$INCLUDE ../deep.inc",
        "zones/sub/../deep.inc": "deep TXT included",
    ]
    let text = """
        $TTL 60
        host A 192.0.2.100
        $INCLUDE hosts.inc
          TXT "owner and origin restored"
        after A 192.0.2.3
        $INCLUDE ./sub/more.inc lab
        """
    let (records, errors) = parse(text, file: "zones/example.com.zone", files: files)
    #expect(errors == [])
    #expect(lines(records) == [
        "host.example.com. 60 A 192.0.2.100",
        "www.example.com. 60 A 192.0.2.1",
        "www.example.com. 60 AAAA 2001:db8::1",
        "x.elsewhere.example.com. 60 A 192.0.2.9",
        #"host.example.com. 60 TXT "owner and origin restored""#,
        "after.example.com. 60 A 192.0.2.3",
        "lab.example.com. 60 A 192.0.2.2",
        #"deep.lab.example.com. 60 TXT "included""#,
    ])
    #expect(records.map(\.file) == ["zones/example.com.zone", "zones/hosts.inc", "zones/hosts.inc", "zones/hosts.inc",
                                    "zones/example.com.zone", "zones/example.com.zone", "zones/sub/more.inc",
                                    "zones/sub/../deep.inc"])
    #expect(records.map(\.line) == [2, 1, 2, 4, 4, 5, 1, 1])
}

@Test func includeErrors() {
    let files = [
        "zones/a.zone": "$INCLUDE b.zone",
        "zones/b.zone": "ok 60 A 192.0.2.1\n$INCLUDE ./a.zone\nbad A 192.0.2.300",
        "zones/self.zone": "$INCLUDE self.zone",
    ]
    let loop = parse("$INCLUDE a.zone", file: "zones/main.zone", files: files)
    #expect(loop.records.count == 1)
    #expect(loop.errors.map(\.description) == [
        "zones/b.zone:2: include loop: zones/main.zone -> zones/a.zone -> zones/b.zone -> zones/a.zone",
        "zones/b.zone:3: bad IPv4 address '192.0.2.300' in A record",
    ])
    let selfInclude = parse("$INCLUDE self.zone", file: "zones/self.zone", files: files)
    #expect(selfInclude.errors.map(\.description) == ["zones/self.zone:1: include loop: zones/self.zone -> zones/self.zone"])
    // Spellings that normalization cannot see through stop at the depth limit.
    let deep = MasterFile.parse("$INCLUDE x/../relative.zone", file: "zones/top.zone", origin: zoneOrigin) { _ in
        "$INCLUDE x/../relative.zone"
    }
    #expect(deep.errors.count == 1)
    #expect(deep.errors.first?.message == "includes nested more than 16 deep")

    let missing = parse("$TTL 60\n$INCLUDE nothere.zone\n$INCLUDE\nok A 192.0.2.1", file: "zones/main.zone")
    #expect(missing.errors.map(\.description) == [
        "zones/main.zone:2: cannot read included file 'zones/nothere.zone': no such file",
        "zones/main.zone:3: expected '$INCLUDE <file> [origin]'",
    ])
    #expect(missing.records.count == 1)
}

@Test func includesFromDisk() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zonefile-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try "$TTL 60\n@ NS ns1\n$INCLUDE hosts.inc\n".write(to: directory.appendingPathComponent("example.com.zone"), atomically: true, encoding: .utf8)
    try "ns1 A 192.0.2.53\n".write(to: directory.appendingPathComponent("hosts.inc"), atomically: true, encoding: .utf8)

    let (records, errors) = MasterFile.load(path: directory.appendingPathComponent("example.com.zone").path, origin: zoneOrigin)
    #expect(errors == [])
    #expect(lines(records) == ["example.com. 60 NS ns1.example.com.", "ns1.example.com. 60 A 192.0.2.53"])
    #expect(records.last?.file == directory.appendingPathComponent("hosts.inc").path)

    let missingPath = directory.appendingPathComponent("missing.zone").path
    let missing = MasterFile.load(path: missingPath, origin: zoneOrigin)
    #expect(missing.records.isEmpty)
    #expect(missing.errors.count == 1)
    #expect(missing.errors.first?.file == missingPath)
    #expect(missing.errors.first?.line == 0)
    #expect(missing.errors.first?.message == "cannot read zone file: No such file or directory")
    let notText = directory.appendingPathComponent("binary.zone")
    try Data([0xFF, 0xFE, 0x00]).write(to: notText)
    #expect(MasterFile.load(path: notText.path, origin: zoneOrigin).errors.map(\.message) == ["cannot read zone file: not valid UTF-8"])
}

@Test func errorsCarryFileAndLine() {
    let longLabel = String(repeating: "a", count: 64)
    let longName = Array(repeating: String(repeating: "b", count: 60), count: 5).joined(separator: ".")
    let text = """
        $TTL 60
        ok1 A 192.0.2.1
        typo AAA 2001:db8::1
        bad A 192.0.2.300
        www.other.org. A 192.0.2.1
        paren TXT ( "never closed"
        ok2 A 192.0.2.2
        """
    let (records, errors) = parse(text, file: "zones/example.com.zone")
    #expect(errors.map(\.description) == [
        "zones/example.com.zone:3: unknown type 'AAA'",
        "zones/example.com.zone:4: bad IPv4 address '192.0.2.300' in A record",
        "zones/example.com.zone:5: name 'www.other.org.' is outside the zone origin example.com.",
        "zones/example.com.zone:6: unbalanced parenthesis",
    ])
    #expect(lines(records) == ["ok1.example.com. 60 A 192.0.2.1"])

    let more = """
        $TTL 60
        \(longLabel) A 192.0.2.1
        \(longName) A 192.0.2.1
        big 2147483648 A 192.0.2.1
        mx MX 65536 mail
        short MX 10
        long A 192.0.2.1 192.0.2.2
        chaos CH A 192.0.2.1
        two 1 2 A 192.0.2.1
        twice IN IN A 192.0.2.1
        quote TXT "open
        close TXT )
        $GENERATE 1-10 host$ A 192.0.2.$
        $TTL
        $TTL 1y
        $ORIGIN a..b
        novalue 60
        meta ANY \\# 0
        opt OPT \\# 0
          A 192.0.2.77
        ok A 192.0.2.1
        """
    let result = parse(more)
    #expect(result.errors.map(\.description) == [
        "example.com.zone:2: bad name '\(longLabel)': label longer than 63 bytes",
        "example.com.zone:3: bad name '\(longName)': name longer than 255 bytes",
        "example.com.zone:4: TTL '2147483648' is above the maximum 2147483647",
        "example.com.zone:5: bad preference '65536' (expected a number from 0 to 65535) in MX record",
        "example.com.zone:6: missing exchange in MX record",
        "example.com.zone:7: unexpected extra field '192.0.2.2' in A record",
        "example.com.zone:8: class 'CH' is not supported (only IN)",
        "example.com.zone:9: second TTL '2'",
        "example.com.zone:10: second class 'IN'",
        "example.com.zone:11: missing closing quote",
        "example.com.zone:12: unbalanced parenthesis",
        "example.com.zone:13: unknown directive '$GENERATE'",
        "example.com.zone:14: expected '$TTL <ttl>'",
        "example.com.zone:15: bad TTL '1y' (expected seconds or units like 1h30m)",
        "example.com.zone:16: bad name 'a..b': empty label in 'a..b'",
        "example.com.zone:17: missing type",
        "example.com.zone:18: class 'ANY' is not supported (only IN)",
        "example.com.zone:19: type OPT cannot appear in zone data",
    ])
    #expect(lines(result.records) == ["opt.example.com. 60 A 192.0.2.77", "ok.example.com. 60 A 192.0.2.1"])
}

@Test func tokenizerEntries() throws {
    var tokenizer = Tokenizer("a b ; c\n\n  ( d\n \"e f\" ) g\n)\nh\"i j\"k \\\" \\( end")
    let first = try #require(try tokenizer.next()?.get())
    #expect(first.line == 1 && !first.ownerOmitted)
    #expect(first.tokens == [Token(text: "a", quoted: false), Token(text: "b", quoted: false)])
    let second = try #require(try tokenizer.next()?.get())
    #expect(second.line == 3 && second.ownerOmitted)
    #expect(second.tokens.map(\.text) == ["d", "e f", "g"])
    #expect(second.tokens.map(\.quoted) == [false, true, false])
    guard case .failure(let error) = tokenizer.next() else { Issue.record("expected an error"); return }
    #expect(error.line == 5 && error.message == "unbalanced parenthesis")
    let last = try #require(try tokenizer.next()?.get())
    #expect(last.line == 6)
    #expect(last.tokens.map(\.text) == ["hi jk", "\\\"", "\\(", "end"])
    #expect(tokenizer.next() == nil)
}
