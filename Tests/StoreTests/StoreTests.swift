import DNSWire
import Foundation
import GRDB
import Route53Model
@testable import Store
import Testing

private func name(_ text: String) -> DomainName { try! DomainName(parsing: text, origin: .root) }

private func set(_ owner: String, _ type: RRType, _ records: [String] = ["192.0.2.1"], id: String? = nil,
                 weight: Int64? = nil) -> ResourceRecordSet {
    ResourceRecordSet(name: name(owner), type: type, setIdentifier: id, weight: weight, ttl: 300, records: records)
}

/// The zone's NS and SOA sets, in listing order.
private func apex(_ zone: String) -> [ResourceRecordSet] {
    [set(zone, .ns, ["ns1.\(zone)", "ns2.\(zone)"]),
     set(zone, .soa, ["ns1.\(zone) hostmaster.\(zone) 1 7200 900 1209600 86400"])]
}

/// Creates `example.com.` with id Z1 (version 1).
@discardableResult
private func makeZone(_ store: Store, _ zone: String = "example.com.", id: String = "Z1",
                      reference: String = "ref-1") throws -> HostedZone {
    try store.createHostedZone(name: name(zone), callerReference: reference, comment: "first",
                               initialRecordSets: apex(zone), id: id, changeID: "C-\(id)", submittedAt: 1000).0
}

private func replacing(_ sets: [ResourceRecordSet]) -> ([ResourceRecordSet]) -> Result<[ResourceRecordSet], Route53Error> {
    { _ in .success(sets) }
}

private func temporaryPath() -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("store-tests-\(UUID().uuidString)/nested/nearcast.sqlite").path
}

/// Expects `body` to throw the Route 53 error `code` (with `status`, and `message` when given).
func expectError(_ code: String, status: Int = 400, message: String? = nil, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(code)")
    } catch let error as Route53Error {
        #expect(error.code == code)
        #expect(error.status == status)
        if let message { #expect(error.messages == [message]) }
    } catch {
        Issue.record("unexpected \(error)")
    }
}

@Suite struct HostedZoneTests {
    @Test func createAndRead() throws {
        let store = try Store.inMemory()
        let (zone, change) = try store.createHostedZone(
            name: name("Example.COM."), callerReference: "r", comment: "c", initialRecordSets: apex("example.com."),
            id: "Z1", changeID: "C1", submittedAt: 1234)
        #expect(zone == HostedZone(id: "Z1", name: name("example.com."), callerReference: "r", comment: "c"))
        #expect(zone.name.description == "example.com.")
        #expect(change == ChangeInfo(id: "C1", version: 1, submittedAt: 1234, comment: nil))
        #expect(try store.hostedZone(id: "Z1") == zone)
        #expect(try store.hostedZone(id: "Z2") == nil)
        #expect(try store.hostedZoneCount() == 1)
        #expect(try store.recordSetCount(zoneID: "Z1") == 2)
        #expect(try store.recordSets(zoneID: "Z1") == apex("example.com."))
        #expect(try store.change(id: "C1") == change)
        #expect(try store.change(id: "C2") == nil)
    }

    @Test func listsInCreationOrder() throws {
        let store = try Store.inMemory()
        try makeZone(store, "b.example.", id: "Z9", reference: "1")
        try makeZone(store, "a.example.", id: "Z1", reference: "2")
        try makeZone(store, "c.example.", id: "Z5", reference: "3")
        #expect(try store.hostedZones().map(\.id) == ["Z9", "Z1", "Z5"])
        #expect(try store.hostedZoneCount() == 3)
    }

