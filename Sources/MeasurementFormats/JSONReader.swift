import LatencyLearning
import LatencyModel

/// Reads `{"measurements": [ {"time": …, "client": …, "region": …, "rtt_ms": …, "source": …}, … ]}`.
/// Other top-level keys are skipped; a syntax error fails the document, a bad
/// item is rejected with its index and line.
struct JSONReader {
    let rules: RowRules
    let defaultSource: Measurement.Source
    let maxRows: Int

    func read(_ document: UnsafeBufferPointer<UInt8>) throws(MeasurementDocumentError) -> ParsedMeasurements {
        var copy = Array(document)
        return try copy.withUnsafeMutableBufferPointer { (bytes) throws(MeasurementDocumentError) in
            var scanner = JSONScanner(bytes)
            do {
                return try read(&scanner)
            } catch let error as JSONSyntaxError {
                throw .badJSON(line: error.line, reason: error.reason)
            } catch let error as MeasurementDocumentError {
                throw error
            } catch {
                throw .badJSON(line: scanner.line, reason: "\(error)")
            }
        }
    }

    private func read(_ scanner: inout JSONScanner) throws -> ParsedMeasurements {
        var result: ParsedMeasurements?
        try scanner.expect(UInt8(ascii: "{"), "an object {\"measurements\": [...]}")
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try scanner.string()
                try scanner.expect(UInt8(ascii: ":"), "':'")
                if key.elementsEqual("measurements".utf8) {
                    guard result == nil else { throw scanner.error("'measurements' appears twice") }
                    result = try items(&scanner)
                } else {
                    try scanner.skipValue()
                }
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
        }
        guard scanner.peek() == nil else { throw scanner.error("expected the end of the document after the object") }
        guard let result else { throw MeasurementDocumentError.badJSON(line: 1, reason: "the object has no \"measurements\" array") }
        return result
    }

    private func items(_ scanner: inout JSONScanner) throws -> ParsedMeasurements {
        var result = ParsedMeasurements(accepted: [], rejected: [])
        try scanner.expect(UInt8(ascii: "["), "an array of measurements")
        if scanner.consume(UInt8(ascii: "]")) { return result }
        var index = 0
        repeat {
            guard index < maxRows else { throw MeasurementDocumentError.tooManyRows(limit: maxRows) }
            _ = scanner.peek()
            let line = scanner.line
            do {
                result.accepted.append(try item(&scanner))
            } catch let error as RowError {
                result.rejected.append(RejectedRow(line: line, item: index, reason: error.reason))
            }
            index += 1
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
        return result
    }

    /// One item; throws `RowError` for a bad item (having read past it) and
    /// `JSONSyntaxError` for bad JSON.
    private func item(_ scanner: inout JSONScanner) throws -> Measurement {
        guard scanner.peek() == UInt8(ascii: "{") else {
            try scanner.skipValue()
            throw RowError(reason: "a measurement must be an object")
        }
        _ = scanner.consume(UInt8(ascii: "{"))
        var fields = ItemFields()
        var problem: RowError?
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try scanner.string()
                try scanner.expect(UInt8(ascii: ":"), "':'")
                do {
                    try fields.read(key, from: &scanner)
                } catch let error as RowError {
                    problem = problem ?? error
                }
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
        }
        if let problem { throw problem }
        return try fields.measurement(rules: rules, defaultSource: defaultSource)
    }
}

/// The fields of one JSON item, as read.
private struct ItemFields {
    var time: (text: UnsafeBufferPointer<UInt8>, isNumber: Bool)?
    var client: UnsafeBufferPointer<UInt8>?
    var region: UnsafeBufferPointer<UInt8>?
    var rtt: UnsafeBufferPointer<UInt8>?
    var source: UnsafeBufferPointer<UInt8>?

    /// Reads the value of `key`; throws `RowError` for an unknown or repeated
    /// key or a value of the wrong type (after reading past it), and
    /// `JSONSyntaxError` for bad JSON.
    mutating func read(_ key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        let kind = scanner.nextKind()
        let name = Column(rawValue: String(decoding: key, as: UTF8.self))
        let seen: Bool = switch name {
        case .time: time != nil
        case .client: client != nil
        case .region: region != nil
        case .rtt: rtt != nil
        case .source: source != nil
        case nil: false
        }
        guard let name, !seen else {
            try scanner.skipValue()
            throw RowError(reason: name == nil ? "unknown field \(RowRules.quoted(key))" : "field '\(name?.rawValue ?? "")' appears twice")
        }
        let wanted: JSONScanner.ValueKind = name == .rtt ? .number : .string
        guard kind == wanted || (name == .time && kind == .number) else {
            try scanner.skipValue()
            throw RowError(reason: name == .time ? "'time' must be a string (RFC 3339) or a number (Unix seconds)"
                                                 : "'\(name.rawValue)' must be a \(wanted == .number ? "number" : "string")")
        }
        let text = kind == .number ? try scanner.number() : try scanner.string()
        switch name {
        case .time: time = (text, kind == .number)
        case .client: client = text
        case .region: region = text
        case .rtt: rtt = text
        case .source: source = text
        }
    }

    func measurement(rules: RowRules, defaultSource: Measurement.Source) throws(RowError) -> Measurement {
        guard let time else { throw RowError(reason: "missing 'time'") }
        guard let client else { throw RowError(reason: "missing 'client'") }
        guard let region else { throw RowError(reason: "missing 'region'") }
        guard let rtt else { throw RowError(reason: "missing 'rtt_ms'") }
        return Measurement(timeMs: try time.isNumber ? rules.unixTime(time.text) : rules.time(time.text),
                           client: try rules.client(client), region: try rules.region(region), rttMs: try rules.rtt(rtt),
                           source: try rules.source(source ?? UnsafeBufferPointer(start: nil, count: 0), default: defaultSource))
    }
}
