import DNSWire

extension RData {
    /// Parses RDATA text of `type`; relative names get `origin` appended.
    /// Accepts the type's own syntax and, for every type, the RFC 3597
    /// generic form `\# length hex`. Parentheses and `;` comments may appear
    /// as in a master file.
    public init(presentation text: String, type: RRType, origin: DomainName) throws(PresentationError) {
        var tokenizer = Tokenizer(text)
        var tokens: [Token] = []
        while let entry = tokenizer.next() {
            switch entry {
            case .success(let entry): tokens += entry.tokens
            case .failure(let error): throw PresentationError(error.message)
            }
        }
        self = try RData.parse(tokens[...], type: type, origin: origin)
    }

    /// The RDATA in presentation format, names absolute. Uses the type's own
    /// syntax when that reads back as exactly this value, and the RFC 3597
    /// form otherwise (unknown types, or values the syntax cannot express).
    ///
    /// Invariant: for every value `RData.decode` returns for a type that is
    /// not a meta type, `RData(presentation: x.presentation, type: x.type,
    /// origin: .root) == x`.
    public var presentation: String {
        if let typed = typedPresentation, (try? RData(presentation: typed, type: type, origin: .root)) == self {
            return typed
        }
        let wire = uncompressedWire
        return wire.isEmpty ? "\\# 0" : "\\# \(wire.count) \(hex(wire))"
    }

    /// Parses the RDATA fields of a record of `type`; the result's wire
    /// form fits a record (at most 65535 bytes). Messages name the type.
    static func parse(_ tokens: ArraySlice<Token>, type: RRType, origin: DomainName) throws(PresentationError) -> RData {
        guard !type.isMetaType else { throw PresentationError("type \(type) cannot appear in zone data") }
        var fields = FieldReader(tokens, origin: origin)
        do throws(PresentationError) {
            let data = fields.isGeneric ? try parseGeneric(type, &fields) : try parseTyped(type, &fields)
            try fields.finish()
            let size = data.uncompressedWire.count
            guard size <= Int(UInt16.max) else { throw PresentationError("data is \(size) bytes, above the limit of 65535") }
            return data
        } catch {
            throw PresentationError("\(error.message) in \(type) record")
        }
    }

    /// `\# length hex`, decoded as `type` so known types get their own case.
    private static func parseGeneric(_ type: RRType, _ f: inout FieldReader) throws(PresentationError) -> RData {
        _ = try f.next("\\#")
        let length: UInt16 = try f.number("data length")
        let data = f.isAtEnd ? [] : try f.hex("data")
        guard data.count == length else {
            throw PresentationError("\\# length \(length) does not match the \(data.count) bytes of data")
        }
        let decoded = data.withUnsafeBytes { raw in
            Result { () throws(DNSError) -> RData in
                var reader = WireReader(raw)
                return try RData.decode(type: type, length: raw.count, from: &reader)
            }
        }
        switch decoded {
        case .success(let value): return value
        case .failure(let error): throw PresentationError("bad generic data: \(error)")
        }
    }

    private static func parseTyped(_ type: RRType, _ f: inout FieldReader) throws(PresentationError) -> RData {
        switch type {
        case .a:
            let text = try f.next("address").text
            guard let address = IPv4Bytes(parsing: text) else { throw PresentationError("bad IPv4 address '\(text)'") }
            return .a(address)
        case .aaaa:
            let text = try f.next("address").text
            guard let address = IPv6Bytes(parsing: text) else { throw PresentationError("bad IPv6 address '\(text)'") }
            return .aaaa(address)
        case .ns:
            return .ns(try f.name("name server"))
        case .cname:
            return .cname(try f.name("target"))
        case .ptr:
            return .ptr(try f.name("target"))
        case .soa:
            return .soa(SOA(mname: try f.name("primary server"), rname: try f.name("mailbox"),
                            serial: try f.number("serial"), refresh: try f.duration("refresh"),
                            retry: try f.duration("retry"), expire: try f.duration("expire"),
                            minimum: try f.duration("minimum")))
        case .mx:
            return .mx(preference: try f.number("preference"), exchange: try f.name("exchange"))
        case .txt, .spf:
            var strings = [try f.characterString("text")]
            while !f.isAtEnd { strings.append(try f.characterString("text")) }
            return type == .txt ? .txt(strings) : .spf(strings)
        case .srv:
            return .srv(priority: try f.number("priority"), weight: try f.number("weight"),
                        port: try f.number("port"), target: try f.name("target"))
        case .caa:
            let flags: UInt8 = try f.number("flags")
            let tag = try f.next("tag").text
            guard !tag.isEmpty, tag.utf8.count <= 255, tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw PresentationError("bad tag '\(tag)' (expected letters and digits)")
            }
            return .caa(flags: flags, tag: Array(tag.utf8), value: try f.bytes("value"))
        case .naptr:
            return .naptr(order: try f.number("order"), preference: try f.number("preference"),
                          flags: try f.characterString("flags"), services: try f.characterString("services"),
                          regexp: try f.characterString("regexp"), replacement: try f.name("replacement"))
        case .ds:
            return .ds(keyTag: try f.number("key tag"), algorithm: try f.number("algorithm"),
                       digestType: try f.number("digest type"), digest: try f.hex("digest"))
        case .sshfp:
            return .sshfp(algorithm: try f.number("algorithm"), fingerprintType: try f.number("fingerprint type"),
                          fingerprint: try f.hex("fingerprint"))
        case .tlsa:
            return .tlsa(usage: try f.number("usage"), selector: try f.number("selector"),
                         matchingType: try f.number("matching type"), data: try f.hex("certificate data"))
        case .svcb:
            return .svcb(try SVCB(fields: &f))
        case .https:
            return .https(try SVCB(fields: &f))
        default:
            throw PresentationError("no text format is known for this type; use the RFC 3597 form '\\# length hex'")
        }
    }

    /// The type's own syntax; nil for types that have none here.
    private var typedPresentation: String? {
        switch self {
        case .a(let address): address.presentation
        case .aaaa(let address): address.presentation
        case .ns(let name), .cname(let name), .ptr(let name): name.description
        case .soa(let s): "\(s.mname) \(s.rname) \(s.serial) \(s.refresh) \(s.retry) \(s.expire) \(s.minimum)"
        case .mx(let preference, let exchange): "\(preference) \(exchange)"
        case .txt(let strings), .spf(let strings): strings.map(quoted).joined(separator: " ")
        case .srv(let priority, let weight, let port, let target): "\(priority) \(weight) \(port) \(target)"
        case .caa(let flags, let tag, let value): "\(flags) \(String(decoding: tag, as: UTF8.self)) \(quoted(value))"
        case .naptr(let order, let preference, let flags, let services, let regexp, let replacement):
            "\(order) \(preference) \(quoted(flags)) \(quoted(services)) \(quoted(regexp)) \(replacement)"
        case .ds(let keyTag, let algorithm, let digestType, let digest): "\(keyTag) \(algorithm) \(digestType) \(hex(digest))"
        case .sshfp(let algorithm, let fpType, let fingerprint): "\(algorithm) \(fpType) \(hex(fingerprint))"
        case .tlsa(let usage, let selector, let matching, let data): "\(usage) \(selector) \(matching) \(hex(data))"
        case .svcb(let s), .https(let s): s.presentation
        case .unknown: nil
        }
    }
}
