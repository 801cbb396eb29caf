import Authority
import DNSWire
import Foundation
import Route53Model

/// Model values as Route 53's response elements.
enum ResponseEncoding {
    static func hostedZone(_ zone: HostedZone, recordSetCount: Int) -> XML {
        var config: [XML] = []
        if let comment = zone.comment { config.append(.text("Comment", comment)) }
        config.append(.text("PrivateZone", "false"))
        return .element("HostedZone", [
            .text("Id", "/hostedzone/\(zone.id)"),
            .text("Name", zone.name.route53Text),
            .text("CallerReference", zone.callerReference),
            .element("Config", config),
            .text("ResourceRecordSetCount", String(recordSetCount)),
        ])
    }

    static func delegationSet(_ nameServers: [DomainName]) -> XML {
        .element("DelegationSet", [.element("NameServers", nameServers.map { .text("NameServer", $0.route53Text) })])
    }

    static func changeInfo(_ change: ChangeInfo, inSync: Bool) -> XML {
        var children: [XML] = [
            .text("Id", "/change/\(change.id)"),
            .text("Status", inSync ? "INSYNC" : "PENDING"),
            .text("SubmittedAt", timestamp(change.submittedAt)),
        ]
        if let comment = change.comment { children.append(.text("Comment", comment)) }
        return .element("ChangeInfo", children)
    }

    /// ISO 8601 with milliseconds, as Route 53 sends it.
    static func timestamp(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    static func recordSet(_ set: ResourceRecordSet) -> XML {
        var children: [XML] = [.text("Name", set.name.route53Text), .text("Type", set.type.description)]
        if let id = set.setIdentifier { children.append(.text("SetIdentifier", id)) }
        if let weight = set.weight { children.append(.text("Weight", String(weight))) }
        if let region = set.region { children.append(.text("Region", region)) }
        if let geo = set.geoLocation {
            children.append(.element("GeoLocation", [XML.text("ContinentCode", geo.continentCode),
                                                     XML.text("CountryCode", geo.countryCode),
                                                     XML.text("SubdivisionCode", geo.subdivisionCode)].compactMap { $0 }))
        }
        if let failover = set.failover { children.append(.text("Failover", failover)) }
        if let multi = set.multiValueAnswer { children.append(.text("MultiValueAnswer", multi ? "true" : "false")) }
        if let ttl = set.ttl { children.append(.text("TTL", String(ttl))) }
        if let records = set.records {
            children.append(.element("ResourceRecords", records.map { .element("ResourceRecord", [.text("Value", $0)]) }))
        }
        if let alias = set.aliasTarget {
            children.append(.element("AliasTarget", [
                .text("HostedZoneId", alias.hostedZoneID),
                .text("DNSName", alias.dnsName.route53Text),
                .text("EvaluateTargetHealth", alias.evaluateTargetHealth ? "true" : "false"),
            ]))
        }
        if let check = set.healthCheckID { children.append(.text("HealthCheckId", check)) }
        return .element("ResourceRecordSet", children)
    }

    static func tagSet(type: String, id: String, tags: [(key: String, value: String)]) -> XML {
        .element("ResourceTagSet", [
            .text("ResourceType", type), .text("ResourceId", id),
            .element("Tags", tags.map { .element("Tag", [.text("Key", $0.key), .text("Value", $0.value)]) }),
        ])
    }

    /// Route 53's error envelope. Several InvalidChangeBatch messages are
    /// joined as Route 53 does: "[first, second]".
    static func error(_ error: Route53Error, requestID: String) -> XML {
        let message = error.code == "InvalidChangeBatch" ? "[" + error.messages.joined(separator: ", ") + "]"
            : error.messages.joined(separator: " ")
        return .element("ErrorResponse", [
            .element("Error", [.text("Type", error.status >= 500 ? "Receiver" : "Sender"), .text("Code", error.code),
                               .text("Message", message)]),
            .text("RequestId", requestID),
        ])
    }

    /// Nearcast's addition to TestDNSAnswerResponse: every routing choice
    /// behind the answer, with the record sets skipped and why. SDKs ignore
    /// elements their model does not name, so Route 53 clients are unaffected.
    static func routingSteps(_ steps: [RoutingStep]) -> XML {
        .element("RoutingSteps", steps.map { step -> XML in
            .element("RoutingStep", [
                .text("Name", step.owner.route53Text),
                .text("Type", step.type.description),
                .text("Policy", step.policy.name),
                .element("Chosen", step.chosen.map { .text("SetIdentifier", $0.setIdentifier) }),
                .element("Skipped", step.skipped.map { skipped -> XML in
                    .element("SkippedSet", [.text("SetIdentifier", skipped.setIdentifier), .text("Reason", skipped.reason)])
                }),
                .text("AllUnhealthy", step.allUnhealthy ? "true" : "false"),
            ])
        })
    }
}
