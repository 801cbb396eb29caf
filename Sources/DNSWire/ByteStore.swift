/// Immutable bytes at an address that stays fixed for the store's lifetime,
/// so that views into them (`NameView`s, record data) stay valid while the
/// owner of the store is alive.
public final class ByteStore: @unchecked Sendable {
    // Sendable: the memory is written once in init and only read afterwards.
    public let bytes: UnsafeRawBufferPointer
    private let memory: UnsafeMutableRawBufferPointer

    public init(_ contents: [UInt8]) {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(contents.count, 1), alignment: 8)
        contents.withUnsafeBytes { memory.copyMemory(from: $0) }
        self.memory = memory
        bytes = UnsafeRawBufferPointer(rebasing: memory[..<contents.count])
    }

    deinit { memory.deallocate() }

    /// The bytes in `range`.
    public subscript(range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }
}
