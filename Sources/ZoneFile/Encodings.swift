// Byte encodings of presentation format: escapes, hex and base64.

/// Decodes RFC 1035 `\X` and `\DDD` escapes.
func unescape(_ text: String) throws(PresentationError) -> [UInt8] {
    let bytes = Array(text.utf8)
    var result: [UInt8] = []
    var i = 0
    while i < bytes.count {
        guard bytes[i] == UInt8(ascii: "\\") else {
            result.append(bytes[i])
            i += 1
            continue
        }
        guard i + 1 < bytes.count else { throw PresentationError("backslash at the end of '\(text)'") }
        guard isASCIIDigit(bytes[i + 1]) else {
            result.append(bytes[i + 1])
            i += 2
            continue
        }
        guard i + 3 < bytes.count, isASCIIDigit(bytes[i + 2]), isASCIIDigit(bytes[i + 3]),
              let value = UInt8(String(decoding: bytes[(i + 1)...(i + 3)], as: UTF8.self)) else {
            throw PresentationError("bad escape in '\(text)' (\\DDD takes three digits, at most 255)")
        }
        result.append(value)
        i += 4
    }
    return result
}

/// `bytes` as a quoted character-string: `"` and `\` get a backslash, and
/// bytes outside printable ASCII become `\DDD`.
func quoted(_ bytes: [UInt8]) -> String {
    var text = "\""
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            text += "\\" + String(UnicodeScalar(byte))
        case 0x20...0x7E:
            text.unicodeScalars.append(UnicodeScalar(byte))
        default:
            let digits = String(byte)
            text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
        }
    }
    return text + "\""
}

/// Uppercase hex, as dig and BIND print it.
func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
}

/// Hex digits in either case, an even number of them; nil otherwise.
func hexBytes(_ text: String) -> [UInt8]? {
    let nibbles = text.utf8.map { byte -> UInt8? in
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
    guard nibbles.count % 2 == 0, !nibbles.contains(nil) else { return nil }
    return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0]! << 4 | nibbles[$0 + 1]! }
}

private let base64Digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

/// Standard base64 (RFC 4648 §4) with padding.
func base64(_ bytes: [UInt8]) -> String {
    var text: [UInt8] = []
    for start in stride(from: 0, to: bytes.count, by: 3) {
        let chunk = bytes[start..<Swift.min(start + 3, bytes.count)]
        let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
        for i in 0..<4 {
            text.append(i <= chunk.count ? base64Digits[Int(value >> (18 - 6 * i) & 0x3F)] : UInt8(ascii: "="))
        }
    }
    return String(decoding: text, as: UTF8.self)
}

/// Decodes standard padded base64; nil for anything else, including
/// misplaced padding and stray bits in the last digit (the round trip
/// through `base64` catches both).
func base64Bytes(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 4 == 0 else { return nil }
    let padding = chars.reversed().prefix { $0 == UInt8(ascii: "=") }.count
    guard padding <= 2 else { return nil }
    var result: [UInt8] = []
    for start in stride(from: 0, to: chars.count, by: 4) {
        var value: UInt32 = 0
        for char in chars[start..<(start + 4)] {
            let digit = char == UInt8(ascii: "=") ? 0 : base64Digits.firstIndex(of: char)
            guard let digit else { return nil }
            value = value << 6 | UInt32(digit)
        }
        result += [UInt8(value >> 16), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    result.removeLast(padding)
    return base64(result) == text ? result : nil
}

func isASCIIDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