    @Test func callerReferenceIsUnique() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        expectError("HostedZoneAlreadyExists", status: 409,
                    message: "A hosted zone has already been created with the specified caller reference.") {
            try makeZone(store, "other.example.", id: "Z2", reference: "ref-1")
        }
        #expect(try store.version == 1)
        #expect(try store.hostedZoneCount() == 1)
    }

    @Test func nameIsUnique() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        expectError("ConflictingDomainExists") {
            try makeZone(store, "EXAMPLE.com.", id: "Z2", reference: "ref-2")
        }
        #expect(try store.version == 1)
        #expect(try store.change(id: "C-Z2") == nil)
    }

    @Test func updateComment() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        #expect(try store.updateComment(zoneID: "Z1", comment: "second").comment == "second")
        #expect(try store.hostedZone(id: "Z1")?.comment == "second")
        #expect(try store.updateComment(zoneID: "Z1", comment: nil).comment == nil)
        #expect(try store.hostedZone(id: "Z1")?.comment == nil)
        #expect(try store.version == 3)
        expectError("NoSuchHostedZone", status: 404, message: "No hosted zone found with ID: Z2") {
            _ = try store.updateComment(zoneID: "Z2", comment: "x")
        }
    }

    @Test func deleteCascades() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        try makeZone(store, "other.example.", id: "Z2", reference: "ref-2")
        try store.changeTags(resourceType: "hostedzone", resourceID: "Z1", add: [(key: "k", value: "v")], remove: [])
        try store.changeTags(resourceType: "hostedzone", resourceID: "Z2", add: [(key: "k", value: "v")], remove: [])
        let change = try store.deleteHostedZone(id: "Z1", changeID: "D1", submittedAt: 2000) { _ in true }
        #expect(change == ChangeInfo(id: "D1", version: 5, submittedAt: 2000, comment: nil))
        #expect(try store.change(id: "D1") == change)
        #expect(try store.hostedZone(id: "Z1") == nil)
        #expect(try store.hostedZones().map(\.id) == ["Z2"])
        expectError("NoSuchHostedZone", status: 404) { _ = try store.recordSets(zoneID: "Z1") }
        expectError("NoSuchHostedZone", status: 404) { _ = try store.tags(resourceType: "hostedzone", resourceID: "Z1") }
        #expect(try store.recordSetCount(zoneID: "Z2") == 2)
        #expect(try store.tags(resourceType: "hostedzone", resourceID: "Z2").count == 1)
        // The caller reference stays used (Route 53's rule); the name is free again.
        expectError("HostedZoneAlreadyExists", status: 409) { _ = try makeZone(store, id: "Z3") }
        try makeZone(store, id: "Z3", reference: "ref-3")
        #expect(try store.recordSetCount(zoneID: "Z3") == 2)
        #expect(try store.tags(resourceType: "hostedzone", resourceID: "Z3").isEmpty)
        expectError("NoSuchHostedZone", status: 404) {
            _ = try store.deleteHostedZone(id: "Z1", changeID: "D2", submittedAt: 0) { _ in true }
        }
    }

    @Test func recordSetCountsOfEveryZone() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        try makeZone(store, "other.example.", id: "Z2", reference: "ref-2")
        _ = try store.changeRecordSets(zoneID: "Z2", changeID: "C3", submittedAt: 0, comment: nil) {
            .success($0 + [ResourceRecordSet(name: name("www.other.example."), type: .a, ttl: 60, records: ["192.0.2.1"])])
        }
        #expect(try store.recordSetCounts() == ["Z1": 2, "Z2": 3])
    }

    @Test func deleteRefusesNonRequiredSets() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        _ = try store.changeRecordSets(zoneID: "Z1", changeID: "C2", submittedAt: 0, comment: nil,
                                       transform: { .success($0 + [set("www.example.com.", .a)]) })
        expectError("HostedZoneNotEmpty",
                    message: "The specified hosted zone contains non-required resource record sets and so cannot be deleted.") {
            _ = try store.deleteHostedZone(id: "Z1", changeID: "D1", submittedAt: 0) { $0.type == .soa || $0.type == .ns }
        }
        #expect(try store.recordSetCount(zoneID: "Z1") == 3)
        #expect(try store.version == 2)
    }
}

