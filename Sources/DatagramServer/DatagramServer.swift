#if canImport(Glibc)
import Glibc
#endif
import LatencyModel
import Synchronization

/// A UDP server below any event loop: `threads` threads, each with its own
/// SO_REUSEPORT socket on the same address, each receiving batches of up to
/// 32 datagrams with recvmmsg and sending the replies with one sendmmsg.
///
/// Invariants: no allocation per datagram (every buffer is made at start);
/// a handler runs only on its own thread; after `stop()` returns, no thread
/// runs and every socket is closed.
public final class DatagramServer: Sendable {
    public struct Configuration: Sendable {
        /// Threads, each with its own socket and handler.
        public var threads: Int
        /// For an IPv6 address: refuse IPv4 (IPV6_V6ONLY). With false, a
        /// wildcard `::` socket also receives IPv4, whose sources the handler
        /// sees as IPv4 addresses.
        public var ipv6Only: Bool
        /// Larger datagrams are dropped.
        public var maxRequestSize: Int
        /// The threads are named nearcast-udpN (as `top -H` shows them) with N
        /// from this number on, so that the servers of several addresses
        /// number their threads apart (Linux keeps 15 bytes of a name: from
        /// nearcast-udp1000 on, the last digit is lost).
        public var firstThreadNumber: Int

        public init(threads: Int = 1, ipv6Only: Bool = true, maxRequestSize: Int = 4096, firstThreadNumber: Int = 0) {
            self.threads = max(1, threads)
            self.ipv6Only = ipv6Only
            self.maxRequestSize = max(12, min(maxRequestSize, 65_535))
            self.firstThreadNumber = firstThreadNumber
        }
    }

    /// Datagrams received per recvmmsg call, at most.
    public static let batchSize = 32
    /// One answered datagram in this many is kept in the thread's sample ring.
    public static let sampleEvery = 64
    public static let sampleSlots = 1024
    public static let sampleBytes = 512

    public let address: IPAddress
    /// The bound port (the chosen one when started with port 0).
    public let port: UInt16

    private struct Running {
        let thread: WorkerThread
        let wakePipe: WakePipe
    }

    private let descriptors: [Int32]
    /// nil once stopped; `wake()` and `stop()` hold this lock, so no
    /// wake-up is written to a closed pipe.
    private let running = Mutex<[Running]?>([])
    private let samples: [SampleRing]
    private let stopping = StopFlag()

    /// Binds every thread's socket, then starts the threads. `makeHandler`
    /// runs on each new thread with the thread's index (0..<threads).
    public init<Handler: DatagramHandler>(address: IPAddress, port: UInt16, configuration: Configuration = Configuration(),
                                          makeHandler: @escaping @Sendable (_ thread: Int) -> Handler) throws(DatagramServerError) {
        let calls = try MultipleMessages.load()
        var descriptors: [Int32] = []
        var boundPort = port
        do throws(DatagramServerError) {
            for _ in 0..<configuration.threads {
                let opened = try openDatagramSocket(address: address, port: boundPort, ipv6Only: configuration.ipv6Only)
                descriptors.append(opened.descriptor)
                boundPort = opened.port
            }
        } catch {
            for descriptor in descriptors { close(descriptor) }
            throw error
        }
        self.address = address
        self.port = boundPort
        self.descriptors = descriptors
        samples = descriptors.map { _ in SampleRing(slots: Self.sampleSlots, bytesPerSlot: Self.sampleBytes) }
        do throws(DatagramServerError) {
            for (index, descriptor) in descriptors.enumerated() {
                let wakePipe = try WakePipe()
                let worker = DatagramWorker(
                    descriptor: descriptor, wakePipe: wakePipe, calls: calls,
                    buffers: BatchBuffers(capacity: Self.batchSize, inputSize: configuration.maxRequestSize),
                    samples: samples[index], sampleEvery: Self.sampleEvery, stopping: stopping,
                    thread: index, makeHandler: makeHandler)
                let thread = try WorkerThread(name: "nearcast-udp\(configuration.firstThreadNumber + index)") { worker.run() }
                running.withLock { $0?.append(Running(thread: thread, wakePipe: wakePipe)) }
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Makes every thread call its handler's `refresh()` within moments,
    /// even when idle (for example after publishing new shared state).
    public func wake() {
        running.withLock { running in
            for worker in running ?? [] { worker.wakePipe.wake() }
        }
    }

    /// Stops every thread, waits for them, closes the sockets. Idempotent.
    public func stop() {
        stopping.set()
        let stopped = running.withLock { running in
            for worker in running ?? [] { worker.wakePipe.wake() }
            defer { running = nil }
            return running
        }
        guard let stopped else { return }
        for worker in stopped { worker.thread.join() }
        for descriptor in descriptors { close(descriptor) }
    }

    /// Copies of every thread's recent samples: one answered datagram in
    /// `sampleEvery`, the last `sampleSlots` per thread, each cut to
    /// `sampleBytes`.
    public func recentDatagrams() -> [(source: IPAddress, packet: [UInt8])] {
        samples.flatMap { $0.samples() }
    }
}
