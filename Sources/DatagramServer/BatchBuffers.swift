#if canImport(Glibc)
import Glibc
#endif

/// One thread's preallocated batch memory: per slot an input buffer, a
/// 65,535-byte output buffer and the peer's address, plus the iovecs and
/// mmsghdrs that point at them.
///
/// Invariants: nothing here allocates after `init`; a reply queued from slot
/// `s` is sent to the address received in slot `s`, from output buffer `s`.
final class BatchBuffers {
    static let outputSize = 65_535

    let capacity: Int
    let inputSize: Int
    private let input: UnsafeMutableRawPointer
    private let output: UnsafeMutableRawPointer
    private let addresses: UnsafeMutablePointer<sockaddr_storage>
    private let inputVectors: UnsafeMutablePointer<iovec>
    private let outputVectors: UnsafeMutablePointer<iovec>
    let received: UnsafeMutablePointer<MultipleMessageHeader>
    let replies: UnsafeMutablePointer<MultipleMessageHeader>

    init(capacity: Int, inputSize: Int) {
        self.capacity = capacity
        self.inputSize = inputSize
        input = .allocate(byteCount: capacity * inputSize, alignment: 16)
        output = .allocate(byteCount: capacity * Self.outputSize, alignment: 16)
        addresses = .allocate(capacity: capacity)
        addresses.initialize(repeating: sockaddr_storage(), count: capacity)
        inputVectors = .allocate(capacity: capacity)
        outputVectors = .allocate(capacity: capacity)
        received = .allocate(capacity: capacity)
        replies = .allocate(capacity: capacity)
        for slot in 0..<capacity {
            inputVectors[slot] = iovec(iov_base: input + slot * inputSize, iov_len: inputSize)
            outputVectors[slot] = iovec(iov_base: output + slot * Self.outputSize, iov_len: 0)
            received[slot] = MultipleMessageHeader(header: msghdr(), length: 0)
            received[slot].header.msg_iov = inputVectors + slot
            received[slot].header.msg_iovlen = 1
            received[slot].header.msg_name = UnsafeMutableRawPointer(addresses + slot)
            replies[slot] = MultipleMessageHeader(header: msghdr(), length: 0)
            replies[slot].header.msg_iovlen = 1
        }
    }

    deinit {
        input.deallocate()
        output.deallocate()
        addresses.deallocate()
        inputVectors.deallocate()
        outputVectors.deallocate()
        received.deallocate()
        replies.deallocate()
    }

    /// Resets what the kernel overwrote in the previous receive.
    func prepareReceive() {
        for slot in 0..<capacity {
            received[slot].header.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            received[slot].header.msg_flags = 0
        }
    }

    /// The datagram in `slot`, or nil when it was truncated (larger than `inputSize`).
    func request(_ slot: Int) -> UnsafeRawBufferPointer? {
        guard received[slot].header.msg_flags & Int32(MSG_TRUNC) == 0 else { return nil }
        return UnsafeRawBufferPointer(start: input + slot * inputSize, count: Int(received[slot].length))
    }

    func source(_ slot: Int) -> UnsafeRawPointer { UnsafeRawPointer(addresses + slot) }

    func output(_ slot: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: output + slot * Self.outputSize, count: Self.outputSize)
    }

    /// Makes reply number `index` the first `length` bytes of `slot`'s output, to `slot`'s source.
    func queueReply(from slot: Int, length: Int, at index: Int) {
        outputVectors[slot].iov_len = length
        replies[index].header.msg_iov = outputVectors + slot
        replies[index].header.msg_name = UnsafeMutableRawPointer(addresses + slot)
        replies[index].header.msg_namelen = received[slot].header.msg_namelen
    }
}
