import LatencyLearning
import LatencyModel
import MeasurementFormats
import Testing

@Test func jsonItemsParseWithStringOrNumberTimes() throws {
    let parsed = try parser.parse("""
        {"measurements": [
          {"time": "2026-11-25T04:00:00.250Z", "client": "198.51.100.7", "region": "eu-west-1", "rtt_ms": 12.5, "source": "probe"},
          {"rtt_ms": 8, "region": "us-east-1", "client": "2001:db8::/48", "time": 1795575600.5}
        ], "note": {"ignored": [1, true, null]}}
        """, nowMs: testNow)
    #expect(parsed.rejected == [])
    #expect(parsed.accepted == [
        Measurement(timeMs: 1_795_579_200_250, client: IPAddress("198.51.100.7")!, region: id("eu-west-1"), rttMs: 12.5, source: .probe),
        Measurement(timeMs: 1_795_575_600_500, client: IPPrefix("2001:db8::/48")!, region: id("us-east-1"), rttMs: 8, source: .rum),
    ])
}

@Test func badJSONItemsNameTheirIndexAndLine() throws {
    let parsed = try parser.parse("""
        {"measurements": [
          {"time": 1795575600, "client": "10.0.0.1", "region": "eu-west-1", "rtt_ms": 5},
          {"time": 1795575600, "client": "10.0.0.1", "region": "eu-west-9", "rtt_ms": 5},
          {"time": 1795575600, "client": "10.0.0.1", "region": "eu-west-1", "rtt_ms": "5"},
          {"time": 1795575600, "client": "10.0.0.1", "region": "eu-west-1"},
          {"time": 1795575600, "client": "10.0.0.1", "region": "eu-west-1", "rtt_ms": 5, "rtt": 5},
          {"time": true, "client": "10.0.0.1", "region": "eu-west-1", "rtt_ms": 5},
          [1, 2],
          {"time": 1795575600, "client": "10.0.0.1", "region": "eu-\\u0077est-1", "rtt_ms": 5, "rtt_ms": 6},
          {"time": 17955756000, "client": "10.0.0.1", "region": "eu-west-1", "rtt_ms": 5e-1}
        ]}
        """, nowMs: testNow)
    #expect(parsed.accepted.count == 1)
    #expect(parsed.rejected.map(\.description) == [
        "line 3: measurements[1]: unknown region 'eu-west-9'",
        "line 4: measurements[2]: 'rtt_ms' must be a number",
        "line 5: measurements[3]: missing 'rtt_ms'",
        "line 6: measurements[4]: unknown field 'rtt'",
        "line 7: measurements[5]: 'time' must be a string (RFC 3339) or a number (Unix seconds)",
        "line 8: measurements[6]: a measurement must be an object",
        "line 9: measurements[7]: field 'rtt_ms' appears twice",
        "line 10: measurements[8]: time '17955756000' is more than 1 hour in the future",
    ])
}

@Test func malformedJSONFailsTheDocumentWithItsLine() {
    let cases: [(String, MeasurementDocumentError)] = [
        ("{\"measurements\": [\n{\"time\": 1,}\n]}", .badJSON(line: 2, reason: "expected a string, found '}'")),
        ("{\"measurements\": [\n{\"time\": \"abc}\n]}", .badJSON(line: 2, reason: "a control character in a string, found '\n'")),
        ("{\"other\": 1}", .badJSON(line: 1, reason: "the object has no \"measurements\" array")),
        ("[1, 2]", .badJSON(line: 1, reason: "expected an object {\"measurements\": [...]}, found '['")),
        ("{\"measurements\": []} x", .badJSON(line: 1, reason: "expected the end of the document after the object, found 'x'")),
        ("{\"measurements\": [01]}", .badJSON(line: 1, reason: "expected ',' or ']', found '1'")),
        ("{\"measurements\": " + String(repeating: "[", count: 100_000), .badJSON(line: 1, reason: "values nested more than 64 deep, found '['")),
    ]
    for (text, error) in cases {
        #expect(throws: error, "\(text.prefix(60))") { try parser.parse(text, nowMs: testNow) }
    }
}

@Test func jsonItemLimitIsEnforced() {
    let item = "{\"time\": 1795575600, \"client\": \"10.0.0.1\", \"region\": \"eu-west-1\", \"rtt_ms\": 5}"
    let text = "{\"measurements\": [" + Array(repeating: item, count: 3).joined(separator: ",") + "]}"
    #expect(throws: MeasurementDocumentError.tooManyRows(limit: 2)) {
        try MeasurementParser(catalog: catalog, maxRows: 2).parse(text, nowMs: testNow)
    }
    #expect((try? MeasurementParser(catalog: catalog, maxRows: 3).parse(text, nowMs: testNow).accepted.count) == 3)
}

@Test func truncatedOrMangledDocumentsNeverCrash() {
    let text = """
        {"measurements": [{"time": "2026-11-25T04:00:00Z", "client": "2001:db8::5", "region": "eu-west-1", "rtt_ms": 1.5e1, "source": "rum\\u00e9\\ud83d\\ude00"}]}
        """
    let bytes = Array(text.utf8)
    var generator = SystemRandomNumberGenerator()
    for cut in 0...bytes.count { _ = try? parser.parse(Array(bytes[..<cut]), nowMs: testNow) }
    for _ in 0..<3000 {
        var mangled = bytes
        mangled[Int.random(in: 0..<mangled.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
        _ = try? parser.parse(mangled, nowMs: testNow)
        _ = try? parser.parse(mangled, format: .csv, nowMs: testNow)
    }
    let parsed = try? parser.parse(bytes, nowMs: testNow)
    #expect(parsed?.rejected.map(\.reason) == ["source must be rum, probe or import, got 'rumé😀'"])
}
