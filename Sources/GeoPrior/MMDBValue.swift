/// A value from a MaxMind DB data section, one case per data type of the
/// format (pointers are followed while decoding; the data cache container and
/// the end marker never appear as values).
public enum MMDBValue: Hashable, Sendable {
    case string(String)
    case double(Double)
    case bytes([UInt8])
    case uint16(UInt16)
    case uint32(UInt32)
    case map([String: MMDBValue])
    case int32(Int32)
    case uint64(UInt64)
    case uint128(UInt128)
    case array([MMDBValue])
    case bool(Bool)
    case float(Float)

    /// The value under `key` of a map; nil for a missing key or a non-map.
    public subscript(key: String) -> MMDBValue? {
        if case .map(let entries) = self { entries[key] } else { nil }
    }

    /// The text of a string.
    public var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// Any numeric value as a Double (128-bit integers may round).
    public var number: Double? {
        switch self {
        case .double(let v): v
        case .float(let v): Double(v)
        case .uint16(let v): Double(v)
        case .uint32(let v): Double(v)
        case .int32(let v): Double(v)
        case .uint64(let v): Double(v)
        case .uint128(let v): Double(v)
        default: nil
        }
    }
}
