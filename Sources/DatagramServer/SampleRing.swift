import LatencyModel
import Synchronization

/// A fixed ring of recently sampled datagrams: their source and up to the
/// first `bytesPerSlot` bytes. The newest sample overwrites the oldest.
///
/// Invariants: all memory is allocated in `init`; every stored property
/// below `lock` is read and written only while holding it, and `record`
/// holds it only for one copy, so the owning thread never waits long.
final class SampleRing: @unchecked Sendable {
    let slots: Int
    let bytesPerSlot: Int
    private let lock = Mutex(())
    private let bytes: UnsafeMutableRawPointer
    private let sources: UnsafeMutablePointer<IPAddress>
    private let lengths: UnsafeMutablePointer<Int>
    private var next = 0
    private var count = 0

    init(slots: Int, bytesPerSlot: Int) {
        self.slots = slots
        self.bytesPerSlot = bytesPerSlot
        bytes = .allocate(byteCount: slots * bytesPerSlot, alignment: 8)
        sources = .allocate(capacity: slots)
        sources.initialize(repeating: .v4(0), count: slots)
        lengths = .allocate(capacity: slots)
        lengths.initialize(repeating: 0, count: slots)
    }

    deinit {
        bytes.deallocate()
        sources.deinitialize(count: slots)
        sources.deallocate()
        lengths.deallocate()
    }

    func record(source: IPAddress, packet: UnsafeRawBufferPointer) {
        let length = min(packet.count, bytesPerSlot)
        lock.withLock { _ in
            if let base = packet.baseAddress { (bytes + next * bytesPerSlot).copyMemory(from: base, byteCount: length) }
            sources[next] = source
            lengths[next] = length
            next = (next + 1) % slots
            count = min(count + 1, slots)
        }
    }

    /// Copies of the samples, oldest first.
    func samples() -> [(source: IPAddress, packet: [UInt8])] {
        lock.withLock { _ in
            (0..<count).map { age in
                let slot = (next - count + age + slots) % slots
                return (sources[slot], Array(UnsafeRawBufferPointer(start: bytes + slot * bytesPerSlot, count: lengths[slot])))
            }
        }
    }
}
