import DNSWire
import Route53Model
import Testing

/// InvalidInput: one message, the first structural problem.
@Suite struct StructuralTests {
    @Test func emptyBatch() {
        #expect(apply([]) == invalidInput(
            "Invalid XML ; cvc-complex-type.2.4.b: The content of element 'Changes' is not complete. One of '{\"https://route53.amazonaws.com/doc/2013-04-01/\":Change}' is expected."))
    }

    @Test func unsupportedType() {
        #expect(apply([create(records("h.example.com", .hinfo, ["\"PC\" \"Linux\""]))]) == invalidInput(
            "Invalid XML ; cvc-enumeration-valid: Value 'HINFO' is not facet-valid with respect to enumeration '[SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS, TLSA, SSHFP, SVCB, HTTPS]'. It must be a value from the enumeration."))
    }

    @Test func emptyResourceRecords() {
        #expect(apply([create(records("a.example.com", .a, []))]) == invalidInput(
            "Invalid XML ; cvc-complex-type.2.4.b: The content of element 'ResourceRecords' is not complete. One of '{\"https://route53.amazonaws.com/doc/2013-04-01/\":ResourceRecord}' is expected."))
    }

    @Test func neitherAliasNorRecords() {
        var set = records("www.example.com", .a, ["192.0.2.1"], ttl: nil)
        #expect(apply([delete(set)]) == invalidInput(
            "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=DELETE, Name=www.example.com., Type=A, SetIdentifier=null]"))
        set.ttl = 60; set.records = nil
        #expect(apply([create(set)]) == invalidInput(
            "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=www.example.com., Type=A, SetIdentifier=null]"))
    }

    @Test func aliasAndRecords() {
        var set = alias("app.example.com", .a, to: "www.example.com")
        set.ttl = 60
        #expect(apply([create(set)]) == invalidInput(
            "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with [Action=CREATE, Name=app.example.com., Type=A, SetIdentifier=null]"))
    }

    @Test func ttlRange() {
        let ok = create(records("a.example.com", .a, ["192.0.2.1"], ttl: 2_147_483_647))
        #expect(apply([ok, create(records("b.example.com", .a, ["192.0.2.1"], ttl: -7780919223))]) == invalidInput(
            "1 validation error detected: Value '-7780919223' at 'changeBatch.changes.2.member.resourceRecordSet.tTL' failed to satisfy constraint: Member must have value greater than or equal to 0"))
        #expect(apply([create(records("b.example.com", .a, ["192.0.2.1"], ttl: 2_147_483_648))]) == invalidInput(
            "1 validation error detected: Value '2147483648' at 'changeBatch.changes.1.member.resourceRecordSet.tTL' failed to satisfy constraint: Member must have value less than or equal to 2147483647"))
        #expect(summary(apply([ok])).contains("A a.example.com."))
    }

    @Test func weightRange() {
        #expect(apply([create(records("w.example.com", .a, ["192.0.2.1"], id: "one", weight: 256))]) == invalidInput(
            "1 validation error detected: Value '256' at 'changeBatch.changes.1.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255"))
    }

    @Test func setIdentifierLength() {
        let long = String(repeating: "x", count: 129)
        #expect(apply([create(records("w.example.com", .a, ["192.0.2.1"], id: long, weight: 1))]) == invalidInput(
            "1 validation error detected: Value '\(long)' at 'changeBatch.changes.1.member.resourceRecordSet.setIdentifier' failed to satisfy constraint: Member must have length less than or equal to 128"))
        #expect(apply([create(records("w.example.com", .a, ["192.0.2.1"], id: "", weight: 1))]) == invalidInput(
            "1 validation error detected: Value '' at 'changeBatch.changes.1.member.resourceRecordSet.setIdentifier' failed to satisfy constraint: Member must have length greater than or equal to 1"))
    }

    @Test func regionMustBeInCatalog() {
        let names = catalog.regions.map(\.name).joined(separator: ", ")
        #expect(apply([create(records("l.example.com", .a, ["192.0.2.1"], id: "x", region: "mars-1"))]) == invalidInput(
            "1 validation error detected: Value 'mars-1' at 'changeBatch.changes.1.member.resourceRecordSet.region' failed to satisfy constraint: Member must satisfy enum value set: [\(names)]"))
        #expect(names.hasPrefix("us-east-1, us-east-2, ") && names.hasSuffix(", eusc-de-east-1, dc-lisbon"))
        // A user-declared region is accepted.
        #expect(summary(apply([create(records("l.example.com", .a, ["192.0.2.1"], id: "x", region: "dc-lisbon"))]))
            .contains("A l.example.com. x"))
    }

    @Test func failoverValues() {
        #expect(apply([create(records("f.example.com", .a, ["192.0.2.1"], id: "x", failover: "TERTIARY"))]) == invalidInput(
            "1 validation error detected: Value 'TERTIARY' at 'changeBatch.changes.1.member.resourceRecordSet.failover' failed to satisfy constraint: Member must satisfy enum value set: [PRIMARY, SECONDARY]"))
    }

    @Test func routingElementNeedsSetIdentifier() {
        #expect(apply([upsert(records("foo.example.com", .txt, ["\"a\""], multiValue: false))]) == invalidInput(
            "Invalid request: Missing field 'SetIdentifier' in Change with [Action=UPSERT, Name=foo.example.com., Type=TXT, SetIdentifier=null]"))
    }

    @Test func setIdentifierNeedsRoutingElement() {
        #expect(apply([create(records("xyz.example.com", .a, ["192.0.2.1"], id: "xyz.com"))]) == invalidInput(
            "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found none in Change with [Action=CREATE, Name=xyz.example.com., Type=A, SetIdentifier=xyz.com]"))
    }

    @Test func atMostOneRoutingElement() {
        #expect(apply([create(records("x.example.com", .a, ["192.0.2.1"], id: "a", weight: 1, region: "eu-west-1"))]) == invalidInput(
            "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found more than one in Change with [Action=CREATE, Name=x.example.com., Type=A, SetIdentifier=a]"))
    }

    /// Names print as Route 53 lists them (not as sent: only the parsed name is known).
    @Test func namesInMessages() {
        #expect(apply([create(records("*.Example.COM", .a, ["192.0.2.1"], ttl: nil))]) == invalidInput(
            "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=\\052.example.com., Type=A, SetIdentifier=null]"))
    }

    /// Only the first problem is reported, and member checks of any change come before request checks.
    @Test func firstProblemOnly() {
        let noTTL = create(records("a.example.com", .a, ["192.0.2.1"], ttl: nil))
        let badWeight = create(records("b.example.com", .a, ["192.0.2.1"], id: "b", weight: 300))
        let outside = create(records("www.example.org", .a, ["192.0.2.1"]))
        #expect(apply([outside, noTTL, badWeight]) == invalidInput(
            "1 validation error detected: Value '300' at 'changeBatch.changes.3.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255"))
    }

    @Test func recordLimit() {
        // UPSERT counts twice: 501 values are 1002.
        let values = (0..<501).map { "192.0.\($0 / 256).\($0 % 256)" }
        #expect(apply([upsert(records("many.example.com", .a, values))]) == invalidChangeBatch("Number of records limit of 1000 exceeded."))
        #expect(summary(apply([create(records("many.example.com", .a, values))])).contains("A many.example.com."))
    }

    @Test func characterLimit() {
        let value = "\"" + String(repeating: "x", count: 200) + "\""
        let sets = (0..<160).map { create(records("t\($0).example.com", .txt, [value])) }
        #expect(apply(sets) == invalidChangeBatch("RDATA character limit of 32000 exceeded."))
    }
}
