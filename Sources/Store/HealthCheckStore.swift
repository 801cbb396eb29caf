import Foundation
import GRDB
import Route53Model

/// Health checks.
///
/// Unlike the other mutations, these do not take a store version: versions
/// order the DNS data that GetChange reports on, and a health check is not
/// DNS data (record sets only name it). Each mutation is still one transaction.
extension Store {
    /// Creates `check` at the end of the creation order. A caller reference
    /// stays used after its check is deleted: reusing it for the live check
    /// it created, with an equal config, returns that check (`created`
    /// false); any other reuse throws HealthCheckAlreadyExists. Throws
    /// InvalidInput when a child health check does not exist.
    public func createHealthCheck(_ check: HealthCheck) throws -> (check: HealthCheck, created: Bool) {
        try writer.write { db in
            if let used = try String.fetchOne(db, sql: "SELECT config FROM health_check_caller_reference WHERE reference = ?",
                                              arguments: [check.callerReference]) {
                guard try Self.decode(used) == check.config,
                      let row = try Row.fetchOne(db, sql: "SELECT * FROM health_check WHERE caller_reference = ?",
                                                 arguments: [check.callerReference]) else {
                    throw Route53Error.healthCheckAlreadyExists
                }
                return (try Self.healthCheck(row: row), false)
            }
            try Self.checkChildren(of: check.id, check.config, adding: check.config.childHealthChecks, db)
            let data = try Self.encode(check.config)
            try db.execute(
                sql: """
                    INSERT INTO health_check (id, caller_reference, data, version, created_order)
                    VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(created_order), 0) + 1 FROM health_check))
                    """,
                arguments: [check.id, check.callerReference, data, check.version])
            try db.execute(sql: "INSERT INTO health_check_caller_reference (reference, config) VALUES (?, ?)",
                           arguments: [check.callerReference, data])
            return (check, true)
        }
    }

    /// The health check with this id, or nil.
    public func healthCheck(id: String) throws -> HealthCheck? {
        try writer.read { try Self.healthCheck(id, $0) }
    }

    /// All health checks, oldest first.
    public func healthChecks() throws -> [HealthCheck] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM health_check ORDER BY created_order").map(Self.healthCheck(row:))
        }
    }

    /// A number that rises whenever a health check is created, updated or
    /// deleted (by any node sharing the store): cheap to poll.
    public func healthCheckGeneration() throws -> Int64 {
        try writer.read { try Int64.fetchOne($0, sql: "SELECT value FROM health_check_generation") ?? 0 }
    }

    public func healthCheckCount() throws -> Int {
        try writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM health_check") ?? 0 }
    }

    /// In one transaction: reads the check (NoSuchHealthCheck when there is
    /// none), calls `update` with it, and stores the config it returns with
    /// the next HealthCheckVersion. Throws InvalidInput when a child that
    /// the check did not have does not exist, or when the check would
    /// monitor itself through its children. When `update` throws, nothing
    /// is written and its error is thrown.
    public func updateHealthCheck(id: String, _ update: (HealthCheck) throws -> HealthCheckConfig) throws -> HealthCheck {
        try writer.write { db in
            guard var check = try Self.healthCheck(id, db) else { throw Route53Error.noSuchHealthCheck(id) }
            let config = try update(check)
            let added = config.childHealthChecks.filter { !check.config.childHealthChecks.contains($0) }
            try Self.checkChildren(of: id, config, adding: added, db)
            check.config = config
            check.version += 1
            try db.execute(sql: "UPDATE health_check SET data = ?, version = ? WHERE id = ?",
                           arguments: [try Self.encode(config), check.version, id])
            return check
        }
    }

    /// Deletes the check and its tags; its caller reference stays used.
    /// Record sets and calculated checks that name it keep its id, as in
    /// Route 53. Throws NoSuchHealthCheck.
    public func deleteHealthCheck(id: String) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM health_check WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw Route53Error.noSuchHealthCheck(id) }
            try db.execute(sql: "DELETE FROM tag WHERE resource_type = 'healthcheck' AND resource_id = ?", arguments: [id])
        }
    }

    /// The first of `ids` that names no health check, or nil.
    ///
    /// Reentrant: called inside a store transaction (such as the
    /// `transform` of `changeRecordSets`), it reads that transaction, so no
    /// deletion can come between this check and the transaction's writes.
    public func firstUnknownHealthCheck(among ids: [String]) throws -> String? {
        try writer.unsafeReentrantWrite { db in try ids.first { try Self.healthCheck($0, db) == nil } }
    }

    // MARK: Helpers (inside a transaction)

    /// Throws NoSuchHealthCheck when `id` names no health check.
    static func requireHealthCheck(_ id: String, _ db: Database) throws {
        guard try healthCheck(id, db) != nil else { throw Route53Error.noSuchHealthCheck(id) }
    }

    /// Every child in `added` exists, and no child of `config` leads back
    /// to `id` (a calculated check cannot depend on its own status).
    private static func checkChildren(of id: String, _ config: HealthCheckConfig, adding added: [String],
                                      _ db: Database) throws {
        for child in added where try healthCheck(child, db) == nil { throw Route53Error.noSuchChildHealthCheck(child) }
        var seen = Set<String>(), pending = config.childHealthChecks
        while let next = pending.popLast() {
            if next == id { throw Route53Error.healthCheckCycle(id) }
            guard seen.insert(next).inserted, let child = try healthCheck(next, db) else { continue }
            pending += child.config.childHealthChecks
        }
    }

    private static func healthCheck(_ id: String, _ db: Database) throws -> HealthCheck? {
        try Row.fetchOne(db, sql: "SELECT * FROM health_check WHERE id = ?", arguments: [id]).map(healthCheck(row:))
    }

    private static func healthCheck(row: Row) throws -> HealthCheck {
        HealthCheck(id: row["id"], callerReference: row["caller_reference"], config: try decode(row["data"]),
                    version: row["version"])
    }

    private static func encode(_ config: HealthCheckConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }

    private static func decode(_ json: String) throws -> HealthCheckConfig {
        try JSONDecoder().decode(HealthCheckConfig.self, from: Data(json.utf8))
    }
}
