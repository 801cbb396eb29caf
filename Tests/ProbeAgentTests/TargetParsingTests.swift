import LatencyModel
@testable import ProbeAgent
import Testing

enum IPAddressFixture {
    static let documentation = IPAddress.v4(0xCB00_7109)  // 203.0.113.9
}

@Suite struct TargetParsingTests {
    static func parse(_ json: String) throws -> ProbeTargetList {
        try ProbeTargetList.parse(Array(json.utf8))
    }

    @Test func parsesTheDocumentedShape() throws {
        let list = try Self.parse("""
            {"interval_s": 120, "targets": [
              {"address": "203.0.113.9", "kind": "resolver", "port": 53},
              {"address": "2001:db8::7", "kind": "client", "port": null},
              {"address": "192.0.2.10", "kind": "configured", "port": 443}]}
            """)
        #expect(list.interval == .seconds(120))
        #expect(list.targets == [
            ProbeTarget(address: IPAddressFixture.documentation, kind: .resolver, port: 53),
            ProbeTarget(address: try #require(IPAddress("2001:db8::7")), kind: .client),
            ProbeTarget(address: try #require(IPAddress("192.0.2.10")), kind: .configured, port: 443),
        ])
        #expect(list.skipped.isEmpty)
    }

    @Test func badEntriesAreSkippedWithReasons() throws {
        let list = try Self.parse("""
            {"targets": [
              {"address": "203.0.113.999", "kind": "client"},
              {"address": "203.0.113.9", "kind": "satellite"},
              {"address": "203.0.113.9", "kind": "client", "port": 70000},
              {"address": "203.0.113.9", "kind": "client", "port": 1.5},
              "203.0.113.9",
              {"address": "203.0.113.9", "kind": "client"},
              {"address": "203.0.113.9", "kind": "resolver"}]}
            """)
        #expect(list.interval == ProbeTargetList.defaultInterval)
        #expect(list.targets == [ProbeTarget(address: IPAddressFixture.documentation, kind: .client)])
        #expect(list.skipped.count == 5)
        #expect(list.skipped[1] == "target 1: unknown kind 'satellite'")
    }

    @Test func intervalIsClamped() throws {
        #expect(try Self.parse(#"{"interval_s": 0.5, "targets": []}"#).interval == .seconds(10))
        #expect(try Self.parse(#"{"interval_s": -3, "targets": []}"#).interval == .seconds(300))
        #expect(try Self.parse(#"{"interval_s": 1e12, "targets": []}"#).interval == .seconds(86_400))
    }

    @Test(arguments: ["", "[]", "{}", #"{"targets": {}}"#, "not json"])
    func malformedDocumentsThrow(_ text: String) {
        #expect(throws: ControllerError.self) { try Self.parse(text) }
    }

    @Test func measurementBody() throws {
        let body = ProbeMeasurement.jsonBody([
            ProbeMeasurement(target: IPAddressFixture.documentation, rtt: .microseconds(12_345.6), method: .tcp, time: 1_795_523_760.1234),
            ProbeMeasurement(target: IPAddressFixture.documentation, rtt: .nanoseconds(10), method: .icmp, time: 1_795_523_760),
        ], region: "eu-west-1")
        #expect(String(decoding: body, as: UTF8.self) == """
            {"measurements":[{"client":"203.0.113.9","region":"eu-west-1","rtt_ms":12.346,"source":"probe","time":1795523760.123},\
            {"client":"203.0.113.9","region":"eu-west-1","rtt_ms":0.001,"source":"probe","time":1795523760}]}
            """)
    }
}
