import LatencyModel
import Route53Model
import Testing

private func create(_ type: HealthCheckType, _ fields: HealthCheckFields, restrict: Bool = false,
                    reference: String = "ref") throws(Route53Error) -> HealthCheckConfig {
    try HealthCheckValidation.create(callerReference: reference, type: type, fields, restrictPrivateAddresses: restrict)
}

/// The InvalidInput message of a failing validation.
private func message(_ body: () throws(Route53Error) -> HealthCheckConfig) -> String? {
    do {
        _ = try body()
        return nil
    } catch {
        #expect(error.code == "InvalidInput" && error.status == 400)
        return error.messages.joined()
    }
}

@Suite struct HealthCheckCreateTests {
    @Test func httpDefaults() throws {
        let config = try create(.http, HealthCheckFields(ipAddress: "198.51.100.7"))
        #expect(config == HealthCheckConfig(type: .http, ipAddress: "198.51.100.7", port: 80, requestInterval: 30,
                                            failureThreshold: 3, enableSNI: false))
    }

    @Test func httpsDefaults() throws {
        let config = try create(.httpsStrMatch, HealthCheckFields(fullyQualifiedDomainName: "api.example.com", searchString: "ok"))
        #expect(config.port == 443 && config.enableSNI == true && config.ipAddress == nil)
        #expect(config.searchString == "ok" && config.fullyQualifiedDomainName == "api.example.com")
    }

    @Test func everyFieldIsKept() throws {
        let fields = HealthCheckFields(ipAddress: "2001:db8::5", port: 8443, resourcePath: "/health?x=1",
                                       fullyQualifiedDomainName: "svc.example.org", searchString: " UP ",
                                       requestInterval: 10, failureThreshold: 7, measureLatency: true, inverted: true,
                                       disabled: true, enableSNI: false, regions: ["us-east-1", "eu-west-1", "sa-east-1"])
        let config = try create(.httpsStrMatch, fields)
        #expect(config == HealthCheckConfig(type: .httpsStrMatch, ipAddress: "2001:db8::5", port: 8443,
                                            resourcePath: "/health?x=1", fullyQualifiedDomainName: "svc.example.org",
                                            searchString: " UP ", requestInterval: 10, failureThreshold: 7,
                                            measureLatency: true, inverted: true, disabled: true, enableSNI: false,
                                            regions: ["us-east-1", "eu-west-1", "sa-east-1"]))
    }

    @Test func calculatedKeepsOnlyItsSettings() throws {
        let config = try create(.calculated, HealthCheckFields(inverted: true, healthThreshold: 1, childHealthChecks: ["a", "b"]))
        #expect(config.healthThreshold == 1 && config.childHealthChecks == ["a", "b"] && config.inverted)
        #expect(config.port == nil && config.enableSNI == nil && config.regions.isEmpty)
    }

    /// Private, loopback and link-local endpoints are allowed unless restricted.
    @Test(arguments: ["10.1.2.3", "127.0.0.1", "169.254.1.1", "192.168.0.10", "::1", "fe80::1", "fd00::7", "100.64.0.1"])
    func specialUseAddresses(address: String) throws {
        #expect(try create(.tcp, HealthCheckFields(ipAddress: address, port: 22)).ipAddress == address)
        #expect(message { () throws(Route53Error) in try create(.tcp, HealthCheckFields(ipAddress: address, port: 22), restrict: true) }
                == "Invalid parameter : IP address '\(address)' is in a local, private, non-routable or multicast range; health checks cannot check it.")
    }

    @Test(arguments: ["8.8.8.8", "2606:4700::1111", "100.128.0.1", "172.32.0.1"])
    func publicAddresses(address: String) {
        #expect(!HealthCheckValidation.isSpecialUse(IPAddress(address)!))
    }

    @Test(arguments: [
        (HealthCheckType.tcp, HealthCheckFields(ipAddress: "198.51.100.1"), "TCP health checks must have a port specified."),
        (.tcp, HealthCheckFields(ipAddress: "198.51.100.1", port: 22, resourcePath: "/"),
         "TCP health checks must not have a resource path specified."),
        (.tcp, HealthCheckFields(ipAddress: "198.51.100.1", port: 22, fullyQualifiedDomainName: "a.example.com"),
         "TCP health checks that have IP address must not have a fully qualified domain name specified."),
        (.http, HealthCheckFields(port: 80), "Basic health checks must have an IP address or a fully qualified domain name specified."),
        (.http, HealthCheckFields(ipAddress: "198.51.100.1", searchString: "x"), "Basic health checks must not have a search string specified."),
        (.httpStrMatch, HealthCheckFields(ipAddress: "198.51.100.1"), "Basic health checks must have a search string specified."),
        (.http, HealthCheckFields(ipAddress: "198.51.100.1", healthThreshold: 1),
         "Basic health checks must not have a health threshold specified."),
        (.http, HealthCheckFields(ipAddress: "198.51.100.1", requestInterval: 20),
         "Invalid parameter : RequestInterval must be 10 or 30, not 20."),
        (.http, HealthCheckFields(ipAddress: "198.51.100.300"),
         "Invalid parameter : IP address '198.51.100.300' is not a valid IPv4 or IPv6 address."),
        (.http, HealthCheckFields(fullyQualifiedDomainName: "a.example.com\r\nX: y"),
         "Invalid parameter : FullyQualifiedDomainName 'a.example.com\r\nX: y' must consist of letters, digits, hyphens, underscores and dots."),
        (.http, HealthCheckFields(ipAddress: "198.51.100.1", resourcePath: "/\r\nX: y"),
         "Invalid parameter : ResourcePath must not contain control characters."),
        (.calculated, HealthCheckFields(childHealthChecks: ["a"]),
         "Invalid parameter : Calculated health checks must have a health threshold specified."),
        (.calculated, HealthCheckFields(failureThreshold: 3, healthThreshold: 1),
         "Calculated health checks must not have a failure threshold specified."),
        (.calculated, HealthCheckFields(ipAddress: "198.51.100.1", healthThreshold: 1),
         "Calculated health checks must not have an IP address specified."),
    ])
    func rejected(type: HealthCheckType, fields: HealthCheckFields, expected: String) {
        #expect(message { () throws(Route53Error) in try create(type, fields) } == expected)
    }

    @Test func alarmSettingsAreRejected() {
        var fields = HealthCheckFields(ipAddress: "198.51.100.1", port: 80)
        fields.alarmIdentifier = true
        #expect(message { () throws(Route53Error) in try create(.tcp, fields) }
                == "Invalid parameter : Basic health checks must not have an metric region specified.")
        fields.alarmIdentifier = false
        fields.insufficientDataHealthStatus = true
        #expect(message { () throws(Route53Error) in try create(.http, fields) }
                == "Basic health checks must not have an insufficient data health state specified.")
    }

    /// Range and length violations are reported together, in Route 53's member wording.
    @Test func constraintsAreReportedTogether() {
        let fields = HealthCheckFields(ipAddress: "198.51.100.1", port: 0, resourcePath: String(repeating: "p", count: 256),
                                       failureThreshold: 11, regions: ["us-east-1", "eu-west-1"])
        #expect(message { () throws(Route53Error) in try create(.http, fields, reference: "") } == "5 validation errors detected: "
                + "Value '' at 'callerReference' failed to satisfy constraint: Member must have length greater than or equal to 1; "
                + "Value '0' at 'healthCheckConfig.port' failed to satisfy constraint: Member must have value greater than or equal to 1; "
                + "Value '\(String(repeating: "p", count: 256))' at 'healthCheckConfig.resourcePath' failed to satisfy constraint: Member must have length less than or equal to 255; "
                + "Value '11' at 'healthCheckConfig.failureThreshold' failed to satisfy constraint: Member must have value less than or equal to 10; "
                + "Value '[us-east-1, eu-west-1]' at 'healthCheckConfig.regions' failed to satisfy constraint: Member must have length greater than or equal to 3")
        #expect(message { () throws(Route53Error) in try create(.calculated, HealthCheckFields(healthThreshold: 257)) }
                == "1 validation error detected: Value '257' at 'healthCheckConfig.healthThreshold' failed to satisfy constraint: Member must have value less than or equal to 256")
    }
}

