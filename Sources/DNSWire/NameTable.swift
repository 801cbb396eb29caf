/// An immutable set of names, each numbered by its position in the list it
/// was built from, looked up by `NameView` without allocating.
///
/// Invariants: name `i`'s wire is `store[starts[i]..<starts[i + 1]]`;
/// `slots` is an open-addressing table (linear probing, size a power of two,
/// at most half full) of name numbers, -1 where empty.
public struct NameTable: Sendable {
    private let store: ByteStore
    private let starts: [Int32]
    private let hashes: [UInt64]
    private let slots: [Int32]

    /// Numbers `names` in order; a name equal to an earlier one is unreachable by lookup.
    public init(_ names: [DomainName]) {
        var wire: [UInt8] = [], starts: [Int32] = [0]
        for name in names { wire += name.wire; starts.append(Int32(wire.count)) }
        let store = ByteStore(wire)
        var size = 8
        while size < names.count * 2 { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        var hashes: [UInt64] = []
        hashes.reserveCapacity(names.count)
        for index in names.indices {
            let view = Self.name(index, in: store, starts)
            let hash = view.hashCode
            hashes.append(hash)
            var slot = Int(truncatingIfNeeded: hash) & (size - 1)
            while slots[slot] >= 0 {
                if hashes[Int(slots[slot])] == hash && Self.name(Int(slots[slot]), in: store, starts) == view { break }
                slot = (slot + 1) & (size - 1)
            }
            if slots[slot] < 0 { slots[slot] = Int32(index) }
        }
        self.store = store
        self.starts = starts
        self.slots = slots
        self.hashes = hashes
    }

    public var count: Int { starts.count - 1 }

    /// Name number `index`, as stored (with its original case).
    public func name(at index: Int) -> NameView { Self.name(index, in: store, starts) }

    /// The number of the name equal to `name` (ignoring case), or nil.
    public func index(of name: NameView) -> Int? {
        let hash = name.hashCode, mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let candidate = Int(slots[slot])
            guard candidate >= 0 else { return nil }
            if hashes[candidate] == hash && self.name(at: candidate) == name { return candidate }
            slot = (slot + 1) & mask
        }
    }

    private static func name(_ index: Int, in store: ByteStore, _ starts: [Int32]) -> NameView {
        NameView(unchecked: store[Int(starts[index])..<Int(starts[index + 1])])
    }
}
