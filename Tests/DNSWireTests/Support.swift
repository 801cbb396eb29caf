import DNSWire

/// A name from presentation text; traps on bad input (test-only).
func name(_ text: String) -> DomainName { try! DomainName(parsing: text) }

/// Bytes from hex text; spaces and newlines are ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { $0.isHexDigit })
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// Reads one name from `bytes` at `offset`, returning it and where reading stopped.
func readName(_ bytes: [UInt8], at offset: Int, allowCompression: Bool = true) throws(DNSError) -> (DomainName, Int) {
    var result: Result<(DomainName, Int), DNSError>!
    bytes.withUnsafeBytes { raw in
        var reader = WireReader(raw, offset: offset)
        do throws(DNSError) {
            let name = try reader.name(allowCompression: allowCompression)
            result = .success((name, reader.offset))
        } catch {
            result = .failure(error)
        }
    }
    return try result.get()
}

/// Decodes RDATA of `type` spanning all of `bytes`.
func decodeRData(_ bytes: [UInt8], type: RRType) throws(DNSError) -> RData {
    var result: Result<RData, DNSError>!
    bytes.withUnsafeBytes { raw in
        var reader = WireReader(raw)
        result = Result { () throws(DNSError) in try RData.decode(type: type, length: raw.count, from: &reader) }
    }
    return try result.get()
}

/// A wire header: id, flags and the four section counts.
func header(id: UInt16 = 0x1234, flags: UInt16 = 0x0100, qd: UInt16 = 1, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0) -> [UInt8] {
    [id, flags, qd, an, ns, ar].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
}

/// An OPT record in wire form with the given RDATA (options).
func optRecord(payload: UInt16 = 1232, extendedRCode: UInt8 = 0, version: UInt8 = 0, flags: UInt16 = 0, options: [UInt8] = []) -> [UInt8] {
    [0, 0, 41, UInt8(payload >> 8), UInt8(payload & 0xFF), extendedRCode, version, UInt8(flags >> 8), UInt8(flags & 0xFF),
     UInt8(options.count >> 8), UInt8(options.count & 0xFF)] + options
}

/// One EDNS option in wire form.
func ednsOption(code: UInt16, _ data: [UInt8]) -> [UInt8] {
    [UInt8(code >> 8), UInt8(code & 0xFF), UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
}

/// The question `www.example.com. IN A` in wire form.
let wwwExampleQuestion: [UInt8] = [3] + Array("www".utf8) + [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1]
