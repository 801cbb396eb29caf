import LatencyModel

/// The HealthCheckConfig elements of a CreateHealthCheck or
/// UpdateHealthCheck request, as sent: nil (or empty) when absent.
public struct HealthCheckFields: Hashable, Sendable {
    public var ipAddress: String?
    public var port: Int64?
    public var resourcePath: String?
    public var fullyQualifiedDomainName: String?
    public var searchString: String?
    public var requestInterval: Int64?
    public var failureThreshold: Int64?
    public var measureLatency: Bool?
    public var inverted: Bool?
    public var disabled: Bool?
    public var healthThreshold: Int64?
    public var childHealthChecks: [String]?
    public var enableSNI: Bool?
    public var regions: [String]?
    /// Elements that only CLOUDWATCH_METRIC and RECOVERY_CONTROL checks take.
    public var alarmIdentifier = false
    public var insufficientDataHealthStatus = false
    public var routingControlArn = false

    public init(ipAddress: String? = nil, port: Int64? = nil, resourcePath: String? = nil,
                fullyQualifiedDomainName: String? = nil, searchString: String? = nil, requestInterval: Int64? = nil,
                failureThreshold: Int64? = nil, measureLatency: Bool? = nil, inverted: Bool? = nil,
                disabled: Bool? = nil, healthThreshold: Int64? = nil, childHealthChecks: [String]? = nil,
                enableSNI: Bool? = nil, regions: [String]? = nil) {
        self.ipAddress = ipAddress; self.port = port; self.resourcePath = resourcePath
        self.fullyQualifiedDomainName = fullyQualifiedDomainName; self.searchString = searchString
        self.requestInterval = requestInterval; self.failureThreshold = failureThreshold
        self.measureLatency = measureLatency; self.inverted = inverted; self.disabled = disabled
        self.healthThreshold = healthThreshold; self.childHealthChecks = childHealthChecks
        self.enableSNI = enableSNI; self.regions = regions
    }
}

/// UpdateHealthCheck's ResetElements values.
public enum HealthCheckResettableElement: String, CaseIterable, Sendable {
    case fullyQualifiedDomainName = "FullyQualifiedDomainName", regions = "Regions"
    case resourcePath = "ResourcePath", childHealthChecks = "ChildHealthChecks"
}

/// Route 53's health checker regions (botocore's HealthCheckRegion enum).
public enum HealthCheckRegion: String, CaseIterable, Sendable {
    case usEast1 = "us-east-1", usWest1 = "us-west-1", usWest2 = "us-west-2", euWest1 = "eu-west-1"
    case apSoutheast1 = "ap-southeast-1", apSoutheast2 = "ap-southeast-2", apNortheast1 = "ap-northeast-1"
    case saEast1 = "sa-east-1"
}

/// Route 53's rules for health check configurations, and its defaults.
///
/// Unlike Route 53, addresses in private, loopback, link-local and other
/// special ranges are allowed unless `restrictPrivateAddresses` is set:
/// Nearcast's checkers run next to the user's services.
public enum HealthCheckValidation {
    /// CreateHealthCheck: the config with Route 53's defaults applied.
    public static func create(callerReference: String, type: HealthCheckType, _ fields: HealthCheckFields,
                              restrictPrivateAddresses: Bool) throws(Route53Error) -> HealthCheckConfig {
        var constraints = Constraints()
        constraints.length(callerReference, at: "callerReference", 1...64)
        try constraints.check(fields, at: "healthCheckConfig.")
        return try config(type, fields, restrictPrivateAddresses: restrictPrivateAddresses)
    }

    /// UpdateHealthCheck: `current` with `fields` set and `reset` cleared.
    /// An IP address can be changed but not added (Route 53's rule).
    public static func update(_ current: HealthCheckConfig, version: Int64?, _ fields: HealthCheckFields,
                              reset: Set<HealthCheckResettableElement>,
                              restrictPrivateAddresses: Bool) throws(Route53Error) -> HealthCheckConfig {
        var constraints = Constraints()
        constraints.range(version, at: "healthCheckVersion", 1...Int64.max)
        try constraints.check(fields, at: "")
        if let both = reset.first(where: fields.sets) {
            throw .invalidInput(HealthCheckMessages.resetAndSet(both))
        }
        if current.ipAddress == nil, fields.ipAddress != nil { throw .invalidInput(HealthCheckMessages.addIPAddress) }
        return try config(current.type, HealthCheckFields(current).merged(with: fields, reset: reset),
                          restrictPrivateAddresses: restrictPrivateAddresses)
    }

