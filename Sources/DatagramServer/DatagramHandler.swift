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

    /// Writes the reply to `request` from `source` into `output` (65,535
    /// bytes) and returns its length, or nil for no reply.
    mutating func respond(to request: UnsafeRawBufferPointer, source: IPAddress,
                          into output: UnsafeMutableRawBufferPointer) -> Int?
}

extension DatagramHandler {
    public mutating func refresh() {}
}
