/// What one probe of one target by one method gave.
public enum ProbeOutcome: Sendable, Equatable {
    /// A round trip, measured on the monotonic clock.
    case rtt(Duration)
    /// No answer within the timeout: no measurement (never reported as a huge RTT).
    case timeout
    /// The probe could not be made or was refused; the text says why (e.g. "connection refused").
    case failed(String)

    /// The round trip, if there was one.
    public var roundTrip: Duration? {
        if case .rtt(let duration) = self { duration } else { nil }
    }
}

/// How a target is measured.
public enum ProbeMethod: String, Sendable, CaseIterable, Comparable {
    case tcp, dns, icmp

    public static func < (a: ProbeMethod, b: ProbeMethod) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }

    /// Parses `tcp,dns,icmp` (any subset, any order, no repeats); nil with a message naming the bad entry.
    public static func parseList(_ text: String) -> Result<[ProbeMethod], ProbeOptionError> {
        var methods: [ProbeMethod] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingWhitespace.lowercased()
            guard let method = ProbeMethod(rawValue: name) else {
                return .failure(ProbeOptionError("unknown probe method '\(name)' (use tcp, dns, icmp)"))
            }
            guard !methods.contains(method) else { return .failure(ProbeOptionError("probe method '\(name)' given twice")) }
            methods.append(method)
        }
        return methods.isEmpty ? .failure(ProbeOptionError("no probe methods given")) : .success(methods.sorted())
    }
}

/// A bad command-line value, with a message for the user.
public struct ProbeOptionError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
