#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the measurement log, naming the file.
public struct MeasurementLogError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String

    public var description: String { "\(path): \(message)" }

    /// The failed system call and `errno`'s text.
    static func system(_ call: String, _ path: String) -> MeasurementLogError {
        MeasurementLogError(path: path, message: "\(call) failed: \(String(cString: strerror(errno)))")
    }
}
