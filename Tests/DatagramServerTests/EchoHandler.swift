#if canImport(Glibc)
import Glibc
#endif
import DatagramServer
import LatencyModel
import Synchronization

/// What the test handlers saw, shared across their threads.
final class Observations: Sendable {
    let refreshes = Atomic<Int>(0)
    let largestBatch = Atomic<Int>(0)
    let handlersAlive = Atomic<Int>(0)
    /// Datagrams handed to `prepare`, and answered without having been.
    let prepared = Atomic<Int>(0)
    let unprepared = Atomic<Int>(0)
}

/// Replies "<thread> <source> <request>"; "drop…" gets no reply; "slow…"
/// stalls the thread for 100 ms (so the next receive finds a full batch);
/// "huge…" gets 65,535 bytes, more than a UDP datagram can carry.
struct EchoHandler: DatagramHandler {
    let thread: Int
    let observations: Observations
    private let lifetime: Lifetime
    private var batch = 0
    /// The prepared batch's requests not answered yet.
    private var preparedRequests: [String] = []

    init(thread: Int, observations: Observations) {
        self.thread = thread
        self.observations = observations
        lifetime = Lifetime(observations)
    }

    mutating func refresh() {
        observations.refreshes.add(1, ordering: .relaxed)
        observations.largestBatch.max(batch, ordering: .relaxed)
        batch = 0
    }

    mutating func prepare(_ batch: ReceivedBatch) {
        preparedRequests = batch.map { String(decoding: $0.request, as: UTF8.self) }
        observations.prepared.add(preparedRequests.count, ordering: .relaxed)
    }

    mutating func respond(to request: UnsafeRawBufferPointer, source: IPAddress,
                          into output: UnsafeMutableRawBufferPointer) -> Int? {
        batch += 1
        let text = String(decoding: request, as: UTF8.self)
        if let index = preparedRequests.firstIndex(of: text) {
            preparedRequests.remove(at: index)
        } else {
            observations.unprepared.add(1, ordering: .relaxed)
        }
        if text.hasPrefix("drop") { return nil }
        if text.hasPrefix("slow") { usleep(100_000) }
        if text.hasPrefix("huge") { return output.count }
        let prefix = Array("\(thread) \(source) ".utf8)
        guard prefix.count + request.count <= output.count else { return nil }
        output.copyBytes(from: prefix)
        UnsafeMutableRawBufferPointer(rebasing: output[prefix.count...]).copyMemory(from: request)
        return prefix.count + request.count
    }

    /// Counts live handlers, so a test can see that stop() ended every thread.
    private final class Lifetime {
        let observations: Observations
        init(_ observations: Observations) { self.observations = observations; observations.handlersAlive.add(1, ordering: .relaxed) }
        deinit { observations.handlersAlive.subtract(1, ordering: .relaxed) }
    }
}

func echoServer(_ address: String, threads: Int = 1, ipv6Only: Bool = true, maxRequestSize: Int = 4096, firstThreadNumber: Int = 0,
                observations: Observations = Observations()) throws -> DatagramServer {
    let configuration = DatagramServer.Configuration(threads: threads, ipv6Only: ipv6Only, maxRequestSize: maxRequestSize,
                                                     firstThreadNumber: firstThreadNumber)
    return try DatagramServer(address: IPAddress(address)!, port: 0, configuration: configuration) { thread in
        EchoHandler(thread: thread, observations: observations)
    }
}
