import DNSWire
import Route53Model
import Testing

/// InvalidChangeBatch: problems with the zone's state, all reported.
@Suite struct StateTests {
    @Test func createExisting() {
        #expect(apply([create(records("WWW.example.com", .a, ["192.0.2.9"]))]) == invalidChangeBatch(
            "Tried to create resource record set [name='www.example.com.', type='A'] but it already exists"))
        let geo = records("geo.example.com", .a, ["192.0.2.1"], id: "Default", weight: 1)
        #expect(apply([create(geo)], to: base + [geo]) == invalidChangeBatch(
            "Tried to create resource record set [name='geo.example.com.', type='A', set-identifier='Default'] but it already exists"))
    }

    @Test func deleteMissing() {
        #expect(apply([delete(records("k.example.com", .a, ["192.0.2.1"]))]) == invalidChangeBatch(
            "Tried to delete resource record set [name='k.example.com.', type='A'] but it was not found"))
    }

    @Test func deleteMustMatch() {
        for different in [records("www.example.com", .a, ["192.0.2.1"], ttl: 60),
                          records("www.example.com", .a, ["192.0.2.2"]),
                          records("www.example.com", .a, ["192.0.2.1", "192.0.2.2"])] {
            #expect(apply([delete(different)]) == invalidChangeBatch(
                "Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do not match the current values"))
        }
        // Same values, spelled differently and in another order, match.
        let stored = records("v6.example.com", .aaaa, ["2001:db8::1", "2001:db8::2"])
        let spelled = records("V6.example.com", .aaaa, ["2001:DB8:0:0:0:0:0:2", "2001:db8::1"])
        #expect(summary(apply([delete(spelled)], to: base + [stored])) == summary(.success(base)))
    }

    @Test func upsertCreatesOrReplaces() {
        let replaced = records("www.example.com", .a, ["192.0.2.7"], ttl: 60)
        #expect(apply([upsert(replaced), upsert(records("new.example.com", .a, ["192.0.2.8"]))])
            == .success([ns, soa, records("new.example.com", .a, ["192.0.2.8"]), replaced]))
    }

    @Test func nameOutsideZone() {
        let outside = create(records("prod.redis.example.org", .a, ["192.0.2.1"]))
        let parent = create(records("com", .a, ["192.0.2.1"]))
        #expect(apply([outside, parent]) == invalidChangeBatch(
            "RRSet with DNS name prod.redis.example.org. is not permitted in zone example.com.",
            "RRSet with DNS name com. is not permitted in zone example.com."))
    }

    @Test func cnameBesideOtherTypes() {
        #expect(apply([create(records("www.example.com", .cname, ["elsewhere.example.net."]))]) == invalidChangeBatch(
            "RRSet of type CNAME with DNS name www.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com."))
        let cname = records("docs.example.com", .cname, ["elsewhere.example.net."])
        #expect(apply([create(records("docs.example.com", .mx, ["10 mail.example.com."]))], to: base + [cname]) == invalidChangeBatch(
            "RRSet of type MX with DNS name docs.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com."))
        // Replacing the A by a CNAME in one batch is fine.
        #expect(apply([delete(www), create(records("www.example.com", .cname, ["elsewhere.example.net."]))]) ==
            .success([ns, soa, records("www.example.com", .cname, ["elsewhere.example.net."])]))
    }

    @Test func cnameAtApex() {
        #expect(apply([create(records("example.com", .cname, ["elsewhere.example.net."]))]) == invalidChangeBatch(
            "RRSet of type CNAME with DNS name example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com."))
    }

    /// Weighted CNAMEs, alias beside non-alias sets of one policy: all normal.
    @Test func routedSetsOfOneTypeCoexist() {
        let batch = [
            create(records("cdn.example.com", .cname, ["a.example.net."], id: "a", weight: 1)),
            create(records("cdn.example.com", .cname, ["b.example.net."], id: "b", weight: 1)),
            create(records("lb.example.com", .a, ["192.0.2.1"], id: "one", weight: 10)),
            create(alias("lb.example.com", .a, to: "www.example.com", id: "two", weight: 20)),
        ]
        #expect(summary(apply(batch)) == [
            "NS example.com.", "SOA example.com.", "CNAME cdn.example.com. a", "CNAME cdn.example.com. b",
            "A lb.example.com. one", "A lb.example.com. two", "A www.example.com.",
        ])
    }

    @Test func latencyRegionOncePerNameAndType() {
        let first = records("xyz.example.com", .a, ["192.0.2.1"], id: "one", region: "eu-west-1")
        #expect(apply([create(first), create(records("xyz.example.com", .a, ["192.0.2.2"], id: "xyz.com", region: "eu-west-1"))]) == invalidChangeBatch(
            "RRSet with DNS name xyz.example.com., type A, SetIdentifier xyz.com, and Region Name=eu-west-1 cannot be created because a latency RRSet with the same name, type and region already exists."))
        // Upserting a set in place keeps its region.
        #expect(summary(apply([upsert(first)], to: base + [first])).contains("A xyz.example.com. one"))
    }

    @Test func simpleSetBesideRoutedSets() {
        let weighted = records("test.example.com", .cname, ["a.example.net."], id: "a", weight: 1)
        #expect(apply([create(records("test.example.com", .cname, ["b.example.net."]))], to: base + [weighted]) == invalidChangeBatch(
            "RRSet with DNS name test.example.com., type CNAME cannot be created as other RRSets exist with the same name and type."))
    }

    @Test func policiesDoNotMix() {
        let simple = records("ex.example.com", .txt, ["\"x\""])
        let weighted = records("ex.example.com", .txt, ["\"x\""], id: "w", weight: 1)
        let latency = records("ex.example.com", .txt, ["\"x\""], id: "l", region: "us-east-1")
        let multi = records("ex.example.com", .txt, ["\"x\""], id: "m", multiValue: true)
        #expect(apply([create(records("ex.example.com", .txt, ["\"y\""], id: "recordID", weight: 1))], to: base + [simple]) == invalidChangeBatch(
            "RRSet with DNS name ex.example.com., type TXT, SetIdentifier recordID cannot be created as a non-weighted set exists with the same name and type."))
        #expect(apply([create(latency)], to: base + [weighted]) == invalidChangeBatch(
            "RRSet with DNS name ex.example.com., type TXT, SetIdentifier l cannot be created as a non-latency set exists with the same name and type."))
        #expect(apply([create(multi)], to: base + [simple]) == invalidChangeBatch(
            "RRSet with DNS name ex.example.com., type TXT, SetIdentifier \"m\" cannot be created because a non multivalue answer rrset exists with the same name and type."))
    }

    @Test func sameKeyTwice() {
        let cname = records("_75ec.example.com", .cname, ["_x.acm-validations.aws."])
        #expect(apply([upsert(cname), upsert(cname)]) == invalidChangeBatch(
            "The request contains an invalid set of changes for a resource record set 'CNAME _75ec.example.com.'"))
        #expect(apply([delete(www), delete(www)]) == invalidChangeBatch(
            "The request contains an invalid set of changes for a resource record set 'A www.example.com.'"))
        // DELETE then CREATE replaces a set.
        let replaced = records("www.example.com", .a, ["192.0.2.99"])
        #expect(apply([delete(www), create(replaced)]) == .success([ns, soa, replaced]))
    }

    @Test func apexSOA() {
        #expect(apply([delete(soa)]) == invalidChangeBatch("A HostedZone must contain exactly one SOA record."))
        var twoValues = soa
        twoValues.records! += ["ns-2.awsdns-2.org. awsdns-hostmaster.amazon.com. 2 7200 900 1209600 86400"]
        #expect(apply([upsert(twoValues)]) == invalidChangeBatch("A HostedZone must contain exactly one SOA record."))
        var newSerial = soa
        newSerial.records = ["ns-1.awsdns-1.org. awsdns-hostmaster.amazon.com. 2 7200 900 1209600 86400"]
        #expect(apply([upsert(newSerial)]) == .success([ns, newSerial, www]))
    }

    @Test func apexNS() {
        #expect(apply([delete(ns)]) == invalidChangeBatch("A HostedZone must contain at least one NS record for the zone itself."))
        // A delegation below the apex is not the zone's own NS set.
        let child = records("sub.example.com", .ns, ["ns1.example.net."])
        #expect(apply([delete(child)], to: base + [child]) == .success(base))
    }

    @Test func aliasTargetMustExist() {
        #expect(apply([create(alias("app.example.com", .a, to: "fastly-app.example.com"))]) == invalidChangeBatch(
            "Tried to create an alias that targets fastly-app.example.com., type A in zone Z1EXAMPLE, but that target was not found"))
        // Of the same type.
        #expect(apply([create(alias("app.example.com", .aaaa, to: "www.example.com"))]) == invalidChangeBatch(
            "Tried to create an alias that targets www.example.com., type AAAA in zone Z1EXAMPLE, but that target was not found"))
        // Created later in the same batch, with the /hostedzone/ prefix: fine.
        let target = records("later.example.com", .a, ["192.0.2.5"])
        #expect(summary(apply([create(alias("app.example.com", .a, to: "later.example.com", zoneID: "/hostedzone/Z1EXAMPLE")), create(target)]))
            .contains("A app.example.com."))
    }

    @Test func aliasTargetOutsideZone() {
        #expect(apply([create(alias("app.example.com", .a, to: "lb-1.us-west-1.elb.amazonaws.com"))]) == invalidChangeBatch(
            "Tried to create an alias that targets lb-1.us-west-1.elb.amazonaws.com., type A in zone Z1EXAMPLE, but the alias target name does not lie within the target zone",
            "Tried to create an alias that targets lb-1.us-west-1.elb.amazonaws.com., type A in zone Z1EXAMPLE, but that target was not found"))
        // In another zone: not checked.
        #expect(summary(apply([create(alias("app.example.com", .a, to: "lb-1.us-west-1.elb.amazonaws.com", zoneID: "Z368ELLRRE2KJ0"))]))
            .contains("A app.example.com."))
    }

    @Test func aliasToItself() {
        #expect(apply([create(alias("loop.example.com", .a, to: "loop.example.com", id: "a", weight: 1))]) == invalidChangeBatch(
            "Tried to create an alias that targets loop.example.com., type A in zone Z1EXAMPLE, but that target is the alias itself"))
    }

    @Test func namesAreStoredLowercase() {
        #expect(apply([create(alias("App.Example.com", .a, to: "WWW.example.COM"))]).map { $0.map { $0.name.description } }
            == .success(["example.com.", "example.com.", "app.example.com.", "www.example.com."]))
        #expect(apply([create(alias("App.Example.com", .a, to: "WWW.example.COM"))]).map { $0[2].aliasTarget?.dnsName.description }
            == .success("www.example.com."))
    }
}