@Suite struct RecordSetTests {
    @Test func sortedByRecordSetKey() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        let sets = [
            set("z.example.com.", .a), set("a.b.example.com.", .txt, ["\"x\""]), set("b.example.com.", .a),
            set("*.example.com.", .mx, ["10 mx.example.com."]), set("a.example.com.", .aaaa, ["2001:db8::1"]),
            set("a.example.com.", .a, id: "two", weight: 1), set("a.example.com.", .a, id: "one", weight: 1),
            set("a.example.com.", .cname, ["b.example.com."]), set("\\000.example.com.", .a),
            set("a-.example.com.", .a), set("aa.example.com.", .a), set("example.com.", .mx, ["10 mx.example.com."]),
        ]
        _ = try store.changeRecordSets(zoneID: "Z1", changeID: "C2", submittedAt: 0, comment: nil,
                                       transform: { .success($0 + sets.shuffled()) })
        let stored = try store.recordSets(zoneID: "Z1")
        #expect(stored == (apex("example.com.") + sets).sorted { $0.key < $1.key })
        #expect(stored.map(\.key).first?.name == name("example.com."))
    }

    @Test func orderKeyFollowsRoute53Order() throws {
        let names = ["example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
                     "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example.", "a\\000.example.",
                     "a.", "b.", "\\000.", "."].map(name)
        for a in names {
            for b in names {
                #expect((RecordSetRow.orderKey(a).lexicographicallyPrecedes(RecordSetRow.orderKey(b)))
                        == DomainName.route53Order(a, b), "\(a) \(b)")
            }
        }
    }

    @Test func changeWritesDifferencesAndRecordsChange() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        let www = set("www.example.com.", .a), mail = set("mail.example.com.", .a)
        let first = try store.changeRecordSets(zoneID: "Z1", changeID: "C2", submittedAt: 5, comment: "add",
                                               transform: { .success($0 + [www, mail]) })
        #expect(first == ChangeInfo(id: "C2", version: 2, submittedAt: 5, comment: "add"))
        #expect(try store.change(id: "C2") == first)
        var seen: [ResourceRecordSet] = []
        var changedWWW = www
        changedWWW.ttl = 60
        let second = try store.changeRecordSets(zoneID: "Z1", changeID: "C3", submittedAt: 6, comment: nil) { sets in
            seen = sets
            return .success(sets.filter { $0 != mail && $0 != www } + [changedWWW])
        }
        #expect(second.version == 3)
        #expect(seen == (apex("example.com.") + [www, mail]).sorted { $0.key < $1.key })
        #expect(try store.recordSets(zoneID: "Z1") == (apex("example.com.") + [changedWWW]).sorted { $0.key < $1.key })
    }

    @Test func failingTransformWritesNothing() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        let failure = Route53Error.invalidChangeBatch(["nope"])
        #expect(throws: failure) {
            _ = try store.changeRecordSets(zoneID: "Z1", changeID: "C2", submittedAt: 0, comment: nil) { _ in
                .failure(failure)
            }
        }
        #expect(try store.version == 1)
        #expect(try store.change(id: "C2") == nil)
        #expect(try store.recordSets(zoneID: "Z1") == apex("example.com."))
    }

    @Test func failureAfterPartialWriteWritesNothing() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        let www = set("www.example.com.", .a)
        // The first www is written before the repeated key is noticed.
        #expect(throws: DatabaseError.self) {
            _ = try store.changeRecordSets(zoneID: "Z1", changeID: "C2", submittedAt: 0, comment: nil,
                                           transform: replacing([www, set("www.example.com.", .a, ["192.0.2.9"])]))
        }
        #expect(try store.version == 1)
        #expect(try store.change(id: "C2") == nil)
        #expect(try store.recordSets(zoneID: "Z1") == apex("example.com."))
    }

    @Test func unknownZone() throws {
        let store = try Store.inMemory()
        var called = false
        expectError("NoSuchHostedZone", status: 404, message: "No hosted zone found with ID: Z404") {
            _ = try store.changeRecordSets(zoneID: "Z404", changeID: "C1", submittedAt: 0, comment: nil) { sets in
                called = true
                return .success(sets)
            }
        }
        #expect(!called)
        expectError("NoSuchHostedZone", status: 404) { _ = try store.recordSets(zoneID: "Z404") }
        expectError("NoSuchHostedZone", status: 404) { _ = try store.recordSetCount(zoneID: "Z404") }
        #expect(try store.version == 0)
    }

    @Test func changeIDsAreUnique() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        #expect(throws: DatabaseError.self) {
            _ = try store.changeRecordSets(zoneID: "Z1", changeID: "C-Z1", submittedAt: 0, comment: nil) { .success($0) }
        }
        #expect(try store.version == 1)
    }

    @Test func everyKindOfRecordSetRoundTrips() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        let sets = [
            ResourceRecordSet(name: name("alias.example.com."), type: .a,
                              aliasTarget: AliasTarget(hostedZoneID: "Z1", dnsName: name("www.example.com."),
                                                       evaluateTargetHealth: true)),
            ResourceRecordSet(name: name("geo.example.com."), type: .a, setIdentifier: "eu",
                              geoLocation: GeoLocation(continentCode: "EU"), ttl: 60, records: ["192.0.2.1"],
                              healthCheckID: "hc-1"),
            ResourceRecordSet(name: name("lat.example.com."), type: .aaaa, setIdentifier: "x", region: "us-east-1",
                              ttl: 60, records: ["2001:db8::1"]),
            ResourceRecordSet(name: name("fo.example.com."), type: .a, setIdentifier: "p", failover: "PRIMARY",
                              ttl: 60, records: ["192.0.2.1"]),
            ResourceRecordSet(name: name("mv.example.com."), type: .a, setIdentifier: "m", multiValueAnswer: true,
                              ttl: 60, records: ["192.0.2.1"]),
            ResourceRecordSet(name: name("\\052.example.com."), type: RRType(65280), ttl: 60, records: ["\\# 0"]),
        ]
        _ = try store.changeRecordSets(zoneID: "Z1", changeID: "C2", submittedAt: 0, comment: nil,
                                       transform: { .success($0 + sets) })
        #expect(Set(try store.recordSets(zoneID: "Z1")) == Set(apex("example.com.") + sets))
    }
}

