#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking pipe that wakes a thread waiting in poll(2): `wake()`
/// makes `readDescriptor` readable until the thread calls `drain()`.
final class WakePipe: Sendable {
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    init() throws(DatagramServerError) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { throw DatagramServerError(operation: "pipe", code: errno) }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// A full pipe already holds a pending wake-up, so a failed write is fine.
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    func drain() {
        var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while read(readDescriptor, &bytes, MemoryLayout.size(ofValue: bytes)) > 0 {}
    }
}
