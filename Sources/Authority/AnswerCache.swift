import DNSWire
import LatencyModel

/// One thread's memory of answers it wrote, so that a repeated question
/// skips the answer engine: for a question (name ignoring ASCII case, type,
/// class) and, when its answer depends on the client, a `ClientKey` — the
/// first region of the client's ranking, when that decided every latency
/// choice, else the whole ranking — the answer, authority and additional
/// sections as written after the question, their counts, the RCODE and the
/// AA bit.
///
/// The name's case does not matter (resolvers that randomize it, RFC draft
/// "0x20", still hit): the engine's bytes after the question are the same
/// for every spelling of a name, since it writes the query's name only as
/// pointers into the question, whose labels have the same lengths.
///
/// Invariants: every entry was written for `snapshot` (answering from
/// another snapshot empties the cache first, `serve(_:)`); only answers
/// that made no random choice are stored, so an entry is byte for byte what
/// the engine would write again for that question and key; entries live
/// in fixed slots allocated once (each entry in one of two slots its hash
/// names; a newer entry replaces an older one), so using the cache never
/// allocates.
/// Not thread-safe: one per UDP thread or event loop.
public final class AnswerCache {
    /// Slots, a power of two, of `slotSize` bytes; answers whose question
    /// and sections exceed `slotSize - Slot.header` bytes are not kept.
    static let slotCount = 4096
    static let slotSize = 256
    private let slots: UnsafeMutableRawBufferPointer
    /// The serial of the snapshot the entries were written for (0: none yet).
    private var snapshot: UInt64 = 0
    /// Entries carry the epoch they were stored in; starting a new one empties the cache.
    private var epoch: UInt32 = 1
    /// Which of an entry's two slots the next eviction takes.
    private var evictSecond = false

