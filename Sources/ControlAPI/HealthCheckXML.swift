import Foundation
import Route53Model

/// HealthCheckType as Route 53's schema lists it, the refused types included.
private enum SchemaHealthCheckType: String, CaseIterable {
    case http = "HTTP", https = "HTTPS", httpStrMatch = "HTTP_STR_MATCH", httpsStrMatch = "HTTPS_STR_MATCH"
    case tcp = "TCP", calculated = "CALCULATED", cloudWatchMetric = "CLOUDWATCH_METRIC"
    case recoveryControl = "RECOVERY_CONTROL"
}

extension RequestDecoding {
    struct CreateHealthCheck { var callerReference: String; var type: HealthCheckType; var fields: HealthCheckFields }
    struct UpdateHealthCheck { var version: Int64?; var fields: HealthCheckFields; var reset: Set<HealthCheckResettableElement> }

    static func createHealthCheck(_ body: Data) throws(Route53Error) -> CreateHealthCheck {
        let root = try document(body, root: "CreateHealthCheckRequest")
        try allowOnly(["CallerReference", "HealthCheckConfig"], in: root)
        let callerReference = try required("CallerReference", in: root)
        guard let config = root.child("HealthCheckConfig") else {
            _ = try required("HealthCheckConfig", in: root)
            preconditionFailure("required(_:in:) throws for a missing element")
        }
        try allowOnly(configElements.union(["Type", "RequestInterval", "MeasureLatency", "RoutingControlArn"]), in: config)
        let typeText = try required("Type", in: config)
        let schemaType: SchemaHealthCheckType = try enumeration(typeText, SchemaHealthCheckType.allCases)
        guard let type = HealthCheckType(rawValue: schemaType.rawValue) else {
            throw HealthCheckValidation.refusedType(typeText)
        }
        var fields = try healthCheckFields(config)
        fields.requestInterval = try config.value("RequestInterval").map { (text) throws(Route53Error) in
            try integer(text, field: "RequestInterval")
        }
        fields.measureLatency = try config.value("MeasureLatency").map { (text) throws(Route53Error) in try boolean(text) }
        fields.routingControlArn = config.child("RoutingControlArn") != nil
        // Terraform clears these by sending them empty; in a new check, empty is absent.
        if fields.fullyQualifiedDomainName == "" { fields.fullyQualifiedDomainName = nil }
        if fields.resourcePath == "" { fields.resourcePath = nil }
        return CreateHealthCheck(callerReference: callerReference, type: type, fields: fields)
    }

    static func updateHealthCheck(_ body: Data) throws(Route53Error) -> UpdateHealthCheck {
        let root = try document(body, root: "UpdateHealthCheckRequest")
        try allowOnly(configElements.union(["HealthCheckVersion", "ResetElements"]), in: root)
        var reset = Set<HealthCheckResettableElement>()
        if let elements = root.child("ResetElements") {
            try allowOnly(["ResettableElementName"], in: elements)
            for element in elements.children("ResettableElementName") {
                reset.insert(try enumeration(element.text.trimmingCharacters(in: .whitespaces),
                                             HealthCheckResettableElement.allCases))
            }
        }
        var fields = try healthCheckFields(root)
        // Terraform clears these by sending them empty: a reset.
        if fields.fullyQualifiedDomainName == "" { fields.fullyQualifiedDomainName = nil; reset.insert(.fullyQualifiedDomainName) }
        if fields.resourcePath == "" { fields.resourcePath = nil; reset.insert(.resourcePath) }
        let version = try root.value("HealthCheckVersion").map { (text) throws(Route53Error) in
            try integer(text, field: "HealthCheckVersion")
        }
        return UpdateHealthCheck(version: version, fields: fields, reset: reset)
    }

    /// The elements that CreateHealthCheck's HealthCheckConfig and
    /// UpdateHealthCheckRequest share.
    private static let configElements: Set<String> = [
        "IPAddress", "Port", "ResourcePath", "FullyQualifiedDomainName", "SearchString", "FailureThreshold",
        "Inverted", "Disabled", "HealthThreshold", "ChildHealthChecks", "EnableSNI", "Regions", "AlarmIdentifier",
        "InsufficientDataHealthStatus",
    ]

