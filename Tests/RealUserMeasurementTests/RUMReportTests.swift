import Foundation
import LatencyModel
import Testing
@testable import RealUserMeasurement

@Suite struct RUMReportTests {
    let regions: [String: RegionID] = ["eu-west-1": 5, "us-east-1": 0]

    func parse(_ json: String, maxResults: Int = 3) -> Result<RUMReport, RUMReport.Rejection> {
        Result { () throws(RUMReport.Rejection) in try RUMReport(body: Data(json.utf8), regions: regions, maxResults: maxResults) }
    }

    func reason(_ json: String, maxResults: Int = 3) -> String? {
        if case .failure(let rejection) = parse(json, maxResults: maxResults) { return rejection.reason }
        return nil
    }

    @Test func aValidReportKeepsEveryResultInOrder() throws {
        let report = try parse(#"{"results": [{"region": "us-east-1", "rtt_ms": 81.5}, {"region": "eu-west-1", "rtt_ms": 0.1}, {"region": "us-east-1", "rtt_ms": 60000}], "page": "ignored"}"#).get()
        #expect(report.results == [.init(region: 0, rttMs: 81.5), .init(region: 5, rttMs: 0.1), .init(region: 0, rttMs: 60000)])
    }

    @Test(arguments: [
        ("", "not a report"), ("[]", "not a report"), (#"{"results": {}}"#, "not a report"),
        (#"{"results": [{"region": "us-east-1", "rtt_ms": "5"}]}"#, "not a report"),
        (#"{"results": [{"region": "us-east-1"}]}"#, "not a report"),
        (#"{"results": []}"#, "no results"),
        (#"{"results": [{"region": "us-east-1", "rtt_ms": 5}, {"region": "eu-west-9", "rtt_ms": 5}]}"#,
         "results[1]: 'eu-west-9' is not a region this collector measures"),
        (#"{"results": [{"region": "ap-southeast-1", "rtt_ms": 5}]}"#, "results[0]: 'ap-southeast-1' is not a region this collector measures"),
        (#"{"results": [{"region": "us-east-1", "rtt_ms": 0}]}"#, "results[0]: rtt_ms must be above 0 and at most 60000"),
        (#"{"results": [{"region": "us-east-1", "rtt_ms": -3}]}"#, "results[0]: rtt_ms must be above 0 and at most 60000"),
        (#"{"results": [{"region": "us-east-1", "rtt_ms": 60000.5}]}"#, "results[0]: rtt_ms must be above 0 and at most 60000"),
        (#"{"results": [{"region": "us-east-1", "rtt_ms": 1e999}]}"#, "not a report"),
    ])
    func badReportsAreRejectedWithAReason(json: String, expected: String) {
        #expect(reason(json)?.hasPrefix(expected) == true, "\(reason(json) ?? "accepted")")
    }

    @Test func tooManyResultsAreRejectedWhole() {
        let four = #"{"results": ["# + Array(repeating: #"{"region": "us-east-1", "rtt_ms": 5}"#, count: 4).joined(separator: ",") + "]}"
        #expect(reason(four) == "4 results; at most 3 per report")
        #expect(reason(four, maxResults: 4) == nil)
    }

    @Test func aLongUnknownRegionNameIsCutInTheReason() {
        let name = String(repeating: "x", count: 5000)
        #expect(reason(#"{"results": [{"region": "\#(name)", "rtt_ms": 5}]}"#)?.count ?? 0 < 200)
    }
}
