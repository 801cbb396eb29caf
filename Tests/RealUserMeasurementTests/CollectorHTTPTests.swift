import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LatencyLearning
import LatencyModel
import Logging
import Testing
@testable import RealUserMeasurement

/// The collector over real sockets: every request comes from 127.0.0.1.
@Suite struct CollectorHTTPTests {
    let direct = RUMSettings(regionURLs: threeRegions)
    let behindProxy = RUMSettings(regionURLs: threeRegions, trustedProxies: [IPPrefix("127.0.0.0/8")!, IPPrefix("10.0.0.0/8")!])

    @Test func aReportBecomesMeasurementsOfThePeersNetwork() async throws {
        let recorder = SinkRecorder()
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        try await withLiveCollector(direct, recorder: recorder) { client in
            let response = try await client.execute(uri: "/nearcast/rum", method: .post, headers: [.contentType: "text/plain;charset=UTF-8"],
                                                    body: report([("eu-west-1", 12.5), ("ap-southeast-1", 190)]))
            #expect(response.status == .noContent)
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.headers[.setCookie] == nil)
        }
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        let batch = try #require(recorder.batches.first)
        #expect(recorder.batches.count == 1)
        #expect(batch.map(\.client) == Array(repeating: IPPrefix("127.0.0.0/24")!, count: 2))
        #expect(batch.map(\.region) == [catalog.id(of: "eu-west-1"), catalog.id(of: "ap-southeast-1")])
        #expect(batch.map(\.rttMs) == [12.5, 190])
        #expect(batch.allSatisfy { $0.source == .rum && (before...after).contains($0.timeMs) })
    }

    @Test func forwardedForIsIgnoredFromAnUntrustedPeer() async throws {
        let recorder = SinkRecorder()
        try await withLiveCollector(direct, recorder: recorder) { client in
            let response = try await client.execute(uri: "/nearcast/rum", method: .post, headers: [forwardedFor: "203.0.113.9"],
                                                    body: report([("us-east-1", 80)]))
            #expect(response.status == .noContent)
        }
        #expect(recorder.batches.flatMap { $0 }.map(\.client) == [IPPrefix("127.0.0.0/24")!])
    }

    @Test func aTrustedProxyNamesTheClientAndASpoofedEntryIsPassedOver() async throws {
        let recorder = SinkRecorder()
        try await withLiveCollector(behindProxy, recorder: recorder) { client in
            // The browser claimed 192.0.2.66; the edge proxy (10.1.1.1) appended the address it saw, 198.51.100.77.
            let spoofed = try await client.execute(uri: "/nearcast/rum", method: .post,
                                                   headers: [forwardedFor: "192.0.2.66, 198.51.100.77, 10.1.1.1"], body: report([("us-east-1", 80)]))
            #expect(spoofed.status == .noContent)
            let ipv6 = try await client.execute(uri: "/nearcast/rum", method: .post,
                                                headers: [forwardedFor: "[2001:db8:7:8::1]:5000"], body: report([("us-east-1", 81)]))
            #expect(ipv6.status == .noContent)
            let garbage = try await client.execute(uri: "/nearcast/rum", method: .post, headers: [forwardedFor: "unknown"],
                                                   body: report([("us-east-1", 82)]))
            #expect(garbage.status == .badRequest)
            #expect(String(buffer: garbage.body).contains("X-Forwarded-For"))
        }
        #expect(recorder.batches.flatMap { $0 }.map(\.client) == [IPPrefix("198.51.100.0/24")!, IPPrefix("2001:db8:7::/48")!])
    }

    @Test func badReportsGet400WithAReasonAndReachNoSink() async throws {
        let recorder = SinkRecorder()
        try await withLiveCollector(RUMSettings(regionURLs: threeRegions, maxResultsPerReport: 2, maxReportBytes: 1024), recorder: recorder) { client in
            let cases: [(ByteBuffer, String)] = [
                (ByteBuffer(string: "{not json"), "not a report"),
                (report([("eu-west-2", 5)]), "results[0]: 'eu-west-2' is not a region this collector measures"),
                (report([("eu-west-1", 0)]), "results[0]: rtt_ms must be above 0"),
                (report([("eu-west-1", 1), ("eu-west-1", 2), ("eu-west-1", 3)]), "3 results; at most 2 per report"),
                (ByteBuffer(string: String(repeating: " ", count: 2000) + "{}"), "report larger than 1024 bytes"),
            ]
            for (body, reason) in cases {
                let response = try await client.execute(uri: "/nearcast/rum", method: .post, body: body)
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).hasPrefix(reason), "\(String(buffer: response.body))")
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
        }
        #expect(recorder.batches.isEmpty)
    }

    @Test func aNetworkOverItsRateGets429AndNothingIsKept() async throws {
        let recorder = SinkRecorder()
        try await withLiveCollector(RUMSettings(regionURLs: threeRegions, reportsPerNetworkPerMinute: 2), recorder: recorder) { client in
            var statuses: [HTTPResponse.Status] = []
            for rtt in [10.0, 11, 12] {
                statuses.append(try await client.execute(uri: "/nearcast/rum", method: .post, body: report([("eu-west-1", rtt)])).status)
            }
            #expect(statuses == [.noContent, .noContent, .tooManyRequests])
        }
        #expect(recorder.batches.flatMap { $0 }.map(\.rttMs) == [10, 11])
    }

    @Test func thePreflightAllowsAnyOriginToPost() async throws {
        try await withLiveCollector(direct) { client in
            let response = try await client.execute(uri: "/nearcast/rum", method: .options, headers: [
                .origin: "https://shop.example.com", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type",
            ])
            #expect(response.status == .noContent)
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(response.headers[.accessControlAllowHeaders]?.lowercased() == "content-type")
        }
    }

    @Test func theProbeObjectIsUncachedAndTimeableFromAnyOrigin() async throws {
        try await withLiveCollector(direct) { client in
            let response = try await client.execute(uri: "/nearcast/probe-object?nc=abc", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.headers[HTTPField.Name("Timing-Allow-Origin")!] == "*")
            #expect((1...64).contains(response.body.readableBytes))
        }
    }

    @Test func theBeaconInlinesItsCollectorAndRegions() async throws {
        let settings = RUMSettings(regionURLs: threeRegions + [("mars-north-1", "https://mars.example/p")], regionsPerBeacon: 2)
        try await withLiveCollector(settings) { client in
            let response = try await fetchBeacon(client, authority: "rum.example.com:8443")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/javascript") == true)
            let script = String(buffer: response.body ?? ByteBuffer())
            let config = try #require(BeaconConfigText(script: script))
            #expect(config.collector == "http://rum.example.com:8443/nearcast/rum")
            #expect(config.max == 2)
            #expect(config.regions == threeRegions.map { [$0.region, $0.url] })  // the unknown region is left out
            #expect(script.utf8.count < 3072)
            #expect(!script.contains("__NEARCAST_CONFIG__"))
        }
    }

    @Test func aTrustedProxySaysTheBrowserUsedHTTPS() async throws {
        let proto = HTTPField.Name("X-Forwarded-Proto")!
        try await withLiveCollector(behindProxy) { client in
            let response = try await fetchBeacon(client, authority: "rum.example.com", headers: [proto: "https"])
            #expect(try #require(BeaconConfigText(script: String(buffer: response.body ?? ByteBuffer()))).collector == "https://rum.example.com/nearcast/rum")
        }
        try await withLiveCollector(direct) { client in
            let response = try await fetchBeacon(client, authority: "rum.example.com", headers: [proto: "https"])
            #expect(try #require(BeaconConfigText(script: String(buffer: response.body ?? ByteBuffer()))).collector == "http://rum.example.com/nearcast/rum")
        }
    }

    @Test func aHostThatCouldBreakOutOfTheScriptIsRefused() async throws {
        try await withLiveCollector(direct) { client in
            let response = try await fetchBeacon(client, authority: "evil\"};alert(1);//")
            #expect(response.status == .badRequest)
        }
    }

    @Test func otherPathsAndMethodsAreRefused() async throws {
        try await withLiveCollector(direct) { client in
            let statuses = [
                try await client.execute(uri: "/nearcast/rum", method: .get).status,
                try await client.execute(uri: "/nearcast/beacon.js", method: .post).status,
                try await client.execute(uri: "/", method: .get).status,
            ]
            #expect(statuses == [.methodNotAllowed, .methodNotAllowed, .notFound])
        }
    }

    @Test func withoutASocketThereIsNoClientToAttributeTo() async throws {
        let recorder = SinkRecorder()
        let collector = RUMCollector(settings: direct, catalog: catalog, sink: recorder.sink, logger: Logger(label: "rum-test"))
        try await Application(responder: collector.responder).test(.router) { client in
            let response = try await client.execute(uri: "/nearcast/rum", method: .post, body: report([("us-east-1", 80)]))
            #expect(response.status == .badRequest)
        }
        #expect(recorder.batches.isEmpty)
    }
}

/// The configuration object inlined in a served beacon.
struct BeaconConfigText: Decodable {
    var collector: String
    var max: Int
    var regions: [[String]]

    private struct Target: Decodable { var region: String; var url: String }
    private enum Keys: String, CodingKey { case collector, max, regions }

    init?(script: String) {
        guard let start = script.range(of: "var C = ")?.upperBound, let end = script[start...].range(of: ", P = ")?.lowerBound,
              let config = try? JSONDecoder().decode(Self.self, from: Data(script[start..<end].utf8)) else { return nil }
        self = config
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        collector = try container.decode(String.self, forKey: .collector)
        max = try container.decode(Int.self, forKey: .max)
        regions = try container.decode([Target].self, forKey: .regions).map { [$0.region, $0.url] }
    }
}
