import LatencyModel

/// Region names to ids, looked up by their bytes: an open-addressing hash
/// table (FNV-1a, linear probing) over the names stored back to back.
///
/// Invariant: `slots.count` is a power of two at least twice the number of
/// names; a slot holds 0 (empty) or an id + 1.
struct RegionTable: Sendable {
    private let names: [UInt8]
    private let ends: [Int]
    private let slots: [UInt16]

    init(_ catalog: RegionCatalog) {
        var names: [UInt8] = [], ends: [Int] = []
        for region in catalog.regions {
            names.append(contentsOf: region.name.utf8)
            ends.append(names.count)
        }
        var capacity = 16
        while capacity < 2 * ends.count { capacity *= 2 }
        var slots = [UInt16](repeating: 0, count: capacity)
        names.withUnsafeBufferPointer { all in
            for id in ends.indices {
                let name = UnsafeBufferPointer(rebasing: all[(id == 0 ? 0 : ends[id - 1])..<ends[id]])
                var slot = Int(truncatingIfNeeded: Self.hash(name)) & (capacity - 1)
                while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
                slots[slot] = UInt16(truncatingIfNeeded: id + 1)
            }
        }
        self.names = names; self.ends = ends; self.slots = slots
    }

    /// The id of the region named `name`, or nil.
    func id(of name: UnsafeBufferPointer<UInt8>) -> RegionID? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(name)) & mask
        return names.withUnsafeBufferPointer { all in
            while slots[slot] != 0 {
                let id = Int(slots[slot] - 1)
                let start = id == 0 ? 0 : ends[id - 1]
                if ends[id] - start == name.count && memoryEquals(all.baseAddress! + start, name) { return RegionID(id) }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    private func memoryEquals(_ stored: UnsafePointer<UInt8>, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<name.count where stored[i] != name[i] { return false }
        return true
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return h ^ (h >> 29)
    }
}
