import DNSWire

/// SvcParamKey names (RFC 9460 §14.3.2), indexed by key number.
private let svcParamNames = ["mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint"]

/// A key's name, or `keyNNNNN` for keys without one.
private func svcParamName(_ key: UInt16) -> String {
    Int(key) < svcParamNames.count ? svcParamNames[Int(key)] : "key\(key)"
}

extension SVCB {
    /// Parses `SvcPriority TargetName SvcParam...` (RFC 9460 §2.1).
    ///
    /// Named keys take their own value syntax. `keyNNNNN` takes an opaque,
    /// optionally quoted value for any key number, so every parameter has a
    /// text form. Keys end up sorted; values over 65535 bytes, duplicates and
    /// self-inconsistent sets (§8: mandatory keys present, no-default-alpn
    /// only with alpn) throw.
    init(fields f: inout FieldReader) throws(PresentationError) {
        let priority: UInt16 = try f.number("priority")
        let target = try f.name("target")
        var params: [Param] = []
        while !f.isAtEnd { params.append(try Self.param(f.next("parameter").text)) }
        params.sort { $0.key < $1.key }
        for param in params where param.value.count > Int(UInt16.max) {
            throw PresentationError("\(svcParamName(param.key)) value is \(param.value.count) bytes, above the limit of 65535")
        }
        for (a, b) in zip(params, params.dropFirst()) where a.key == b.key {
            throw PresentationError("duplicate parameter '\(svcParamName(a.key))'")
        }
        let keys = Set(params.map(\.key))
        let mandatory = params.first { $0.key == 0 }.flatMap { Self.keyList($0.value) } ?? []
        for key in mandatory where !keys.contains(key) {
            throw PresentationError("mandatory lists '\(svcParamName(key))', which is not present")
        }
        if keys.contains(2), !keys.contains(1) { throw PresentationError("no-default-alpn needs alpn") }
        self.init(priority: priority, target: target, params: params)
    }

    /// Parses one `key` or `key=value` field; the value's escapes are still raw.
    private static func param(_ text: String) throws(PresentationError) -> Param {
        let name = String(text.prefix { $0 != "=" })
        let value = name.count == text.count ? nil : try unescape(String(text.dropFirst(name.count + 1)))
        if let index = svcParamNames.firstIndex(of: name) {
            let key = UInt16(index)
            if key == 2 {
                guard value?.isEmpty ?? true else { throw PresentationError("no-default-alpn takes no value") }
                return Param(key: key, value: [])
            }
            guard let value, !value.isEmpty else { throw PresentationError("missing value for \(name)") }
            return Param(key: key, value: try namedValue(key, value))
        }
        return Param(key: try key(named: name), value: value ?? [])
    }

    /// A key by name or as `keyNNNNN` (decimal without leading zeros, not 65535).
    private static func key(named name: String) throws(PresentationError) -> UInt16 {
        if let index = svcParamNames.firstIndex(of: name) { return UInt16(index) }
        let digits = name.dropFirst(3)
        guard name.hasPrefix("key"), !digits.isEmpty, digits.utf8.allSatisfy(isASCIIDigit),
              digits == "0" || digits.first != "0", let key = UInt16(digits), key != 65535 else {
            throw PresentationError("unknown parameter '\(name)'")
        }
        return key
    }

