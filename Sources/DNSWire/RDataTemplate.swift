/// One record's data encoded ahead of time, for writing without allocating:
/// the RDATA in uncompressed wire form (kept in a `ByteStore` the owner
/// holds) and where the names inside it start.
///
/// Invariant: the bytes at `range` are `data.uncompressedWire` of the RData
/// it was built from; `names` are offsets into them of whole names.
public struct RDataTemplate: Sendable {
    public let type: RRType
    /// Where the RDATA lies in its store.
    public let range: Range<Int>
    /// Offsets of up to two names within the RDATA; -1 when absent.
    let firstName: Int16, secondName: Int16
    /// True when the names are compressed (RFC 1035 types); false when they
    /// are written in full but still serve as compression targets.
    let compressesNames: Bool
    /// Offset of `RData.target` within the RDATA; -1 when it has none.
    public let targetOffset: Int16

    /// Appends `data`'s uncompressed wire form to `store` and describes it.
    public init(_ data: RData, appendingTo store: inout [UInt8]) {
        type = data.type
        let start = store.count
        store += data.uncompressedWire
        range = start..<store.count
        let names: (Int, Int), compressed: Bool
        switch data {
        case .ns, .cname, .ptr: (names, compressed) = ((0, -1), true)
        case .mx: (names, compressed) = ((2, -1), true)
        case .soa(let soa): (names, compressed) = ((0, soa.mname.wire.count), true)
        case .srv: (names, compressed) = ((6, -1), false)
        case .svcb, .https: (names, compressed) = ((2, -1), false)
        case .naptr(_, _, let flags, let services, let regexp, _):
            (names, compressed) = ((7 + flags.count + services.count + regexp.count, -1), false)
        default: (names, compressed) = ((-1, -1), false)
        }
        firstName = Int16(names.0); secondName = Int16(names.1); compressesNames = compressed
        targetOffset = data.target == nil ? -1 : Int16(names.0)
    }

    /// The RDATA's bytes in `store`.
    public func bytes(in store: ByteStore) -> UnsafeRawBufferPointer { store[range] }

    /// `RData.target`, read in place.
    public func target(in store: ByteStore) -> NameView? {
        targetOffset < 0 ? nil : NameView(uncompressedIn: bytes(in: store), at: Int(targetOffset))
    }

    /// True when both hold the same data as `RData`'s equality sees it: names
    /// compared ignoring case, every other byte exactly.
    public func sameData(as other: RDataTemplate, in store: ByteStore) -> Bool {
        let a = bytes(in: store), b = other.bytes(in: store)
        guard type == other.type, a.count == b.count, firstName == other.firstName, secondName == other.secondName else { return false }
        var nameEnd = -1   // bytes before this offset belong to a name
        for i in 0..<a.count {
            if i == Int(firstName) || i == Int(secondName), let name = NameView(uncompressedIn: a, at: i) {
                nameEnd = i + name.bytes.count
            }
            if i < nameEnd ? asciiLower(a[i]) != asciiLower(b[i]) : a[i] != b[i] { return false }
        }
        return true
    }
}
