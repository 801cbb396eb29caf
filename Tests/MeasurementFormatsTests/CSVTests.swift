import LatencyLearning
import LatencyModel
import MeasurementFormats
import Testing

/// 2026-11-25T05:00:00Z.
let testNow: Int64 = 1_795_582_800_000
let catalog = try! RegionCatalog(extra: [Region(name: "edge-lab-1", latitude: 0, longitude: 0)])
let parser = MeasurementParser(catalog: catalog, defaultSource: .rum, maxRows: 1000)

func id(_ name: String) -> RegionID { catalog.id(of: name) ?? .max }

@Test func positionalRowsParseEveryField() throws {
    let parsed = try parser.parse("""
        2026-11-25T04:00:00.250Z,198.51.100.7,eu-west-1,12.5,probe
        1795575600,2001:db8::1,us-east-1,80
        1795575600.5,203.0.113.0/24,edge-lab-1,0.25,import
        """, format: .csv, nowMs: testNow)
    #expect(parsed.rejected == [])
    #expect(parsed.accepted == [
        Measurement(timeMs: 1_795_579_200_250, client: IPAddress("198.51.100.7")!, region: id("eu-west-1"), rttMs: 12.5, source: .probe),
        Measurement(timeMs: 1_795_575_600_000, client: IPAddress("2001:db8::1")!, region: id("us-east-1"), rttMs: 80, source: .rum),
        Measurement(timeMs: 1_795_575_600_500, client: IPPrefix("203.0.113.0/24")!, region: id("edge-lab-1"), rttMs: 0.25, source: .imported),
    ])
}

@Test func headerOrdersColumnsAndSourceIsOptional() throws {
    let parsed = try parser.parse("""
        # exported by the lab
        region , rtt_ms,client,time\r
        \r
        ap-south-1,33,10.1.2.3,2026-11-25T06:30:00+02:00\r
        "eu-central-1","7.125","10.1.2.4","2026-11-25T04:30:00Z"
        """, nowMs: testNow)
    #expect(parsed.rejected == [])
    #expect(parsed.accepted.map(\.timeMs) == [1_795_581_000_000, 1_795_581_000_000])
    #expect(parsed.accepted.map(\.region) == [id("ap-south-1"), id("eu-central-1")])
    #expect(parsed.accepted.map(\.rttMs) == [33, 7.125])
    #expect(parsed.accepted.map(\.source) == [.rum, .rum])
}

@Test func badRowsAreRejectedWithLineAndReasonAndGoodOnesKept() throws {
    let parsed = try parser.parse("""
        time,client,region,rtt_ms,source
        2026-11-25T04:00:00Z,198.51.100.7,eu-west-1,12
        2026-11-25T04:00:00Z,198.51.100.7,eu-west-1,-4
        2026-11-25T04:00:00Z,198.51.100.7,eu-west-9,12
        2026-11-25T04:00:00Z,10.0.0.1/8,eu-west-1,12
        2026-11-25T04:00:00Z,10.0.0.256,eu-west-1,12
        2026-11-25T04:00:00Z,198.51.100.7,eu-west-1,60000.5
        2026-11-25T04:00:00Z,198.51.100.7,eu-west-1,12,cdn
        2026-11-25T04:00:00Z,198.51.100.7,eu-west-1
        2026-02-30T04:00:00Z,198.51.100.7,eu-west-1,12
        2026-11-25T06:00:01Z,198.51.100.7,eu-west-1,12
        1999-12-31T23:59:59Z,198.51.100.7,eu-west-1,12
        yesterday,198.51.100.7,eu-west-1,12
        2026-11-25T04:00:00Z,198.51.100.7,eu-west-1,nan
        2026-11-25T06:00:00Z,198.51.100.8,eu-west-1,60000
        """, nowMs: testNow)
    #expect(parsed.accepted.map(\.client) == [IPPrefix("198.51.100.7")!, IPPrefix("198.51.100.8")!])
    #expect(parsed.rejected.map(\.description) == [
        "line 3: rtt_ms must be a number > 0 and ≤ 60000, got '-4'",
        "line 4: unknown region 'eu-west-9'",
        "line 5: client '10.0.0.1/8' has bits set beyond its prefix length",
        "line 6: client must be an IPv4/IPv6 address or prefix, got '10.0.0.256'",
        "line 7: rtt_ms must be a number > 0 and ≤ 60000, got '60000.5'",
        "line 8: source must be rum, probe or import, got 'cdn'",
        "line 9: expected 4 or 5 fields (time,client,region,rtt_ms,source), got 3",
        "line 10: time must be RFC 3339 (e.g. 2026-11-25T05:00:00Z) or Unix seconds, got '2026-02-30T04:00:00Z'",
        "line 11: time '2026-11-25T06:00:01Z' is more than 1 hour in the future",
        "line 12: time '1999-12-31T23:59:59Z' is before 2000-01-01",
        "line 13: time must be RFC 3339 (e.g. 2026-11-25T05:00:00Z) or Unix seconds, got 'yesterday'",
        "line 14: rtt_ms must be a number > 0 and ≤ 60000, got 'nan'",
    ])
}

