/// Route 53's health check types that Nearcast runs. CLOUDWATCH_METRIC and
/// RECOVERY_CONTROL need AWS services and are refused with InvalidInput.
public enum HealthCheckType: String, Codable, Hashable, Sendable, CaseIterable {
    case http = "HTTP", https = "HTTPS", httpStrMatch = "HTTP_STR_MATCH", httpsStrMatch = "HTTPS_STR_MATCH"
    case tcp = "TCP", calculated = "CALCULATED"

    /// True for the types that speak TLS.
    public var usesTLS: Bool { self == .https || self == .httpsStrMatch }
    /// True for the types that search the response body for `SearchString`.
    public var matchesString: Bool { self == .httpStrMatch || self == .httpsStrMatch }
    /// True for the types that send an HTTP request.
    public var usesHTTP: Bool { self != .tcp && self != .calculated }
}

/// Route 53's HealthCheckConfig with its defaults applied.
///
/// Invariants (established by the API's validation): `requestInterval` is
/// 10 or 30; `failureThreshold` is 1...10; endpoint types have a port and
/// an `ipAddress` or `fullyQualifiedDomainName`; string-match types have a
/// `searchString`; CALCULATED has `healthThreshold` and no endpoint.
public struct HealthCheckConfig: Codable, Hashable, Sendable {
    public var type: HealthCheckType
    public var ipAddress: String?
    public var port: Int?
    public var resourcePath: String?
    public var fullyQualifiedDomainName: String?
    public var searchString: String?
    public var requestInterval: Int
    public var failureThreshold: Int
    public var measureLatency: Bool
    public var inverted: Bool
    public var disabled: Bool
    public var healthThreshold: Int?
    public var childHealthChecks: [String]
    public var enableSNI: Bool?
    /// Route 53 checker regions the user asked for; Nearcast's observers are
    /// its nodes, so this is stored and echoed only.
    public var regions: [String]

    public init(type: HealthCheckType, ipAddress: String? = nil, port: Int? = nil, resourcePath: String? = nil,
                fullyQualifiedDomainName: String? = nil, searchString: String? = nil, requestInterval: Int = 30,
                failureThreshold: Int = 3, measureLatency: Bool = false, inverted: Bool = false, disabled: Bool = false,
                healthThreshold: Int? = nil, childHealthChecks: [String] = [], enableSNI: Bool? = nil,
                regions: [String] = []) {
        self.type = type; self.ipAddress = ipAddress; self.port = port; self.resourcePath = resourcePath
        self.fullyQualifiedDomainName = fullyQualifiedDomainName; self.searchString = searchString
        self.requestInterval = requestInterval; self.failureThreshold = failureThreshold
        self.measureLatency = measureLatency; self.inverted = inverted; self.disabled = disabled
        self.healthThreshold = healthThreshold; self.childHealthChecks = childHealthChecks
        self.enableSNI = enableSNI; self.regions = regions
    }
}

/// A health check as the API stores it.
///
/// Invariants: `id` is unique (a UUID, as Route 53's are); `version` starts
/// at 1 and rises by one per UpdateHealthCheck.
public struct HealthCheck: Codable, Hashable, Sendable {
    public var id: String
    public var callerReference: String
    public var config: HealthCheckConfig
    public var version: Int64
    public init(id: String, callerReference: String, config: HealthCheckConfig, version: Int64 = 1) {
        self.id = id; self.callerReference = callerReference; self.config = config; self.version = version
    }
}

/// One observer's latest view of one health check: the result of its last
/// request and its status after FailureThreshold.
public struct HealthObservation: Codable, Hashable, Sendable {
    public var checkID: String
    /// The node that observed (shown as the checker's Region and IPAddress).
    public var observer: String
    public var observerAddress: String
    /// The observer's status: flips only after FailureThreshold consecutive
    /// results that disagree with it.
    public var healthy: Bool
    /// Route 53's status text for the last request, e.g.
    /// "Success: HTTP Status Code 200, OK".
    public var report: String
    /// Milliseconds since 1970.
    public var checkedAt: Int64
    /// The status text and time of this observer's latest failed request,
    /// kept after later successes (GetHealthCheckLastFailureReason).
    public var lastFailure: (report: String, checkedAt: Int64)? {
        get { lastFailureReport.map { ($0, lastFailureAt ?? checkedAt) } }
        set { lastFailureReport = newValue?.report; lastFailureAt = newValue?.checkedAt }
    }
    private var lastFailureReport: String?
    private var lastFailureAt: Int64?

    public init(checkID: String, observer: String, observerAddress: String, healthy: Bool, report: String, checkedAt: Int64,
                lastFailure: (report: String, checkedAt: Int64)? = nil) {
        self.checkID = checkID; self.observer = observer; self.observerAddress = observerAddress
        self.healthy = healthy; self.report = report; self.checkedAt = checkedAt
        self.lastFailure = lastFailure
    }
}

extension HealthObservation {
    /// Route 53's rule for an endpoint check: healthy when more than 18% of
    /// the observers consider it healthy. No observations yet is healthy
    /// (a new check starts healthy).
    public static func decide(_ observations: [HealthObservation]) -> Bool {
        guard !observations.isEmpty else { return true }
        let healthy = observations.filter(\.healthy).count
        return Double(healthy) > 0.18 * Double(observations.count)
    }
}