@Suite struct VersionTests {
    @Test func everyMutationTakesTheNextVersion() throws {
        let store = try Store.inMemory()
        #expect(try store.version == 0)
        var expected: UInt64 = 0
        func next(_ body: () throws -> Void) throws {
            try body()
            expected += 1
            #expect(try store.version == expected)
        }
        try next { try makeZone(store) }
        try next { _ = try store.updateComment(zoneID: "Z1", comment: "x") }
        try next { _ = try store.changeRecordSets(zoneID: "Z1", changeID: "C2", submittedAt: 0, comment: nil) { .success($0) } }
        try next { try store.changeTags(resourceType: "hostedzone", resourceID: "Z1", add: [(key: "a", value: "b")], remove: []) }
        try next { try store.addCredential(accessKeyID: "AK", secretAccessKey: "S") }
        try next { _ = try store.deleteHostedZone(id: "Z1", changeID: "D1", submittedAt: 0) { _ in true } }
        #expect(try store.change(id: "D1")?.version == expected)
        // Reads don't move it.
        _ = try store.hostedZones()
        _ = try store.credentials()
        #expect(try store.version == expected)
    }
}

@Suite struct TagTests {
    @Test func addReplaceRemove() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        try store.changeTags(resourceType: "hostedzone", resourceID: "Z1",
                             add: [(key: "team", value: "dns"), (key: "env", value: "prod")], remove: [])
        #expect(try store.tags(resourceType: "hostedzone", resourceID: "Z1").map { "\($0.key)=\($0.value)" }
                == ["env=prod", "team=dns"])
        try store.changeTags(resourceType: "hostedzone", resourceID: "Z1",
                             add: [(key: "env", value: "dev")], remove: ["team", "absent"])
        #expect(try store.tags(resourceType: "hostedzone", resourceID: "Z1").map { "\($0.key)=\($0.value)" }
                == ["env=dev"])
        // A zone id is no health check id (health check tags: HealthCheckStoreTests).
        expectError("NoSuchHealthCheck", status: 404) {
            try store.changeTags(resourceType: "healthcheck", resourceID: "Z1", add: [(key: "x", value: "y")], remove: [])
        }
        expectError("NoSuchHostedZone", status: 404) {
            try store.changeTags(resourceType: "hostedzone", resourceID: "Z2", add: [(key: "a", value: "b")], remove: [])
        }
    }

    @Test func atMostFiftyTags() throws {
        let store = try Store.inMemory()
        try makeZone(store)
        let fifty = (0..<50).map { (key: "k\($0)", value: "v") }
        try store.changeTags(resourceType: "hostedzone", resourceID: "Z1", add: fifty, remove: [])
        let version = try store.version
        expectError("InvalidInput") {
            try store.changeTags(resourceType: "hostedzone", resourceID: "Z1",
                                 add: [(key: "k50", value: "v"), (key: "k0", value: "w")], remove: [])
        }
        #expect(try store.version == version)
        #expect(try store.tags(resourceType: "hostedzone", resourceID: "Z1").count == 50)
        #expect(try store.tags(resourceType: "hostedzone", resourceID: "Z1").first { $0.key == "k0" }?.value == "v")
        // Replacing a value or swapping a key stays within the limit.
        try store.changeTags(resourceType: "hostedzone", resourceID: "Z1",
                             add: [(key: "k50", value: "v"), (key: "k0", value: "w")], remove: ["k1", "k2"])
        #expect(try store.tags(resourceType: "hostedzone", resourceID: "Z1").count == 49)
    }
}