@Test func positionalRowsNeedFourOrFiveFields() throws {
    let parsed = try parser.parse("1795575600,10.0.0.1,eu-west-1\n1795575600,10.0.0.1,eu-west-1,1,rum,extra\n", nowMs: testNow)
    #expect(parsed.rejected.map(\.description) == [
        "line 1: expected 4 or 5 fields (time,client,region,rtt_ms,source), got 3",
        "line 2: expected 4 or 5 fields (time,client,region,rtt_ms,source), got 6",
    ])
}

@Test func badHeadersFailTheDocument() {
    #expect(throws: MeasurementDocumentError.badHeader(line: 2, reason: "unknown column 'latency' (columns: time, client, region, rtt_ms, source)")) {
        try parser.parse("# c\ntime,client,region,latency\n", nowMs: testNow)
    }
    #expect(throws: MeasurementDocumentError.badHeader(line: 1, reason: "column 'time' appears twice")) {
        try parser.parse("time,time,client,region,rtt_ms\n", nowMs: testNow)
    }
    #expect(throws: MeasurementDocumentError.badHeader(line: 1, reason: "missing column(s) 'region', 'rtt_ms'")) {
        try parser.parse("time,client\n", nowMs: testNow)
    }
}

@Test func documentsThatAreNotCSVOrJSONFail() {
    #expect(throws: MeasurementDocumentError.notCSVOrJSON(line: 1)) { try parser.parse("<html><body>hi</body></html>", nowMs: testNow) }
    #expect(throws: MeasurementDocumentError.notText) { try parser.parse([0x50, 0x4B, 0x03, 0x04, 0x00, 0x2C], nowMs: testNow) }
    #expect(throws: MeasurementDocumentError.tooManyRows(limit: 2)) {
        try MeasurementParser(catalog: catalog, maxRows: 2).parse(String(repeating: "1795575600,10.0.0.1,eu-west-1,5\n", count: 3), nowMs: testNow)
    }
}

@Test func emptyAndCommentOnlyDocumentsAreEmptyBatches() throws {
    for text in ["", "\n\n", "# nothing\n", "time,client,region,rtt_ms\n"] {
        let parsed = try parser.parse(text, nowMs: testNow)
        #expect(parsed.accepted.isEmpty && parsed.rejected.isEmpty)
    }
}

@Test func rowsAtEveryLimitAreAccepted() throws {
    let parsed = try parser.parse("""
        2000-01-01T00:00:00Z,0.0.0.0/0,eu-west-1,60000
        2026-11-25T06:00:00Z,::/0,eu-west-1,0.001
        2026-11-25T05:59:59.999-00:00,255.255.255.255/32,eu-west-1,1e3
        """, nowMs: testNow)
    #expect(parsed.rejected == [])
    #expect(parsed.accepted.map(\.rttMs) == [60000, 0.001, 1000])
    #expect(parsed.accepted.map(\.client) == [IPPrefix("0.0.0.0/0")!, IPPrefix("::/0")!, IPPrefix("255.255.255.255/32")!])
}