    /// InvalidInput for CLOUDWATCH_METRIC and RECOVERY_CONTROL, which need
    /// CloudWatch or Application Recovery Controller.
    public static func refusedType(_ type: String) -> Route53Error {
        .invalidInput("Invalid parameter : Nearcast does not run \(type) health checks (they need AWS services); "
                      + "use HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP or CALCULATED.")
    }

    /// True for addresses in the ranges Route 53 cannot check: RFC 5735
    /// and RFC 6598 (IPv4), RFC 5156 (IPv6) special-use, private, local and
    /// multicast ranges.
    public static func isSpecialUse(_ address: IPAddress) -> Bool {
        specialUse.contains { $0.contains(address) }
    }

    private static let specialUse: [IPPrefix] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/96", "::ffff:0:0/96", "2001:10::/28", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].map { IPPrefix($0)! }

    /// The rules that depend on the type, then the defaults.
    private static func config(_ type: HealthCheckType, _ fields: HealthCheckFields,
                               restrictPrivateAddresses: Bool) throws(Route53Error) -> HealthCheckConfig {
        let kind = HealthCheckMessages.kind(type)
        if let element = HealthCheckElement.allCases.first(where: { !$0.allowed(for: type) && fields.has($0) }) {
            throw .invalidInput(HealthCheckMessages.mustNotHave(type, element))
        }
        var config = HealthCheckConfig(type: type, inverted: fields.inverted ?? false, disabled: fields.disabled ?? false)
        if type == .calculated {
            guard let threshold = fields.healthThreshold else {
                throw .invalidInput(HealthCheckMessages.calculatedNeedsThreshold)
            }
            config.healthThreshold = Int(threshold)
            config.childHealthChecks = fields.childHealthChecks ?? []
            return config
        }
        if let text = fields.ipAddress {
            guard let address = IPAddress(text) else { throw .invalidInput(HealthCheckMessages.badIPAddress(text)) }
            if restrictPrivateAddresses, isSpecialUse(address) {
                throw .invalidInput(HealthCheckMessages.specialUseAddress(text))
            }
        }
        if let name = fields.fullyQualifiedDomainName, !isHostName(name) {
            throw .invalidInput(HealthCheckMessages.badDomainName(name))
        }
        if let path = fields.resourcePath, path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalidInput(HealthCheckMessages.controlCharacters)
        }
        guard fields.ipAddress != nil || fields.fullyQualifiedDomainName != nil else {
            throw .invalidInput(HealthCheckMessages.needsEndpoint(kind))
        }
        if type == .tcp {
            if fields.ipAddress != nil, fields.fullyQualifiedDomainName != nil {
                throw .invalidInput(HealthCheckMessages.tcpAddressAndName)
            }
            guard fields.port != nil else { throw .invalidInput(HealthCheckMessages.tcpNeedsPort) }
        }
        if type.matchesString, fields.searchString == nil { throw .invalidInput(HealthCheckMessages.needsSearchString(kind)) }
        if let interval = fields.requestInterval, interval != 10, interval != 30 {
            throw .invalidInput(HealthCheckMessages.requestInterval(interval))
        }
        config.ipAddress = fields.ipAddress
        // Route 53's console defaults; the API reference states none (inferred).
        config.port = fields.port.map(Int.init) ?? (type.usesTLS ? 443 : 80)
        config.resourcePath = fields.resourcePath
        config.fullyQualifiedDomainName = fields.fullyQualifiedDomainName
        config.searchString = fields.searchString
        config.requestInterval = fields.requestInterval.map(Int.init) ?? 30
        config.failureThreshold = fields.failureThreshold.map(Int.init) ?? 3
        config.measureLatency = fields.measureLatency ?? false
        // Route 53 echoes EnableSNI false for HTTP (LocalStack's AWS-recorded
        // snapshot); Terraform documents AWS's default as true for HTTPS.
        config.enableSNI = fields.enableSNI ?? type.usesTLS
        config.regions = fields.regions ?? []
        return config
    }

    /// Letters, digits, `-`, `_` and dots: a name fit for a Host header and SNI.
    private static func isHostName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): true
            default: false
            }
        }
    }
}