@Suite struct CredentialTests {
    @Test func addAndReplace() throws {
        let store = try Store.inMemory()
        #expect(try store.credentials().isEmpty)
        try store.addCredential(accessKeyID: "AKB", secretAccessKey: "s1")
        try store.addCredential(accessKeyID: "AKA", secretAccessKey: "s2")
        try store.addCredential(accessKeyID: "AKB", secretAccessKey: "s3")
        #expect(try store.credentials().map { "\($0.accessKeyID):\($0.secretAccessKey)" } == ["AKA:s2", "AKB:s3"])
    }
}

@Suite struct FileTests {
    @Test func reopenFindsEverything() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent()
                                                        .deletingLastPathComponent().path) }
        let www = set("www.example.com.", .a)
        do {
            let store = try Store(path: path)
            try makeZone(store)
            _ = try store.changeRecordSets(zoneID: "Z1", changeID: "C2", submittedAt: 7, comment: "hi",
                                           transform: { .success($0 + [www]) })
            try store.changeTags(resourceType: "hostedzone", resourceID: "Z1", add: [(key: "a", value: "b")], remove: [])
            try store.addCredential(accessKeyID: "AK", secretAccessKey: "S")
        }
        for _ in 0..<2 {  // Migrations run once: reopening twice is fine.
            let store = try Store(path: path)
            #expect(try store.version == 4)
            #expect(try store.hostedZones() == [HostedZone(id: "Z1", name: name("example.com."),
                                                           callerReference: "ref-1", comment: "first")])
            #expect(try store.recordSets(zoneID: "Z1") == (apex("example.com.") + [www]).sorted { $0.key < $1.key })
            #expect(try store.change(id: "C2") == ChangeInfo(id: "C2", version: 2, submittedAt: 7, comment: "hi"))
            #expect(try store.tags(resourceType: "hostedzone", resourceID: "Z1").map(\.value) == ["b"])
            #expect(try store.credentials().map(\.secretAccessKey) == ["S"])
        }
    }

    @Test func walWithFullSync() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent()
                                                        .deletingLastPathComponent().path) }
        let store = try Store(path: path)
        try makeZone(store)
        let (journal, synchronous) = try store.writer.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)  // FULL
        #expect(try store.writer.read { try Bool.fetchOne($0, sql: "PRAGMA foreign_keys") } == true)
    }

    @Test func migrationsAreRecorded() throws {
        let store = try Store.inMemory()
        #expect(try store.writer.read { try Schema.migrator.appliedIdentifiers($0) } == ["v1", "v2", "v3", "v4"])
    }
}
