/// The fixed 12-byte message header (RFC 1035 §4.1.1).
public struct Header: Hashable, Sendable {
    public var id: UInt16
    public var flags: UInt16

    public init(id: UInt16 = 0, flags: UInt16 = 0) { self.id = id; self.flags = flags }

    private func bit(_ n: Int) -> Bool { flags & (1 << n) != 0 }
    private mutating func set(_ n: Int, _ on: Bool) { flags = on ? flags | (1 << n) : flags & ~(1 << n) }

    public var isResponse: Bool { get { bit(15) } set { set(15, newValue) } }
    public var opcode: UInt8 {
        get { UInt8((flags >> 11) & 0xF) }
        set { flags = flags & ~(0xF << 11) | UInt16(newValue & 0xF) << 11 }
    }
    public var authoritative: Bool { get { bit(10) } set { set(10, newValue) } }
    public var truncated: Bool { get { bit(9) } set { set(9, newValue) } }
    public var recursionDesired: Bool { get { bit(8) } set { set(8, newValue) } }
    public var recursionAvailable: Bool { get { bit(7) } set { set(7, newValue) } }
    public var authenticData: Bool { get { bit(5) } set { set(5, newValue) } }
    public var checkingDisabled: Bool { get { bit(4) } set { set(4, newValue) } }
    /// The low four bits of the response code.
    public var rcodeLow: UInt8 {
        get { UInt8(flags & 0xF) }
        set { flags = flags & ~0xF | UInt16(newValue & 0xF) }
    }
}

public struct Question: Hashable, Sendable {
    public var name: DomainName
    public var type: RRType
    public var rrclass: RRClass
    public init(name: DomainName, type: RRType, rrclass: RRClass = .in) {
        self.name = name; self.type = type; self.rrclass = rrclass
    }
}

/// A resource record other than OPT.
public struct Record: Hashable, Sendable {
    public var name: DomainName
    public var rrclass: RRClass
    public var ttl: UInt32
    public var data: RData
    public var type: RRType { data.type }
    public init(name: DomainName, rrclass: RRClass = .in, ttl: UInt32, data: RData) {
        self.name = name; self.rrclass = rrclass; self.ttl = ttl; self.data = data
    }
}

/// A whole DNS message. The OPT pseudo-record lives in `edns`, never in `additional`.
public struct Message: Hashable, Sendable {
    public var header: Header
    public var questions: [Question]
    public var answers: [Record]
    public var authority: [Record]
    public var additional: [Record]
    public var edns: EDNS?

    public init(header: Header = Header(), questions: [Question] = [], answers: [Record] = [],
                authority: [Record] = [], additional: [Record] = [], edns: EDNS? = nil) {
        self.header = header; self.questions = questions; self.answers = answers
        self.authority = authority; self.additional = additional; self.edns = edns
    }

    /// The full response code: the header's four bits plus OPT's extension.
    public var rcode: RCode {
        get { RCode(rawValue: UInt16(edns?.extendedRCode ?? 0) << 4 | UInt16(header.rcodeLow)) }
        set {
            header.rcodeLow = UInt8(newValue.rawValue & 0xF)
            edns?.extendedRCode = UInt8(newValue.rawValue >> 4)
        }
    }

    /// Parses a message. Throws on anything malformed: truncation, bad names,
    /// bad record data, trailing bytes, more than one OPT, OPT not at the root
    /// or outside the additional section, or a malformed EDNS option.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(DNSError) -> Message {
        var r = WireReader(bytes)
        let header = Header(id: try r.u16(), flags: try r.u16())
        let qd = Int(try r.u16()), an = Int(try r.u16()), ns = Int(try r.u16()), ar = Int(try r.u16())
        var message = Message(header: header)
        for _ in 0..<qd {
            message.questions.append(Question(name: try r.name(), type: RRType(try r.u16()), rrclass: RRClass(rawValue: try r.u16())))
        }
        for section in 0..<3 {
            for _ in 0..<[an, ns, ar][section] {
                let name = try r.name()
                let type = RRType(try r.u16())
                let rrclass = try r.u16()
                let ttl = try r.u32()
                let length = Int(try r.u16())
                if type == .opt {
                    guard section == 2 else { throw .malformed("OPT outside the additional section") }
                    guard message.edns == nil else { throw .malformed("more than one OPT record") }
                    guard name.isRoot else { throw .malformed("OPT owner is not the root") }
                    message.edns = try EDNS(payloadSize: rrclass, ttl: ttl, data: try r.bytes(length))
                    continue
                }
                let record = Record(name: name, rrclass: RRClass(rawValue: rrclass), ttl: ttl,
                                    data: try RData.decode(type: type, length: length, from: &r))
                switch section {
                case 0: message.answers.append(record)
                case 1: message.authority.append(record)
                default: message.additional.append(record)
                }
            }
        }
        guard r.remaining == 0 else { throw .malformed("\(r.remaining) bytes after the last record") }
        return message
    }

    public static func parse(_ bytes: [UInt8]) throws(DNSError) -> Message {
        try withReadableBytes(bytes) { (raw) throws(DNSError) in try parse(raw) }
    }

    /// Encodes the message with name compression.
    public func encode() -> [UInt8] {
        var w = WireWriter()
        encode(into: &w)
        return w.bytes
    }

    public func encode(into w: inout WireWriter) {
        w.u16(header.id); w.u16(header.flags)
        w.u16(UInt16(questions.count)); w.u16(UInt16(answers.count)); w.u16(UInt16(authority.count))
        w.u16(UInt16(additional.count + (edns == nil ? 0 : 1)))
        for q in questions { w.name(q.name); w.u16(q.type.rawValue); w.u16(q.rrclass.rawValue) }
        for record in answers { Self.encode(record, into: &w) }
        for record in authority { Self.encode(record, into: &w) }
        for record in additional { Self.encode(record, into: &w) }
        edns?.encode(into: &w)
    }

    public static func encode(_ record: Record, into w: inout WireWriter) {
        w.name(record.name)
        w.u16(record.type.rawValue); w.u16(record.rrclass.rawValue); w.u32(record.ttl)
        let lengthAt = w.count
        w.u16(0)
        record.data.encode(into: &w)
        w.patch16(at: lengthAt, UInt16(w.count - lengthAt - 2))
    }
}