/// The elements whose presence depends on the type.
enum HealthCheckElement: CaseIterable {
    case ipAddress, port, resourcePath, fullyQualifiedDomainName, searchString, requestInterval, failureThreshold
    case measureLatency, enableSNI, regions, healthThreshold, childHealthChecks
    case alarmIdentifier, insufficientDataHealthStatus, routingControlArn

    func allowed(for type: HealthCheckType) -> Bool {
        switch self {
        case .alarmIdentifier, .insufficientDataHealthStatus, .routingControlArn: false
        case .healthThreshold, .childHealthChecks: type == .calculated
        case .resourcePath: type.usesHTTP
        case .searchString: type.matchesString
        default: type != .calculated
        }
    }

    /// How Route 53's messages name it.
    var phrase: String {
        switch self {
        case .ipAddress: "an IP address"
        case .port: "a port"
        case .resourcePath: "a resource path"
        case .fullyQualifiedDomainName: "a fully qualified domain name"
        case .searchString: "a search string"
        case .requestInterval: "a request interval"
        case .failureThreshold: "a failure threshold"
        case .measureLatency: "latency measurement"
        case .enableSNI: "SNI"
        case .regions: "regions"
        case .healthThreshold: "a health threshold"
        case .childHealthChecks: "child health checks"
        case .alarmIdentifier: "an metric region"
        case .insufficientDataHealthStatus: "an insufficient data health state"
        case .routingControlArn: "a routing control"
        }
    }
}

extension HealthCheckFields {
    /// The fields a stored config was created with (for UpdateHealthCheck).
    init(_ config: HealthCheckConfig) {
        self.init(inverted: config.inverted, disabled: config.disabled)
        if config.type == .calculated {
            healthThreshold = config.healthThreshold.map(Int64.init)
            childHealthChecks = config.childHealthChecks
            return
        }
        ipAddress = config.ipAddress; port = config.port.map(Int64.init); resourcePath = config.resourcePath
        fullyQualifiedDomainName = config.fullyQualifiedDomainName; searchString = config.searchString
        requestInterval = Int64(config.requestInterval); failureThreshold = Int64(config.failureThreshold)
        measureLatency = config.measureLatency; enableSNI = config.enableSNI
        regions = config.regions.isEmpty ? nil : config.regions
    }

    /// These fields overwritten by those set in `update`, then `reset` cleared.
    func merged(with update: HealthCheckFields, reset: Set<HealthCheckResettableElement>) -> HealthCheckFields {
        var merged = self
        merged.ipAddress = update.ipAddress ?? ipAddress
        merged.port = update.port ?? port
        merged.resourcePath = reset.contains(.resourcePath) ? nil : update.resourcePath ?? resourcePath
        merged.fullyQualifiedDomainName = reset.contains(.fullyQualifiedDomainName) ? nil
            : update.fullyQualifiedDomainName ?? fullyQualifiedDomainName
        merged.searchString = update.searchString ?? searchString
        merged.failureThreshold = update.failureThreshold ?? failureThreshold
        merged.inverted = update.inverted ?? inverted
        merged.disabled = update.disabled ?? disabled
        merged.healthThreshold = update.healthThreshold ?? healthThreshold
        merged.childHealthChecks = reset.contains(.childHealthChecks) ? nil : update.childHealthChecks ?? childHealthChecks
        merged.enableSNI = update.enableSNI ?? enableSNI
        merged.regions = reset.contains(.regions) ? nil : update.regions ?? regions
        merged.alarmIdentifier = update.alarmIdentifier
        merged.insufficientDataHealthStatus = update.insufficientDataHealthStatus
        merged.routingControlArn = update.routingControlArn
        return merged
    }

