#if canImport(Glibc)
import Glibc
#endif

/// Linux's `struct mmsghdr`, which Glibc's Swift module does not export (it
/// is behind _GNU_SOURCE): a `msghdr` and the byte count the kernel fills in.
/// Laid out as in C: 56 + 4 bytes, stride 64 (checked in `MultipleMessages.load`).
struct MultipleMessageHeader {
    var header: msghdr
    var length: UInt32
}

/// recvmmsg(2) and sendmmsg(2), looked up once with dlsym for the same reason.
struct MultipleMessages {
    typealias Receive = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias Send = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32

    let receive: Receive
    let send: Send

    static func load() throws(DatagramServerError) -> MultipleMessages {
        guard MemoryLayout<MultipleMessageHeader>.offset(of: \.length) == 56,
              MemoryLayout<MultipleMessageHeader>.stride == 64,
              let receive = dlsym(nil, "recvmmsg"), let send = dlsym(nil, "sendmmsg")
        else { throw DatagramServerError(operation: "recvmmsg/sendmmsg lookup", code: ENOSYS) }
        return MultipleMessages(receive: unsafeBitCast(receive, to: Receive.self), send: unsafeBitCast(send, to: Send.self))
    }
}
