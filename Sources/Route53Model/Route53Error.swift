/// An error as Route 53 reports it: a code, an HTTP status and messages.
///
/// `InvalidChangeBatch` errors may carry several messages (one per problem
/// in the batch); every other error carries one.
public struct Route53Error: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var status: Int
    public var messages: [String]

    public init(_ code: String, status: Int = 400, _ messages: [String]) {
        self.code = code; self.status = status; self.messages = messages
    }

    public init(_ code: String, status: Int = 400, _ message: String) {
        self.init(code, status: status, [message])
    }

    public var description: String { "\(code): \(messages.joined(separator: "; "))" }

    public static func invalidInput(_ message: String) -> Route53Error { Route53Error("InvalidInput", message) }
    public static func invalidChangeBatch(_ messages: [String]) -> Route53Error { Route53Error("InvalidChangeBatch", messages) }
    public static func noSuchHostedZone(_ id: String) -> Route53Error {
        Route53Error("NoSuchHostedZone", status: 404, "No hosted zone found with ID: \(id)")
    }
    public static func noSuchChange(_ id: String) -> Route53Error {
        Route53Error("NoSuchChange", status: 404, "Could not find resource with ID: \(id)")
    }
}
