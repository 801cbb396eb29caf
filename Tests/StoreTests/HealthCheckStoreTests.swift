import DNSWire
import Route53Model
@testable import Store
import Testing

private func check(_ id: String, reference: String? = nil, port: Int = 80) -> HealthCheck {
    HealthCheck(id: id, callerReference: reference ?? "ref-\(id)",
                config: HealthCheckConfig(type: .http, ipAddress: "198.51.100.1", port: port, enableSNI: false))
}

private func calculated(_ id: String, children: [String]) -> HealthCheck {
    HealthCheck(id: id, callerReference: "ref-\(id)",
                config: HealthCheckConfig(type: .calculated, healthThreshold: 1, childHealthChecks: children))
}

@Suite struct HealthCheckStoreTests {
    @Test func createReadListCount() throws {
        let store = try Store.inMemory()
        for id in ["c", "a", "b"] { #expect(try store.createHealthCheck(check(id)) == (check(id), true)) }
        #expect(try store.healthCheck(id: "a") == check("a"))
        #expect(try store.healthCheck(id: "zz") == nil)
        #expect(try store.healthChecks().map(\.id) == ["c", "a", "b"])
        #expect(try store.healthCheckCount() == 3)
        try store.deleteHealthCheck(id: "c")
        _ = try store.createHealthCheck(check("d"))
        #expect(try store.healthChecks().map(\.id) == ["a", "b", "d"])
        // Health checks take no store version: versions order DNS data.
        #expect(try store.version == 0)
    }

    /// A caller reference is for one check, for good.
    @Test func callerReferenceIdempotency() throws {
        let store = try Store.inMemory()
        _ = try store.createHealthCheck(check("a", reference: "r"))
        _ = try store.updateHealthCheck(id: "a") { $0.config }
        let retry = try store.createHealthCheck(check("b", reference: "r"))
        #expect(retry.check.id == "a" && retry.check.version == 2 && !retry.created)
        let exists = "A different health check has already been created with the specified caller reference."
        expectError("HealthCheckAlreadyExists", status: 409, message: exists) {
            _ = try store.createHealthCheck(check("c", reference: "r", port: 81))
        }
        try store.deleteHealthCheck(id: "a")
        expectError("HealthCheckAlreadyExists", status: 409, message: exists) {
            _ = try store.createHealthCheck(check("d", reference: "r"))
        }
        #expect(try store.healthCheckCount() == 0)
    }

    @Test func updateTakesTheNextVersion() throws {
        let store = try Store.inMemory()
        _ = try store.createHealthCheck(check("a"))
        let updated = try store.updateHealthCheck(id: "a") { current in
            #expect(current.version == 1)
            var config = current.config
            config.port = 8080
            return config
        }
        #expect(updated.version == 2 && updated.config.port == 8080)
        #expect(try store.healthCheck(id: "a") == updated)
        expectError("InvalidInput") {
            _ = try store.updateHealthCheck(id: "a") { _ in throw Route53Error.invalidInput("no") }
        }
        #expect(try store.healthCheck(id: "a") == updated)
        expectError("NoSuchHealthCheck", status: 404, message: "A health check with id zz does not exist.") {
            _ = try store.updateHealthCheck(id: "zz") { $0.config }
        }
    }

    @Test func childrenExistAndFormNoCycle() throws {
        let store = try Store.inMemory()
        _ = try store.createHealthCheck(check("leaf"))
        expectError("InvalidInput", message: "Invalid parameter : Child health check nope does not exist.") {
            _ = try store.createHealthCheck(calculated("top", children: ["leaf", "nope"]))
        }
        _ = try store.createHealthCheck(calculated("mid", children: ["leaf"]))
        _ = try store.createHealthCheck(calculated("top", children: ["mid"]))
        expectError("InvalidInput", message: "Invalid parameter : Health check mid cannot monitor itself through its child health checks.") {
            _ = try store.updateHealthCheck(id: "mid") { _ in calculated("mid", children: ["leaf", "top"]).config }
        }
        // A deleted child stays listed; only children being added must exist.
        try store.deleteHealthCheck(id: "leaf")
        let updated = try store.updateHealthCheck(id: "mid") { current in
            var config = current.config
            config.inverted = true
            return config
        }
        #expect(updated.config.childHealthChecks == ["leaf"])
    }

    @Test func deleteRemovesTags() throws {
        let store = try Store.inMemory()
        _ = try store.createHealthCheck(check("a"))
        try store.changeTags(resourceType: "healthcheck", resourceID: "a", add: [(key: "k", value: "v")], remove: [])
        #expect(try store.tags(resourceType: "healthcheck", resourceID: "a").map(\.key) == ["k"])
        try store.deleteHealthCheck(id: "a")
        expectError("NoSuchHealthCheck", status: 404) { _ = try store.tags(resourceType: "healthcheck", resourceID: "a") }
        expectError("NoSuchHealthCheck", status: 404) {
            try store.changeTags(resourceType: "healthcheck", resourceID: "a", add: [(key: "k", value: "v")], remove: [])
        }
        expectError("NoSuchHealthCheck", status: 404) { try store.deleteHealthCheck(id: "a") }
        #expect(try store.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM tag") } == 0)
    }

    /// Inside a record set transaction, the lookup sees that transaction.
    @Test func unknownHealthCheckInsideATransaction() throws {
        let store = try Store.inMemory()
        _ = try store.createHealthCheck(check("a"))
        _ = try store.createHostedZone(name: try DomainName(parsing: "example.com.", origin: .root), callerReference: "z",
                                       comment: nil, initialRecordSets: [], id: "Z1", changeID: "C1", submittedAt: 0)
        var seen: [String?] = []
        _ = try store.changeRecordSets(zoneID: "Z1", changeID: "C2", submittedAt: 0, comment: nil) { sets in
            seen.append(try? store.firstUnknownHealthCheck(among: ["a"]))
            seen.append(try? store.firstUnknownHealthCheck(among: ["a", "b", "c"]))
            return .success(sets)
        }
        #expect(seen == [nil, "b"])
        #expect(try store.firstUnknownHealthCheck(among: []) == nil)
    }
}

@Suite struct HealthObservationStoreTests {
    func observation(_ id: String, _ observer: String, healthy: Bool, at time: Int64) -> HealthObservation {
        HealthObservation(checkID: id, observer: observer, observerAddress: "192.0.2.9", healthy: healthy,
                          report: healthy ? "Success: HTTP Status Code 200, OK" : "Failure: The endpoint refused the connection.",
                          checkedAt: time)
    }

