#if canImport(Glibc)
import Glibc
#endif
import LatencyModel
import Synchronization

/// Set once by `DatagramServer.stop`; workers check it on every turn of their loop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

/// One thread's loop: receive a batch with recvmmsg, let the thread's
/// handler prepare it, answer each datagram with the handler into its
/// slot's output buffer, send all replies with sendmmsg. With nothing to receive, it sleeps in poll(2)
/// until a datagram or a wake-up arrives, with no timeout: an idle thread
/// costs nothing, and a busy one whose socket runs empty arms no timer
/// (arming and cancelling one per sleep cost ~3% of the CPU per query here,
/// docs/performance.md). Whatever must reach the thread wakes it:
/// `DatagramServer.wake()` and `stop()`.
///
/// Invariant: `buffers` is touched only by the thread running `run`.
final class DatagramWorker<Handler: DatagramHandler>: @unchecked Sendable {
    private let descriptor: Int32
    private let wakePipe: WakePipe
    private let calls: MultipleMessages
    private let buffers: BatchBuffers
    private let samples: SampleRing
    private let sampleEvery: Int
    private let stopping: StopFlag
    private let thread: Int
    private let makeHandler: (Int) -> Handler

    init(descriptor: Int32, wakePipe: WakePipe, calls: MultipleMessages, buffers: BatchBuffers, samples: SampleRing, sampleEvery: Int,
         stopping: StopFlag, thread: Int, makeHandler: @escaping (Int) -> Handler) {
        self.descriptor = descriptor
        self.wakePipe = wakePipe
        self.calls = calls
        self.buffers = buffers
        self.samples = samples
        self.sampleEvery = sampleEvery
        self.stopping = stopping
        self.thread = thread
        self.makeHandler = makeHandler
    }

    func run() {
        var handler = makeHandler(thread)
        var untilSample = sampleEvery
        while !stopping.isSet {
            buffers.prepareReceive()
            let count = Int(calls.receive(descriptor, buffers.received, UInt32(buffers.capacity), Int32(MSG_DONTWAIT), nil))
            if count <= 0 { waitForDatagrams() }
            handler.refresh()
            guard count > 0 else { continue }
            handler.prepare(ReceivedBatch(buffers: buffers, count: count))
            var replies = 0
            for slot in 0..<count {
                guard let request = buffers.request(slot),
                      let source = IPAddress(socketAddress: buffers.source(slot)),
                      let length = handler.respond(to: request, source: source, into: buffers.output(slot)),
                      length > 0, length <= BatchBuffers.outputSize
                else { continue }
                buffers.queueReply(from: slot, length: length, at: replies)
                replies += 1
                untilSample -= 1
                if untilSample == 0 {
                    untilSample = sampleEvery
                    samples.record(source: source, packet: request)
                }
            }
            send(replies)
        }
    }

    /// Waits until the socket is readable or `wakePipe` is woken (a wake-up
    /// written before the wait keeps the pipe readable, so none is lost).
    private func waitForDatagrams() {
        withUnsafeTemporaryAllocation(of: pollfd.self, capacity: 2) { waits in
            waits[0] = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            waits[1] = pollfd(fd: wakePipe.readDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(waits.baseAddress, 2, -1) > 0 && waits[1].revents != 0 { wakePipe.drain() }
        }
    }

    /// Sends the first `count` queued replies without blocking. A partial
    /// send continues with the rest; a reply the kernel refuses (too large,
    /// an unreachable or invalid address) is skipped; a full send buffer is
    /// waited for, up to 100 ms, then the rest of the batch is dropped.
    private func send(_ count: Int) {
        var sent = 0
        var waits = 0
        while sent < count {
            let result = Int(calls.send(descriptor, buffers.replies + sent, UInt32(count - sent), Int32(MSG_DONTWAIT)))
            if result > 0 {
                sent += result
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                guard waits < 10 else { return }
                waits += 1
                var wait = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&wait, 1, 10)
            default:
                sent += 1
            }
        }
    }
}