@Suite struct HealthCheckUpdateTests {
    let http = HealthCheckConfig(type: .http, ipAddress: "198.51.100.1", port: 80, resourcePath: "/a",
                                 fullyQualifiedDomainName: "a.example.com", requestInterval: 10, failureThreshold: 2,
                                 measureLatency: true, enableSNI: false, regions: ["us-east-1", "us-west-1", "us-west-2"])

    private func update(_ current: HealthCheckConfig, _ fields: HealthCheckFields, version: Int64? = nil,
                        reset: Set<HealthCheckResettableElement> = []) throws(Route53Error) -> HealthCheckConfig {
        try HealthCheckValidation.update(current, version: version, fields, reset: reset, restrictPrivateAddresses: false)
    }

    @Test func setsOnlyWhatIsGiven() throws {
        let updated = try update(http, HealthCheckFields(ipAddress: "198.51.100.2", port: 8080, failureThreshold: 5, disabled: true))
        var expected = http
        expected.ipAddress = "198.51.100.2"; expected.port = 8080; expected.failureThreshold = 5; expected.disabled = true
        #expect(updated == expected)
    }

    @Test func resetElements() throws {
        let updated = try update(http, HealthCheckFields(), reset: [.fullyQualifiedDomainName, .resourcePath, .regions, .childHealthChecks])
        #expect(updated.fullyQualifiedDomainName == nil && updated.resourcePath == nil && updated.regions.isEmpty)
        #expect(updated.requestInterval == 10 && updated.measureLatency)
    }

