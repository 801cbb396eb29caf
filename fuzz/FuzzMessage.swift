// libFuzzer target for the DNS message parser (Sources/DNSWire).
//
// For every input that `Message.parse` accepts it checks:
//   1. encode → parse succeeds and gives back an equal message (with the
//      same hash); EDNS options other than ECS are dropped first, since
//      `EDNS.encode` writes only ECS by design;
//   2. encoding is a fixpoint: encoding the re-parsed message gives the
//      same bytes up to ASCII case (compression may change a name's case);
//   3. every domain name in the message survives description → parsing
//      byte for byte, and keeps the DomainName invariants;
//   4. every record's `uncompressedWire` decodes back to the same RDATA;
//   5. the in-place query reader `Query(parsing:)` (the allocation-free
//      responder's parser) accepts only what `Message.parse` accepts, and
//      reads the same question, EDNS and client subnet.
// Any violation calls `fatalError`, which libFuzzer reports as a crash.
//
// Built by fuzz/run.sh; uses only DNSWire's public API.

import DNSWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    let query = Query(parsing: input)
    let first: Message
    do { first = try Message.parse(input) } catch {
        check(query == nil, "Query(parsing:) accepts what Message.parse rejects (\(error)): \(hex(input))")
        return 0
    }
    if let query { checkQuery(query, against: first, input: input) }

    for name in names(in: first) { checkName(name) }
    for record in first.answers + first.authority + first.additional { checkUncompressedWire(record.data) }

    let encoded = first.encode()
    let second: Message
    do {
        second = try Message.parse(encoded)
    } catch {
        fail("the encoding of a parsed message does not parse: \(error)\n input:   \(hex(input))\n encoded: \(hex(encoded))")
    }

    var expected = first
    if let e = first.edns {
        expected.edns = EDNS(udpPayloadSize: e.udpPayloadSize, extendedRCode: e.extendedRCode, version: e.version,
                             dnssecOK: e.dnssecOK, clientSubnet: e.clientSubnet)
    }
    check(second == expected,
          "parse → encode → parse changed the message\n input:   \(hex(input))\n encoded: \(hex(encoded))\n first:  \(expected)\n second: \(second)")
    check(second.hashValue == expected.hashValue, "equal messages hash differently\n input: \(hex(input))")

    let reencoded = second.encode()
    check(reencoded.map(lower) == encoded.map(lower),
          "encoding is not a fixpoint\n input:     \(hex(input))\n encoded:   \(hex(encoded))\n reencoded: \(hex(reencoded))")
    return 0
}

/// Every domain name the message holds, in questions, owners and RDATA.
func names(in message: Message) -> [DomainName] {
    var result = message.questions.map(\.name)
    for record in message.answers + message.authority + message.additional {
        result.append(record.name)
        switch record.data {
        case .ns(let n), .cname(let n), .ptr(let n): result.append(n)
        case .mx(_, let n): result.append(n)
        case .srv(_, _, _, let n): result.append(n)
        case .naptr(_, _, _, _, _, let n): result.append(n)
        case .soa(let soa): result.append(soa.mname); result.append(soa.rname)
        case .svcb(let s), .https(let s): result.append(s.target)
        default: break
        }
    }
    return result
}

func checkName(_ name: DomainName) {
    let wire = name.wire
    check(!wire.isEmpty && wire.count <= DomainName.maxWireLength && wire.last == 0,
          "name wire breaks the invariants: \(hex(wire))")
    let labels = name.labels
    check(labels.count == name.labelCount, "labels/labelCount disagree for \(hex(wire))")
    check(labels.allSatisfy { (1...DomainName.maxLabelLength).contains($0.count) }, "bad label length in \(hex(wire))")
    check(labels.reduce(1) { $0 + $1.count + 1 } == wire.count, "labels do not cover the wire of \(hex(wire))")
    check(name.isRoot == labels.isEmpty, "isRoot wrong for \(hex(wire))")

    let text = name.description
    let reparsed: DomainName
    do {
        reparsed = try DomainName(parsing: text)
    } catch {
        fail("DomainName(parsing: \"\(text)\") throws \(error) for wire \(hex(wire))")
    }
    check(reparsed == name && reparsed.wire == wire,
          "description → parsing changed the name: \"\(text)\" wire \(hex(wire)) became \(hex(reparsed.wire))")

    do {
        check(try DomainName(labels: labels).wire == wire, "DomainName(labels:) changed \(hex(wire))")
    } catch {
        fail("DomainName(labels:) throws \(error) for \(hex(wire))")
    }
    check(name.lowercased == name && name.lowercased.hashValue == name.hashValue, "lowercasing changed equality of \(hex(wire))")
    check(name.isSubdomain(of: name.parent) && name.isSubdomain(of: .root), "subdomain checks fail for \(hex(wire))")
}

/// The in-place reader must see what the general parser sees.
func checkQuery(_ query: Query, against message: Message, input: UnsafeRawBufferPointer) {
    let question = Question(name: query.name.domainName, type: query.type, rrclass: query.rrclass)
    check(message.questions == [question] && query.name.domainName.wire == message.questions[0].name.wire
          && message.header == query.header && message.answers.isEmpty && message.authority.isEmpty && message.additional.isEmpty,
          "Query(parsing:) reads a different header or question: \(hex(input))")
    check((query.edns == nil) == (message.edns == nil), "Query(parsing:) disagrees on EDNS presence: \(hex(input))")
    guard let edns = query.edns, let expected = message.edns else { return }
    check(edns.udpPayloadSize == expected.udpPayloadSize && edns.version == expected.version && edns.dnssecOK == expected.dnssecOK,
          "Query(parsing:) reads different OPT fields: \(hex(input))")
    let subnet = edns.clientSubnet.map {
        [UInt8($0.family >> 8), UInt8($0.family & 0xFF), $0.sourcePrefix, $0.scopePrefix] + Array($0.address)
    }
    let expectedSubnet = expected.clientSubnet.map {
        [UInt8($0.family >> 8), UInt8($0.family & 0xFF), $0.sourcePrefix, $0.scopePrefix] + $0.address
    }
    check(subnet == expectedSubnet, "Query(parsing:) reads a different client subnet: \(hex(input))")
}

func checkUncompressedWire(_ data: RData) {
    let wire = data.uncompressedWire
    let decoded: RData
    do {
        decoded = try wire.withUnsafeBytes { raw throws(DNSError) in
            var reader = WireReader(raw)
            return try RData.decode(type: data.type, length: raw.count, from: &reader)
        }
    } catch {
        fail("uncompressedWire of \(data.type) does not decode: \(error)\n rdata: \(hex(wire))")
    }
    check(decoded == data, "uncompressedWire of \(data.type) decodes to different RDATA\n rdata: \(hex(wire))")
}

@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

/// `fatalError` keeps its message in optimized builds, unlike `precondition`.
func fail(_ message: String) -> Never {
    fatalError("FuzzMessage: " + message)
}

func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits = Array("0123456789abcdef")
    var text = ""
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0xF)])
    }
    return text
}
