import DNSWire
import Testing
@testable import ZoneFile

/// Every type: text parses, survives encode/decode, and prints as expected;
/// the printed form parses back to the same value.
@Test(arguments: [
    (RRType.a, "192.0.2.1", "192.0.2.1"),
    (.aaaa, "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
    (.aaaa, "::ffff:192.0.2.1", "::ffff:192.0.2.1"),
    (.ns, "ns1", "ns1.example.com."),
    (.cname, "@", "example.com."),
    (.ptr, "host.example.net.", "host.example.net."),
    (.soa, "ns1 hostmaster ( 2024010101 ; serial\n 1h 15m 1w 300 )",
     "ns1.example.com. hostmaster.example.com. 2024010101 3600 900 604800 300"),
    (.mx, "10 mail", "10 mail.example.com."),
    (.mx, "0 .", "0 ."),
    (.txt, #""v=spf1 -all" unquoted "q\"b\\s\010\255;()" hello\ world """#,
     #""v=spf1 -all" "unquoted" "q\"b\\s\010\255;()" "hello world" """#),
    (.spf, #""v=spf1 mx -all""#, #""v=spf1 mx -all""#),
    (.srv, "10 60 5060 sip", "10 60 5060 sip.example.com."),
    (.caa, #"0 issue "letsencrypt.org""#, #"0 issue "letsencrypt.org""#),
    (.caa, #"128 iodef "mailto:security@example.com""#, #"128 iodef "mailto:security@example.com""#),
    (.caa, #"0 issuewild ";""#, #"0 issuewild ";""#),
    (.naptr, #"100 10 "S" "SIP+D2U" "" _sip._udp"#, #"100 10 "S" "SIP+D2U" "" _sip._udp.example.com."#),
    (.naptr, #"100 50 u E2U+sip "!^.*$!sip:info@example.com!" ."#,
     #"100 50 "u" "E2U+sip" "!^.*$!sip:info@example.com!" ."#),
    (.ds, "60485 5 1 ( 2BB183AF5F22588179A53B0A\n 98631fad1a292118 )", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"),
    (.sshfp, "1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac", "1 1 DD465C09CFA51FB45020CC83316FFF21B9EC74AC"),
    (.tlsa, "3 1 1 0C72AC70B745AC19998811B131D662C9 AC69DBDBE7CB23E5B514B56664C5D3D6",
     "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"),
    (.svcb, "0 svc.example.net.", "0 svc.example.net."),
    (.https, "1 . port=8443 ipv6hint=2001:db8::1 ech=AEX+DQBBpQAgACB/RiYn ipv4hint=192.0.2.1,192.0.2.2 alpn=h2,h3",
     #"1 . alpn="h2,h3" port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AEX+DQBBpQAgACB/RiYn ipv6hint=2001:db8::1"#),
    (.svcb, #"16 foo key65001 key65000="hello world" no-default-alpn alpn=h2 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1"#,
     #"16 foo.example.com. mandatory=alpn,ipv4hint alpn="h2" no-default-alpn ipv4hint=192.0.2.1 key65000="hello world" key65001"#),
    (RRType(65280), ##"\# 3 abcdef"##, ##"\# 3 ABCDEF"##),
    (RRType(65280), ##"\# 0"##, ##"\# 0"##),
    (.hinfo, ##"\# 8 03 414243 03 78797A"##, ##"\# 8 034142430378797A"##),
    (.a, ##"\# 4 c0000201"##, "192.0.2.1"),
    (.mx, ##"\# 8 000a 046d61696c 00"##, "10 mail."),
])
func roundTrip(type: RRType, text: String, printed: String) throws {
    let data = try RData(presentation: text, type: type, origin: zoneOrigin)
    #expect(data.type == type)
    #expect(try decode(wire(data), type: type) == data)
    #expect(data.presentation == printed)
    #expect(try RData(presentation: data.presentation, type: type, origin: .root) == data)
}

@Test(arguments: [
    ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
    ("2001:0DB8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
    ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
    ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
    ("2001:db8::0:1", "2001:db8::1"),
    ("::", "::"),
    ("0:0:0:0:0:0:0:0", "::"),
    ("::1", "::1"),
    ("1::", "1::"),
    ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
    ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
    ("::FFFF:c000:0201", "::ffff:192.0.2.1"),
    ("::c000:201", "::192.0.2.1"),  // IPv4-compatible: dotted tail, as inet_ntop and dig print it
    ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
    ("1:2:3:4:5:6:192.0.2.1", "1:2:3:4:5:6:c000:201"),
])
func ipv6Canonical(text: String, canonical: String) throws {
    let address = try #require(IPv6Bytes(parsing: text))
    #expect(address.presentation == canonical)
    #expect(IPv6Bytes(parsing: canonical) == address)
}

@Test(arguments: [
    "", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2:3:4:5:6:7:8", "12345::", "g::",
    ":1::", "1:", "1:2:3:4:5:6:7:8:", "+1::", "::1.2.3", "1.2.3.4::", "::1.2.3.4:1", "1:2:3:4:5:6:7:1.2.3.4",
    "::256.0.0.1", "fe80::1%eth0", "1.2.3.4",
])
func ipv6Invalid(text: String) {
    #expect(IPv6Bytes(parsing: text) == nil)
}

@Test func ipv4() {
    #expect(IPv4Bytes(parsing: "192.0.2.255")?.array == [192, 0, 2, 255])
    #expect(IPv4Bytes(parsing: "0.0.0.0")?.presentation == "0.0.0.0")
    for bad in ["192.0.2.300", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "", "a.b.c.d", "1.2.3.-4", "+1.2.3.4", "1.2.3.4 "] {
        #expect(IPv4Bytes(parsing: bad) == nil, "\(bad)")
    }
}

@Test func characterStrings() throws {
    let data = try RData(presentation: #""" "a b" \"q\" \059 \\"#, type: .txt, origin: zoneOrigin)
    #expect(data == .txt([[], Array("a b".utf8), Array("\"q\"".utf8), [59], [92]]))
    #expect(data.presentation == #""" "a b" "\"q\"" ";" "\\""#)

    let longest = String(repeating: "x", count: 255)
    #expect(try RData(presentation: longest, type: .txt, origin: zoneOrigin) == .txt([Array(longest.utf8)]))
    #expect(throws: PresentationError("text is 256 bytes; a character-string holds at most 255 in TXT record")) {
        try RData(presentation: "\"\(longest)\\120\"", type: .txt, origin: zoneOrigin)
    }
    // UTF-8 text is kept as its bytes and printed with \DDD escapes.
    let utf8 = try RData(presentation: "\"é\"", type: .txt, origin: zoneOrigin)
    #expect(utf8 == .txt([[0xC3, 0xA9]]))
    #expect(utf8.presentation == #""\195\169""#)
}

@Test(arguments: [
    (RRType.a, "192.0.2.300", "bad IPv4 address '192.0.2.300' in A record"),
    (.a, "", "missing address in A record"),
    (.a, "192.0.2.1 192.0.2.2", "unexpected extra field '192.0.2.2' in A record"),
    (.aaaa, "2001:db8::g", "bad IPv6 address '2001:db8::g' in AAAA record"),
    (.mx, "70000 mail", "bad preference '70000' (expected a number from 0 to 65535) in MX record"),
    (.mx, "-1 mail", "bad preference '-1' (expected a number from 0 to 65535) in MX record"),
    (.mx, "10", "missing exchange in MX record"),
    (.ns, "a..b", "bad name 'a..b': empty label in 'a..b' in NS record"),
    (.ns, String(repeating: "a", count: 64), "bad name '\(String(repeating: "a", count: 64))': label longer than 63 bytes in NS record"),
    (.soa, "ns1 hostmaster 1 2 3 4", "missing minimum in SOA record"),
    (.soa, "ns1 hostmaster 1 2x 3 4 5", "bad refresh '2x' (expected seconds or units like 1h30m) in SOA record"),
    (.txt, "", "missing text in TXT record"),
    (.txt, #""\256""#, #"bad escape in '\256' (\DDD takes three digits, at most 255) in TXT record"#),
    (.txt, #"a\"#, #"backslash at the end of 'a\' in TXT record"#),
    (.txt, #""open"#, "missing closing quote"),
    (.txt, "( a", "unbalanced parenthesis"),
    (.caa, #"0 is-sue "x""#, "bad tag 'is-sue' (expected letters and digits) in CAA record"),
    (.caa, #"256 issue "x""#, "bad flags '256' (expected a number from 0 to 255) in CAA record"),
    (.ds, "1 2 3 abc", "bad hex in digest 'abc' in DS record"),
    (.tlsa, "3 1 1", "missing certificate data in TLSA record"),
    (.a, ##"\# 3 c00002"##, "bad generic data: A record data must be 4 bytes in A record"),
    (.a, ##"\# 4 c00002"##, ##"\# length 4 does not match the 3 bytes of data in A record"##),
    (.a, ##"\# 0 00"##, ##"\# length 0 does not match the 1 bytes of data in A record"##),
    (.opt, ##"\# 0"##, "type OPT cannot appear in zone data"),
    (.dnskey, "256 3 8 AwEAAa", "no text format is known for this type; use the RFC 3597 form '\\# length hex' in DNSKEY record"),
    (.https, "1 . alpn=h2 alpn=h3", "duplicate parameter 'alpn' in HTTPS record"),
    (.https, "1 . key1=h2 alpn=h3", "duplicate parameter 'alpn' in HTTPS record"),
    (.https, "1 . alpn", "missing value for alpn in HTTPS record"),
    (.https, "1 . port=", "missing value for port in HTTPS record"),
    (.https, "1 . port=65536", "bad port '65536' (expected a number from 0 to 65535) in HTTPS record"),
    (.https, "1 . no-default-alpn=x alpn=h2", "no-default-alpn takes no value in HTTPS record"),
    (.https, "1 . no-default-alpn", "no-default-alpn needs alpn in HTTPS record"),
    (.https, "1 . mandatory=port", "mandatory lists 'port', which is not present in HTTPS record"),
    (.https, "1 . mandatory=mandatory", "mandatory must not list itself in HTTPS record"),
    (.https, "1 . mandatory=port,port port=1", "mandatory lists 'port' twice in HTTPS record"),
    (.https, "1 . mandatory=alpn,,port", "empty item in mandatory list 'alpn,,port' in HTTPS record"),
    (.https, "1 . alpn=h2,,h3", "bad alpn list 'h2,,h3' in HTTPS record"),
    (.https, "1 . ipv4hint=192.0.2.1,::1", "bad IPv4 address '::1' in HTTPS record"),
    (.https, "1 . ipv6hint=192.0.2.1", "bad IPv6 address '192.0.2.1' in HTTPS record"),
    (.https, "1 . ech=abc", "bad base64 in ech 'abc' in HTTPS record"),
    (.https, "1 . key65535", "unknown parameter 'key65535' in HTTPS record"),
    (.https, "1 . key01=x", "unknown parameter 'key01' in HTTPS record"),
    (.https, "1 . Alpn=h2", "unknown parameter 'Alpn' in HTTPS record"),
    (.svcb, "1", "missing target in SVCB record"),
])
func rdataErrors(type: RRType, text: String, message: String) {
    #expect(throws: PresentationError(message)) { try RData(presentation: text, type: type, origin: zoneOrigin) }
}

/// RFC 9460 Appendix D test vectors: presentation and wire form.
@Test(arguments: [
    ("0 foo.example.com.", "00 00 03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00"),
    ("1 .", "00 01 00"),
    ("16 foo.example.com. port=53", "00 10 03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 03 00 02 00 35"),
    ("1 foo.example.com. key667=hello",
     "00 01 03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 02 9b 00 05 68 65 6c 6c 6f"),
    (#"1 foo.example.com. key667="hello\210qoo""#,
     "00 01 03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 02 9b 00 09 68 65 6c 6c 6f d2 71 6f 6f"),
    (#"1 foo.example.com. ipv6hint="2001:db8::1,2001:db8::53:1""#,
     "00 01 03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 06 00 20 "
         + "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 53 00 01"),
    ("1 example.com. ipv6hint=\"2001:db8:122:344::192.0.2.33\"",
     "00 01 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 06 00 10 20 01 0d b8 01 22 03 44 00 00 00 00 c0 00 02 21"),
    ("16 foo.example.org. (alpn=h2,h3-19 mandatory=ipv4hint,alpn\n ipv4hint=192.0.2.1)",
     "00 10 03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 6f 72 67 00 00 00 00 04 00 01 00 04 "
         + "00 01 00 09 02 68 32 05 68 33 2d 31 39 00 04 00 04 c0 00 02 01"),
    (#"16 foo.example.org. alpn="f\\\\oo\\,bar,h2""#,
     "00 10 03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 6f 72 67 00 00 01 00 0c 08 66 5c 6f 6f 2c 62 61 72 02 68 32"),
    (#"16 foo.example.org. alpn=f\\\092oo\092,bar,h2"#,
     "00 10 03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 6f 72 67 00 00 01 00 0c 08 66 5c 6f 6f 2c 62 61 72 02 68 32"),
])
func svcbVectors(text: String, wireHex: String) throws {
    let data = try RData(presentation: text, type: .svcb, origin: .root)
    #expect(wire(data) == hexBytes(wireHex))
    #expect(try RData(presentation: data.presentation, type: .svcb, origin: .root) == data)
}

@Test func svcbPrinting() throws {
    let escaped = try RData(presentation: #"16 foo.example.org. alpn=f\\\092oo\092,bar,h2"#, type: .svcb, origin: .root)
    #expect(escaped.presentation == #"16 foo.example.org. alpn="f\\\\oo\\,bar,h2""#)
    let generic = try RData(presentation: #"1 . key0="\000\003" key3=\001\187"#, type: .svcb, origin: .root)
    #expect(generic.presentation == "1 . mandatory=port port=443")
}

/// Values the type's own syntax cannot express print in the RFC 3597 form,
/// or, for a malformed SvcParam value, as `keyNNNNN`.
@Test func presentationFallbacks() throws {
    let caa = RData.caa(flags: 0, tag: Array("a b".utf8), value: [])
    #expect(caa.presentation == ##"\# 5 0003612062"##)
    #expect(try RData(presentation: caa.presentation, type: .caa, origin: .root) == caa)

    let emptyDigest = RData.ds(keyTag: 1, algorithm: 8, digestType: 2, digest: [])
    #expect(emptyDigest.presentation == ##"\# 4 00010802"##)

    let shortPort = RData.https(SVCB(priority: 1, target: .root, params: [.init(key: 3, value: [1])]))
    #expect(shortPort.presentation == #"1 . key3="\001""#)
    #expect(try RData(presentation: shortPort.presentation, type: .https, origin: .root) == shortPort)

    let unsortedMandatory = RData.svcb(SVCB(priority: 1, target: .root, params: [
        .init(key: 0, value: [0, 3, 0, 1]), .init(key: 1, value: [2, 0x68, 0x32]), .init(key: 3, value: [0, 80]),
    ]))
    #expect(unsortedMandatory.presentation == ##"\# 24 000100000000040003000100010003026832000300020050"##)
    #expect(try RData(presentation: unsortedMandatory.presentation, type: .svcb, origin: .root) == unsortedMandatory)

    #expect(RData.unknown(type: RRType(65280), data: []).presentation == ##"\# 0"##)
}

@Test func dataMustFitARecord() throws {
    let string = "\"" + String(repeating: "x", count: 255) + "\" "
    #expect(throws: PresentationError("data is 65792 bytes, above the limit of 65535 in TXT record")) {
        try RData(presentation: String(repeating: string, count: 257), type: .txt, origin: zoneOrigin)
    }
    #expect(try RData(presentation: String(repeating: string, count: 255), type: .txt, origin: zoneOrigin).type == .txt)
    #expect(throws: PresentationError("key65000 value is 70000 bytes, above the limit of 65535 in SVCB record")) {
        try RData(presentation: "1 . key65000=" + String(repeating: "y", count: 70000), type: .svcb, origin: zoneOrigin)
    }
}

@Test func durations() throws {
    #expect(try parseDuration("3600", "TTL", max: .max) == 3600)
    #expect(try parseDuration("1h30m", "TTL", max: .max) == 5400)
    #expect(try parseDuration("2d", "TTL", max: .max) == 172_800)
    #expect(try parseDuration("1W2D", "TTL", max: .max) == 777_600)
    #expect(try parseDuration("1h30", "TTL", max: .max) == 3630)
    #expect(try parseDuration("0", "TTL", max: .max) == 0)
    #expect(try parseDuration("2147483647", "TTL", max: 0x7FFF_FFFF) == 0x7FFF_FFFF)
    #expect(throws: PresentationError("TTL '2147483648' is above the maximum 2147483647")) {
        try parseDuration("2147483648", "TTL", max: 0x7FFF_FFFF)
    }
    #expect(throws: PresentationError("TTL '99999999999999999999w' is above the maximum 4294967295")) {
        try parseDuration("99999999999999999999w", "TTL", max: .max)
    }
    for bad in ["", "h", "1x", "1h h", "-1", "1.5h"] {
        #expect(throws: PresentationError.self) { try parseDuration(bad, "TTL", max: .max) }
    }
}

@Test func base64RoundTrip() {
    for count in 0..<8 {
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37 + 200) }
        #expect(base64Bytes(base64(bytes)) == bytes)
    }
    #expect(base64(Array("foobar".utf8)) == "Zm9vYmFy")
    #expect(base64(Array("fo".utf8)) == "Zm8=")
    for bad in ["Zm8", "Zm9=", "Z===", "====", "Zm=8", "Zm8=Zm8=", "Zm8*"] {
        #expect(base64Bytes(bad) == nil, "\(bad)")
    }
}