    @Test func rules() {
        var byName = http
        byName.ipAddress = nil
        #expect(message { () throws(Route53Error) in try update(byName, HealthCheckFields(ipAddress: "198.51.100.9")) }
                == "Invalid parameter : An IP address cannot be added to a health check that was created without one.")
        #expect(message { () throws(Route53Error) in try update(byName, HealthCheckFields(), reset: [.fullyQualifiedDomainName]) }
                == "Basic health checks must have an IP address or a fully qualified domain name specified.")
        #expect(message { () throws(Route53Error) in
            try update(http, HealthCheckFields(resourcePath: "/b"), reset: [.resourcePath])
        } == "Invalid parameter : ResourcePath cannot be both reset and set.")
        #expect(message { () throws(Route53Error) in try update(http, HealthCheckFields(port: 70000), version: 0) }
                == "2 validation errors detected: "
                + "Value '0' at 'healthCheckVersion' failed to satisfy constraint: Member must have value greater than or equal to 1; "
                + "Value '70000' at 'port' failed to satisfy constraint: Member must have value less than or equal to 65535")
        let calculated = HealthCheckConfig(type: .calculated, healthThreshold: 1, childHealthChecks: ["a"])
        #expect(message { () throws(Route53Error) in try update(calculated, HealthCheckFields(port: 80)) }
                == "Calculated health checks must not have a port specified.")
    }

    @Test func calculatedChildrenAndThreshold() throws {
        let calculated = HealthCheckConfig(type: .calculated, healthThreshold: 1, childHealthChecks: ["a"])
        let updated = try update(calculated, HealthCheckFields(healthThreshold: 2, childHealthChecks: ["a", "b"]))
        #expect(updated.healthThreshold == 2 && updated.childHealthChecks == ["a", "b"])
        #expect(try update(calculated, HealthCheckFields(), reset: [.childHealthChecks]).childHealthChecks.isEmpty)
    }
}