    @Test func keepsTheLatestObservationPerCheckAndObserver() throws {
        let store = try Store.inMemory()
        _ = try store.createHealthCheck(check("a"))
        _ = try store.createHealthCheck(check("b"))
        try store.recordObservations([observation("a", "node-1", healthy: true, at: 1), observation("a", "node-2", healthy: false, at: 2)])
        try store.recordObservations([observation("a", "node-1", healthy: false, at: 3), observation("b", "node-1", healthy: true, at: 4)])
        #expect(try store.observations() == [observation("a", "node-1", healthy: false, at: 3),
                                             observation("a", "node-2", healthy: false, at: 2),
                                             observation("b", "node-1", healthy: true, at: 4)])
        #expect(try store.version == 0, "observations are not DNS data")
    }

    @Test func aDeletedCheckTakesItsObservationsAlong() throws {
        let store = try Store.inMemory()
        _ = try store.createHealthCheck(check("a"))
        try store.recordObservations([observation("a", "node-1", healthy: true, at: 1)])
        try store.deleteHealthCheck(id: "a")
        _ = try store.createHealthCheck(check("a", reference: "again"))
        #expect(try store.observations().isEmpty)
    }
}

@Suite struct HealthCheckGenerationTests {
    @Test func risesWithEveryMutation() throws {
        let store = try Store.inMemory()
        var seen = [try store.healthCheckGeneration()]
        _ = try store.createHealthCheck(check("a"))
        seen.append(try store.healthCheckGeneration())
        _ = try store.updateHealthCheck(id: "a") { current in
            var config = current.config
            config.failureThreshold = 5
            return config
        }
        seen.append(try store.healthCheckGeneration())
        try store.deleteHealthCheck(id: "a")
        seen.append(try store.healthCheckGeneration())
        // Deleting the newest check and creating another leaves count and order as they were: still a new generation.
        _ = try store.createHealthCheck(check("b"))
        seen.append(try store.healthCheckGeneration())
        #expect(seen == seen.sorted() && Set(seen).count == seen.count, "\(seen)")
    }
}

extension HealthObservationStoreTests {
    @Test func observationsOfOneCheck() throws {
        let store = try Store.inMemory()
        for id in ["a", "b"] { _ = try store.createHealthCheck(check(id)) }
        try store.recordObservations([observation("a", "n1", healthy: true, at: 1), observation("b", "n1", healthy: false, at: 2),
                                      observation("a", "n2", healthy: false, at: 3)])
        #expect(try store.observations(of: "a").map(\.observer) == ["n1", "n2"])
        #expect(try store.observations(of: "zz").isEmpty)
        #expect(try store.observations().count == 3)
    }
}

extension HealthObservationStoreTests {
    @Test func theLastFailureIsKept() throws {
        let store = try Store.inMemory()
        _ = try store.createHealthCheck(check("a"))
        var seen = observation("a", "n1", healthy: true, at: 9)
        seen.lastFailure = ("Failure: The endpoint refused the connection.", 5)
        try store.recordObservations([seen])
        #expect(try store.observations(of: "a") == [seen])
        #expect(try store.observations(of: "a").first?.lastFailure?.checkedAt == 5)
    }
}
