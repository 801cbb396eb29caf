import LatencyModel

/// Numbers prefixes densely, 0..<count, in insertion order: an open-addressing
/// hash table (linear probing) over `PrefixKey`s, without per-entry allocation.
///
/// Invariants: `slots.count` is a power of two at least twice `count`; a slot
/// holds 0 (empty) or an index + 1; keys are distinct.
public struct KeyIndex: Sendable {
    private(set) var addresses: [UInt128] = []
    private(set) var tags: [UInt8] = []
    private var slots: [UInt32] = Array(repeating: 0, count: 16)

    public var count: Int { tags.count }

    public init() {}

    /// Empty, with room for `capacity` keys before the first rehash.
    init(capacity: Int) {
        addresses.reserveCapacity(capacity); tags.reserveCapacity(capacity)
        var slotCount = 16
        while slotCount < 2 * capacity + 2 { slotCount *= 2 }
        slots = Array(repeating: 0, count: slotCount)
    }

    func key(at index: Int) -> PrefixKey { PrefixKey(address: addresses[index], tag: tags[index]) }

    /// The prefix numbered `index`.
    public func prefix(at index: Int) -> IPPrefix { key(at: index).prefix }

    /// The number of `prefix`, or nil.
    public func find(_ prefix: IPPrefix) -> Int? { find(PrefixKey(prefix)) }

    /// The number of `prefix`, numbering it `count` when new.
    public mutating func insert(_ prefix: IPPrefix) -> (index: Int, inserted: Bool) { insert(PrefixKey(prefix)) }

    /// The index of `key`, or nil.
    func find(_ key: PrefixKey) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: key.hash) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot] - 1)
            if tags[index] == key.tag && addresses[index] == key.address { return index }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Whether `key` has index `index` (false for an index beyond the last).
    func isAt(_ index: Int, _ key: PrefixKey) -> Bool { index < count && tags[index] == key.tag && addresses[index] == key.address }

    /// The index of `key`, adding it (as index `count`) when new.
    mutating func insert(_ key: PrefixKey) -> (index: Int, inserted: Bool) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: key.hash) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot] - 1)
            if tags[index] == key.tag && addresses[index] == key.address { return (index, false) }
            slot = (slot + 1) & mask
        }
        addresses.append(key.address)
        tags.append(key.tag)
        slots[slot] = UInt32(count)
        if count * 2 > slots.count { rehash(capacity: slots.count * 2) }
        return (count - 1, true)
    }

    private mutating func rehash(capacity: Int) {
        slots = Array(repeating: 0, count: capacity)
        let mask = capacity - 1
        for index in 0..<count {
            var slot = Int(truncatingIfNeeded: key(at: index).hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(index + 1)
        }
    }
}