    private static func healthCheckFields(_ element: XMLElementNode) throws(Route53Error) -> HealthCheckFields {
        func integerValue(_ name: String) throws(Route53Error) -> Int64? {
            try element.value(name).map { (text) throws(Route53Error) in try integer(text, field: name) }
        }
        func booleanValue(_ name: String) throws(Route53Error) -> Bool? {
            try element.value(name).map { (text) throws(Route53Error) in try boolean(text) }
        }
        var fields = HealthCheckFields(
            ipAddress: element.value("IPAddress"), port: try integerValue("Port"),
            resourcePath: element.value("ResourcePath"), fullyQualifiedDomainName: element.value("FullyQualifiedDomainName"),
            searchString: element.child("SearchString")?.text, failureThreshold: try integerValue("FailureThreshold"),
            inverted: try booleanValue("Inverted"), disabled: try booleanValue("Disabled"),
            healthThreshold: try integerValue("HealthThreshold"), enableSNI: try booleanValue("EnableSNI"))
        if let children = element.child("ChildHealthChecks") {
            try allowOnly(["ChildHealthCheck"], in: children)
            fields.childHealthChecks = children.children("ChildHealthCheck").map { $0.text.trimmingCharacters(in: .whitespaces) }
        }
        if let regions = element.child("Regions") {
            try allowOnly(["Region"], in: regions)
            fields.regions = []
            for region in regions.children("Region") {
                let value: HealthCheckRegion = try enumeration(region.text.trimmingCharacters(in: .whitespaces),
                                                               HealthCheckRegion.allCases)
                fields.regions?.append(value.rawValue)
            }
        }
        fields.alarmIdentifier = element.child("AlarmIdentifier") != nil
        fields.insufficientDataHealthStatus = element.child("InsufficientDataHealthStatus") != nil
        return fields
    }
}

extension ResponseEncoding {
    /// A HealthCheck element. Endpoint checks echo every setting with its
    /// default; calculated checks echo only theirs, as Route 53 does.
    static func healthCheck(_ check: HealthCheck) -> XML {
        let config = check.config, endpoint = config.type != .calculated
        let settings: [XML?] = [
            .text("IPAddress", config.ipAddress),
            .text("Port", config.port.map(String.init)),
            .text("Type", config.type.rawValue),
            .text("ResourcePath", config.resourcePath),
            .text("FullyQualifiedDomainName", config.fullyQualifiedDomainName),
            .text("SearchString", config.searchString),
            .text("RequestInterval", endpoint ? String(config.requestInterval) : nil),
            .text("FailureThreshold", endpoint ? String(config.failureThreshold) : nil),
            .text("MeasureLatency", endpoint ? String(config.measureLatency) : nil),
            .text("Inverted", String(config.inverted)),
            .text("Disabled", String(config.disabled)),
            .text("HealthThreshold", config.healthThreshold.map(String.init)),
            list("ChildHealthChecks", "ChildHealthCheck", config.childHealthChecks),
            .text("EnableSNI", config.enableSNI.map(String.init)),
            list("Regions", "Region", config.regions),
        ]
        return .element("HealthCheck", [
            .text("Id", check.id),
            .text("CallerReference", check.callerReference),
            .element("HealthCheckConfig", settings.compactMap { $0 }),
            .text("HealthCheckVersion", String(check.version)),
        ])
    }

    /// A HealthCheckObservations element: one per observer.
    static func observations(_ observations: [HealthObservation]) -> XML {
        .element("HealthCheckObservations", observations.map { observation in
            .element("HealthCheckObservation", [
                .text("Region", observation.observer),
                .text("IPAddress", observation.observerAddress),
                .element("StatusReport", [
                    .text("Status", observation.report),
                    .text("CheckedTime", timestamp(observation.checkedAt)),
                ]),
            ])
        })
    }

    /// A list element, or nil when empty (Route 53 leaves unset lists out).
    private static func list(_ name: String, _ member: String, _ values: [String]) -> XML? {
        values.isEmpty ? nil : .element(name, values.map { .text(member, $0) })
    }
}