    func has(_ element: HealthCheckElement) -> Bool {
        switch element {
        case .ipAddress: ipAddress != nil
        case .port: port != nil
        case .resourcePath: resourcePath != nil
        case .fullyQualifiedDomainName: fullyQualifiedDomainName != nil
        case .searchString: searchString != nil
        case .requestInterval: requestInterval != nil
        case .failureThreshold: failureThreshold != nil
        case .measureLatency: measureLatency != nil
        case .enableSNI: enableSNI != nil
        case .regions: regions != nil
        case .healthThreshold: healthThreshold != nil
        case .childHealthChecks: childHealthChecks != nil
        case .alarmIdentifier: alarmIdentifier
        case .insufficientDataHealthStatus: insufficientDataHealthStatus
        case .routingControlArn: routingControlArn
        }
    }

    /// True when these fields set the element that `reset` names.
    func sets(_ reset: HealthCheckResettableElement) -> Bool {
        switch reset {
        case .fullyQualifiedDomainName: fullyQualifiedDomainName != nil
        case .regions: regions != nil
        case .resourcePath: resourcePath != nil
        case .childHealthChecks: childHealthChecks != nil
        }
    }
}

/// Route 53's member ("coral") validation of lengths and ranges: every
/// violation, reported together. The wording is Route 53's for other
/// members (see ChangeBatchMessages.member); the member paths are botocore's.
struct Constraints {
    var problems: [String] = []

    mutating func range(_ value: Int64?, at member: String, _ range: ClosedRange<Int64>) {
        guard let value else { return }
        if value < range.lowerBound { add(String(value), member, "have value greater than or equal to \(range.lowerBound)") }
        if value > range.upperBound { add(String(value), member, "have value less than or equal to \(range.upperBound)") }
    }

    mutating func length(_ text: String?, at member: String, _ range: ClosedRange<Int>) {
        guard let text else { return }
        count(text, text.count, at: member, range)
    }

    mutating func count(_ value: String, _ count: Int, at member: String, _ range: ClosedRange<Int>) {
        if count < range.lowerBound { add(value, member, "have length greater than or equal to \(range.lowerBound)") }
        if count > range.upperBound { add(value, member, "have length less than or equal to \(range.upperBound)") }
    }

    private mutating func add(_ value: String, _ member: String, _ constraint: String) {
        problems.append("Value '\(value)' at '\(member)' failed to satisfy constraint: Member must \(constraint)")
    }

    /// Checks botocore's constraints on `fields` (members under `path`),
    /// then throws every violation found so far.
    mutating func check(_ fields: HealthCheckFields, at path: String) throws(Route53Error) {
        range(fields.port, at: path + "port", 1...65535)
        length(fields.resourcePath, at: path + "resourcePath", 0...255)
        length(fields.fullyQualifiedDomainName, at: path + "fullyQualifiedDomainName", 0...255)
        length(fields.searchString, at: path + "searchString", 0...255)
        range(fields.requestInterval, at: path + "requestInterval", 10...30)
        range(fields.failureThreshold, at: path + "failureThreshold", 1...10)
        range(fields.healthThreshold, at: path + "healthThreshold", 0...256)
        if let children = fields.childHealthChecks {
            count("[\(children.joined(separator: ", "))]", children.count, at: path + "childHealthChecks", 0...256)
        }
        if let regions = fields.regions {
            count("[\(regions.joined(separator: ", "))]", regions.count, at: path + "regions", 3...64)
        }
        guard !problems.isEmpty else { return }
        let count = problems.count == 1 ? "1 validation error" : "\(problems.count) validation errors"
        throw .invalidInput("\(count) detected: " + problems.joined(separator: "; "))
    }
}

/// Route 53's health check error texts. Sources are named per message;
/// "invented" means none was found and the text follows Route 53's wording.
enum HealthCheckMessages {
    /// The subject of a type's messages: "TCP", "Calculated", or "Basic"
    /// for the other endpoint checks.
    static func kind(_ type: HealthCheckType) -> String {
        switch type {
        case .calculated: "Calculated"
        case .tcp: "TCP"
        default: "Basic"
        }
    }

