import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LatencyLearning
import LatencyModel
import Logging
import Synchronization
import Testing
@testable import RealUserMeasurement

/// What a collector handed to its sink, call by call.
final class SinkRecorder: Sendable {
    private let calls = Mutex<[[LatencyLearning.Measurement]]>([])

    var sink: @Sendable ([LatencyLearning.Measurement]) -> Void { { batch in self.calls.withLock { $0.append(batch) } } }
    var batches: [[LatencyLearning.Measurement]] { calls.withLock { $0 } }
}

/// Two fast regions and a slow one, as a deployment would list them.
let threeRegions: [(region: String, url: String)] = [
    ("eu-west-1", "https://euw1.example.net/nearcast/probe-object"),
    ("us-east-1", "https://use1.example.net/nearcast/probe-object?x=1"),
    ("ap-southeast-1", "https://apse1.example.net/nearcast/probe-object"),
]

let catalog = try! RegionCatalog()

/// Runs `body` against a collector served on a real socket (127.0.0.1, an ephemeral port).
func withLiveCollector<Value: Sendable>(
    _ settings: RUMSettings, recorder: SinkRecorder = SinkRecorder(),
    _ body: @Sendable (any TestClientProtocol) async throws -> Value
) async throws -> Value {
    let collector = RUMCollector(settings: settings, catalog: catalog, sink: recorder.sink, logger: Logger(label: "rum-test"))
    let app = Application(responder: collector.responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    return try await app.test(.live, body)
}

func report(_ results: [(String, Double)]) -> ByteBuffer {
    ByteBuffer(string: #"{"results": ["# + results.map { #"{"region": "\#($0.0)", "rtt_ms": \#($0.1)}"# }.joined(separator: ", ") + "]}")
}

let forwardedFor = HTTPField.Name("X-Forwarded-For")!

/// GET /nearcast/beacon.js from the live server behind `client`, sent with `Host: authority`.
func fetchBeacon(_ client: any TestClientProtocol, authority: String, headers: HTTPFields = [:]) async throws -> TestClient.Response {
    let port = try #require(client.port)
    return try await TestClient.withClient(host: "127.0.0.1", port: port) { raw in
        try await raw.execute(TestClient.Request("/nearcast/beacon.js", method: .get, authority: authority, headers: headers))
    }
}