    public init() {
        slots = .allocate(byteCount: Self.slotCount * Self.slotSize, alignment: 64)
        slots.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { slots.deallocate() }

    /// Makes the entries those of `snapshot`: empties the cache when it held another's.
    func serve(_ snapshot: Snapshot) {
        guard self.snapshot != snapshot.serial else { return }
        self.snapshot = snapshot.serial
        epoch &+= 1
        if epoch == 0 {  // wrapped: an entry of a long-gone epoch 1 must not come back to life
            slots.initializeMemory(as: UInt8.self, repeating: 0)
            epoch = 1
        }
    }

    /// What a question's entry says: its sections, or that the answer
    /// depends on the client, to be looked up again with a `ClientKey`.
    enum Found {
        case answer(CachedAnswer)
        case dependsOnClient
    }

    /// What a client-dependent answer is kept under, beside its question.
    enum ClientKey: Equatable {
        /// Every latency choice took the member of this region, the first of
        /// the client's ranking: the answer of every client whose ranking starts with it.
        case firstRegion(RegionID)
        /// The answer of the clients of this ranking.
        case ranking(Int)

        /// The slot's key field: -1 is the question's own entry.
        var code: Int32 {
            switch self {
            case .firstRegion(let region): -2 - Int32(region)
            case .ranking(let ranking): Int32(ranking)
            }
        }
    }

    /// A query's question as the cache finds it: its name's case-folded hash
    /// (`NameView.hashCode`) mixed with the type and class, computed once
    /// for the probes of one query.
    struct Question {
        let query: Query
        let hash: UInt64
        init(_ query: Query) {
            self.query = query
            hash = query.name.hashCode ^ UInt64(query.type.rawValue) << 48 ^ UInt64(query.rrclass.rawValue) << 32
        }
    }

    /// The entry for `question` under `key` (nil: the question's own entry,
    /// whose answer may say that it depends on the client).
    func entry(for question: Question, key: ClientKey?) -> Found? {
        let (first, second) = slots(for: question, key: key)
        let slot: UnsafeMutableRawBufferPointer
        if holds(first, question, key) { slot = first } else if holds(second, question, key) { slot = second } else { return nil }
        let flags = slot[Slot.flags]
        if flags & Slot.dependsOnClient != 0 { return .dependsOnClient }
        let start = Slot.header + question.query.question.count
        return .answer(CachedAnswer(
            sections: UnsafeRawBufferPointer(rebasing: slot[start..<(start + Int(slot.load(Slot.sectionsLength, as: UInt16.self)))]),
            counts: SIMD3(slot.load(Slot.counts, as: UInt16.self), slot.load(Slot.counts + 2, as: UInt16.self), slot.load(Slot.counts + 4, as: UInt16.self)),
            rcode: RCode(rawValue: UInt16(slot[Slot.rcode])), authoritative: flags & Slot.authoritative != 0))
    }

    /// Whether `slot` holds an entry of this epoch for `question` under `key`.
    private func holds(_ slot: UnsafeMutableRawBufferPointer, _ question: Question, _ key: ClientKey?) -> Bool {
        let query = question.query, nameLength = query.name.bytes.count
        return slot.load(Slot.epoch, as: UInt32.self) == epoch && slot.load(Slot.key, as: Int32.self) == key?.code ?? -1
            && Int(slot.load(Slot.questionLength, as: UInt16.self)) == query.question.count
            && slot.load(Slot.header + nameLength, as: UInt32.self) == query.question.loadUnaligned(fromByteOffset: nameLength, as: UInt32.self)
            && NameView(unchecked: UnsafeRawBufferPointer(rebasing: slot[Slot.header..<(Slot.header + nameLength)])) == query.name
    }

    /// Keeps an answer the engine wrote for `question`: for a
    /// client-independent answer `key` is nil; otherwise the question's
    /// entry notes that it depends on the client and the sections go under `key`.
    func store(_ answer: CachedAnswer, for question: Question, key: ClientKey?) {
        guard Slot.header + question.query.question.count + answer.sections.count <= Self.slotSize,
              answer.rcode.rawValue <= UInt8.max else { return }
        if let key {
            write(for: question, key: nil, flags: Slot.dependsOnClient, answer: nil)
            write(for: question, key: key, flags: 0, answer: answer)
        } else {
            write(for: question, key: nil, flags: 0, answer: answer)
        }
    }

    /// Writes an entry into one of its two slots: the one that holds it
    /// already, else an empty or stale one, else each in turn.
    private func write(for question: Question, key: ClientKey?, flags: UInt8, answer: CachedAnswer?) {
        let (first, second) = slots(for: question, key: key)
        let slot: UnsafeMutableRawBufferPointer
        if holds(first, question, key) || first.load(Slot.epoch, as: UInt32.self) != epoch {
            slot = first
        } else if holds(second, question, key) || second.load(Slot.epoch, as: UInt32.self) != epoch {
            slot = second
        } else {
            evictSecond.toggle()
            slot = evictSecond ? second : first
        }
        let question = question.query.question
        slot.storeBytes(of: epoch, toByteOffset: Slot.epoch, as: UInt32.self)
        slot.storeBytes(of: key?.code ?? -1, toByteOffset: Slot.key, as: Int32.self)
        slot.storeBytes(of: UInt16(question.count), toByteOffset: Slot.questionLength, as: UInt16.self)
        UnsafeMutableRawBufferPointer(rebasing: slot[Slot.header..<(Slot.header + question.count)]).copyMemory(from: question)
        guard let answer else {
            slot[Slot.flags] = flags
            return
        }
        slot.storeBytes(of: UInt16(answer.sections.count), toByteOffset: Slot.sectionsLength, as: UInt16.self)
        for section in 0..<3 { slot.storeBytes(of: answer.counts[section], toByteOffset: Slot.counts + 2 * section, as: UInt16.self) }
        slot[Slot.rcode] = UInt8(answer.rcode.rawValue)
        slot[Slot.flags] = flags | (answer.authoritative ? Slot.authoritative : 0)
        let start = Slot.header + question.count
        UnsafeMutableRawBufferPointer(rebasing: slot[start..<(start + answer.sections.count)]).copyMemory(from: answer.sections)
    }

    /// The two slots (`question`, `key`) may be in, from the question's
    /// hash mixed with the key: two choices rather than one keep names whose
    /// first slots collide from evicting each other.
    private func slots(for question: Question, key: ClientKey?) -> (UnsafeMutableRawBufferPointer, UnsafeMutableRawBufferPointer) {
        let hash = (question.hash ^ UInt64(bitPattern: Int64(key?.code ?? -1)) &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        let first = Int(truncatingIfNeeded: hash ^ hash >> 31) & (Self.slotCount - 1)
        var second = Int(truncatingIfNeeded: hash >> 40) & (Self.slotCount - 1)
        if second == first { second ^= 1 }
        return (slot(first), slot(second))
    }

    private func slot(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: slots[(index * Self.slotSize)..<((index + 1) * Self.slotSize)])
    }

    /// A slot's layout: a header of fixed fields, then the question's bytes, then the sections'.
    private enum Slot {
        static let epoch = 0, key = 4, questionLength = 8, sectionsLength = 10, counts = 12, rcode = 18, flags = 19
        static let header = 20
        static let authoritative: UInt8 = 1, dependsOnClient: UInt8 = 2
    }
}

/// The part of a response after its question that the answer engine wrote,
/// with what `Snapshot.finish` needs to complete it.
struct CachedAnswer {
    var sections: UnsafeRawBufferPointer
    var counts: SIMD3<UInt16>
    var rcode: RCode
    var authoritative: Bool
}

private extension UnsafeMutableRawBufferPointer {
    func load<T>(_ offset: Int, as type: T.Type) -> T { loadUnaligned(fromByteOffset: offset, as: type) }
}