    /// The wire value of a named key (other than no-default-alpn) from its
    /// unescaped, non-empty text.
    private static func namedValue(_ key: UInt16, _ value: [UInt8]) throws(PresentationError) -> [UInt8] {
        let text = String(decoding: value, as: UTF8.self)
        /// The comma-separated items of a list value; none may be empty.
        func items() throws(PresentationError) -> [String] {
            let items = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if items.contains("") { throw PresentationError("empty item in \(svcParamName(key)) list '\(text)'") }
            return items
        }
        var wire: [UInt8] = []
        switch key {
        case 0:
            var keys: [UInt16] = []
            for item in try items() { keys.append(try self.key(named: item)) }
            keys.sort()
            if keys.contains(0) { throw PresentationError("mandatory must not list itself") }
            for (a, b) in zip(keys, keys.dropFirst()) where a == b {
                throw PresentationError("mandatory lists '\(svcParamName(a))' twice")
            }
            for key in keys { wire += [UInt8(key >> 8), UInt8(key & 0xFF)] }
        case 1:
            for id in try alpnIDs(value) {
                guard (1...255).contains(id.count) else { throw PresentationError("bad alpn list '\(text)'") }
                wire += [UInt8(id.count)] + id
            }
        case 3:
            let port: UInt16 = try parseNumber(text, "port")
            wire = [UInt8(port >> 8), UInt8(port & 0xFF)]
        case 4:
            for item in try items() {
                guard let address = IPv4Bytes(parsing: item) else { throw PresentationError("bad IPv4 address '\(item)'") }
                wire += address.array
            }
        case 5:
            guard let config = base64Bytes(text) else { throw PresentationError("bad base64 in ech '\(text)'") }
            wire = config
        default:
            for item in try items() {
                guard let address = IPv6Bytes(parsing: item) else { throw PresentationError("bad IPv6 address '\(item)'") }
                wire += address.array
            }
        }
        return wire
    }

    /// Splits an alpn value at commas; `\,` and `\\` stand for a literal
    /// comma and backslash (RFC 9460 Appendix A.1).
    private static func alpnIDs(_ value: [UInt8]) throws(PresentationError) -> [[UInt8]] {
        var ids: [[UInt8]] = [[]]
        var escaped = false
        for byte in value {
            if escaped {
                ids[ids.count - 1].append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: ",") {
                ids.append([])
            } else {
                ids[ids.count - 1].append(byte)
            }
        }
        if escaped { throw PresentationError("alpn value ends with a backslash") }
        return ids
    }

    /// Big-endian 16-bit keys; nil when the length is odd.
    private static func keyList(_ value: [UInt8]) -> [UInt16]? {
        guard value.count % 2 == 0 else { return nil }
        return stride(from: 0, to: value.count, by: 2).map { UInt16(value[$0]) << 8 | UInt16(value[$0 + 1]) }
    }

    /// Priority, target and parameters in presentation format.
    var presentation: String {
        ([String(priority), target.description] + params.map(Self.presentation)).joined(separator: " ")
    }

    private static func presentation(_ param: Param) -> String {
        namedPresentation(param) ?? "key\(param.key)" + (param.value.isEmpty ? "" : "=" + quoted(param.value))
    }

    /// The named form of a parameter; nil for unnamed keys and for values
    /// that do not fit their key's syntax.
    private static func namedPresentation(_ param: Param) -> String? {
        let value = param.value
        let name = svcParamName(param.key)
        func chunks(_ size: Int) -> [[UInt8]]? {
            guard !value.isEmpty, value.count % size == 0 else { return nil }
            return stride(from: 0, to: value.count, by: size).map { Array(value[$0..<($0 + size)]) }
        }
        switch param.key {
        case 0:
            guard let keys = keyList(value), !keys.isEmpty else { return nil }
            return name + "=" + keys.map(svcParamName).joined(separator: ",")
        case 1:
            var ids: [[UInt8]] = []
            var rest = value[...]
            while let length = rest.first.map(Int.init), length > 0, rest.count > length {
                ids.append(rest.dropFirst().prefix(length).flatMap { byte in
                    byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\\") ? [UInt8(ascii: "\\"), byte] : [byte]
                })
                rest = rest.dropFirst(length + 1)
            }
            guard rest.isEmpty, !ids.isEmpty else { return nil }
            return name + "=" + quoted(Array(ids.joined(separator: [UInt8(ascii: ",")])))
        case 2:
            return value.isEmpty ? name : nil
        case 3:
            guard value.count == 2 else { return nil }
            return name + "=\(UInt16(value[0]) << 8 | UInt16(value[1]))"
        case 4:
            return chunks(4).map { name + "=" + $0.map { IPv4Bytes($0).presentation }.joined(separator: ",") }
        case 5:
            return value.isEmpty ? nil : name + "=" + base64(value)
        case 6:
            return chunks(16).map { name + "=" + $0.map { IPv6Bytes($0).presentation }.joined(separator: ",") }
        default:
            return nil
        }
    }
}
