import LatencyModel

/// Answers datagrams on one server thread.
///
/// Each thread owns its own handler (made on that thread), so a handler may
/// keep thread-local state without locks. Calls are generic, not boxed.
public protocol DatagramHandler: SendableMetatype {
    /// Called on the handler's thread after every receive, before the batch
    /// is handled, and when an idle thread is woken (`DatagramServer.wake()`;
    /// idle threads are not woken otherwise): the place to pick up shared
    /// state published by other threads.
    mutating func refresh()

    /// Called once per received batch, after `refresh()` and before its first
    /// datagram is answered, with all of the batch's datagrams: the place to
    /// start memory loads the answers will need (prefetches), so that the
    /// batch's cache misses overlap instead of following one another.
    mutating func prepare(_ batch: ReceivedBatch)

    /// Writes the reply to `request` from `source` into `output` (65,535
    /// bytes) and returns its length, or nil for no reply.
    mutating func respond(to request: UnsafeRawBufferPointer, source: IPAddress,
                          into output: UnsafeMutableRawBufferPointer) -> Int?
}

extension DatagramHandler {
    public mutating func refresh() {}
    public mutating func prepare(_ batch: ReceivedBatch) {}
}

/// The datagrams of one received batch, in order, as `respond` gets them:
/// each request with its source (slots whose source address is not IPv4 or
/// IPv6 are left out, as they are not answered).
public struct ReceivedBatch: Sequence {
    let buffers: BatchBuffers
    let count: Int

    public func makeIterator() -> Iterator { Iterator(buffers: buffers, count: count) }

    public struct Iterator: IteratorProtocol {
        let buffers: BatchBuffers
        let count: Int
        var slot = 0

        public mutating func next() -> (request: UnsafeRawBufferPointer, source: IPAddress)? {
            while slot < count {
                defer { slot += 1 }
                if let request = buffers.request(slot), let source = IPAddress(socketAddress: buffers.source(slot)) {
                    return (request, source)
                }
            }
            return nil
        }
    }
}