    /// Verbatim: "Invalid parameter : Basic health checks must not have an
    /// metric region specified." (aws/aws-sdk-php#1528, 2018;
    /// terraform-provider-aws#22993, 2022); "TCP health checks must not have
    /// a resource path specified." (Terraform output, 2024; "specificed" in
    /// boto/boto#2221, 2014); "Calculated health checks must not have a
    /// failure threshold specified." and "Basic health checks must not have
    /// an insufficient data health state specified." (deployment logs quoted
    /// in public repositories). The other elements follow this wording (inferred).
    /// Route 53 says "Basic" for a TCP check with an alarm (aws-sdk-php#1528):
    /// "TCP" only for the elements that TCP alone refuses.
    static func mustNotHave(_ type: HealthCheckType, _ element: HealthCheckElement) -> String {
        let tcpOnly = element == .resourcePath || element == .searchString
        let kind = type == .tcp && !tcpOnly ? "Basic" : kind(type)
        let prefix = element == .alarmIdentifier ? "Invalid parameter : " : ""
        return "\(prefix)\(kind) health checks must not have \(element.phrase) specified."
    }

    /// Verbatim (terraform-provider-aws#44004, 2025).
    static let calculatedNeedsThreshold = "Invalid parameter : Calculated health checks must have a health threshold specified."
    /// Verbatim (aws/aws-sdk-php#1527, 2018).
    static let tcpAddressAndName = "TCP health checks that have IP address must not have a fully qualified domain name specified."
    /// Invented, in the wording above.
    static let tcpNeedsPort = "TCP health checks must have a port specified."
    /// Invented, in the wording above.
    static func needsEndpoint(_ kind: String) -> String {
        "\(kind) health checks must have an IP address or a fully qualified domain name specified."
    }
    /// Invented, in the wording above.
    static func needsSearchString(_ kind: String) -> String { "\(kind) health checks must have a search string specified." }
    /// Invented.
    static func badIPAddress(_ text: String) -> String {
        "Invalid parameter : IP address '\(text)' is not a valid IPv4 or IPv6 address."
    }
    /// Invented (Route 53 refuses these addresses; its text was not found).
    static func specialUseAddress(_ text: String) -> String {
        "Invalid parameter : IP address '\(text)' is in a local, private, non-routable or multicast range; health checks cannot check it."
    }
    /// Invented (a Nearcast rule: the name goes into Host headers and SNI).
    static func badDomainName(_ text: String) -> String {
        "Invalid parameter : FullyQualifiedDomainName '\(text)' must consist of letters, digits, hyphens, underscores and dots."
    }
    /// Invented (a Nearcast rule: the path goes into the request line).
    static let controlCharacters = "Invalid parameter : ResourcePath must not contain control characters."
    /// Invented.
    static func requestInterval(_ value: Int64) -> String { "Invalid parameter : RequestInterval must be 10 or 30, not \(value)." }
    /// Invented (the rule is the API reference's, for IPAddress).
    static let addIPAddress = "Invalid parameter : An IP address cannot be added to a health check that was created without one."
    /// Invented.
    static func resetAndSet(_ element: HealthCheckResettableElement) -> String {
        "Invalid parameter : \(element.rawValue) cannot be both reset and set."
    }
}

extension Route53Error {
    /// Moto's text (getmoto/moto route53/exceptions.py); Route 53's was not found.
    public static func noSuchHealthCheck(_ id: String) -> Route53Error {
        Route53Error("NoSuchHealthCheck", status: 404, "A health check with id \(id) does not exist.")
    }

    /// Verbatim (hashicorp/terraform#8679, 2016), for a caller reference
    /// used with other settings or by a deleted check.
    public static let healthCheckAlreadyExists = Route53Error(
        "HealthCheckAlreadyExists", status: 409,
        "A different health check has already been created with the specified caller reference.")

    /// botocore's description of the error; Route 53's text was not found.
    public static let healthCheckVersionMismatch = Route53Error(
        "HealthCheckVersionMismatch", status: 409,
        "The value of HealthCheckVersion in the request doesn't match the value of HealthCheckVersion in the health check.")

    /// Invented (CreateHealthCheck and UpdateHealthCheck can only answer InvalidInput).
    public static func noSuchChildHealthCheck(_ id: String) -> Route53Error {
        .invalidInput("Invalid parameter : Child health check \(id) does not exist.")
    }

    /// Invented: a calculated check would depend on its own status.
    public static func healthCheckCycle(_ id: String) -> Route53Error {
        .invalidInput("Invalid parameter : Health check \(id) cannot monitor itself through its child health checks.")
    }
}
