/// Decimal numbers as text, parsed from bytes.
enum DecimalText {
    /// Exact powers of ten as `Double` (10^22 is the last one that is exact).
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// The value of `[+-]digits[.digits][(e|E)[+-]digits]`, or nil. Up to 15
    /// significant digits without an exponent take the fast, correctly rounded
    /// path (an exact integer divided by an exact power of ten); anything else
    /// goes through the standard library's parser.
    static func value(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0, mantissa: Int64 = 0, significant = 0, fractionDigits = 0, sawDigit = false, sawPoint = false
        let negative = i < text.count && text[i] == UInt8(ascii: "-")
        if i < text.count && (text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+")) { i += 1 }
        while i < text.count {
            let byte = text[i]
            if byte &- 0x30 < 10 {
                sawDigit = true
                if mantissa != 0 || byte != 0x30 { significant += 1 }
                mantissa = mantissa &* 10 &+ Int64(byte &- 0x30)
                if sawPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        if i == text.count && significant <= 15 && fractionDigits <= 22 {
            let magnitude = Double(mantissa) / powersOfTen[fractionDigits]
            return negative ? -magnitude : magnitude
        }
        guard text.allSatisfy({ $0 &- 0x30 < 10 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
                                || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") })
        else { return nil }
        return Double(String(decoding: text, as: UTF8.self))
    }
}
