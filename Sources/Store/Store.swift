import DNSWire
import Foundation
import GRDB
import Route53Model

/// Nearcast's durable state: hosted zones, record sets, changes, tags and
/// API credentials, in one SQLite database.
///
/// Invariants: every public mutation is one transaction that also takes the
/// next version (`version` + 1), so versions are gapless and a returned call
/// is on disk (WAL, `synchronous = FULL`). Safe to use from any thread;
/// writes are serialized, reads run concurrently with them.
public final class Store: Sendable {
    /// Internal so that tests can inspect PRAGMAs and migrations.
    let writer: any DatabaseWriter

    /// Opens (creating the file and its directory if needed) and migrates the database at `path`.
    public convenience init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: path)
        // GRDB sets NORMAL when it enables WAL; FULL syncs the WAL on every commit.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        try self.init(writer: pool)
    }

    /// A store that lives in memory, for tests.
    public static func inMemory() throws -> Store {
        try Store(writer: DatabaseQueue())
    }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Schema.migrator.migrate(writer)
    }

    /// The highest version written; every mutation below takes the next version atomically with its data.
    public var version: UInt64 {
        get throws { try writer.read { try Self.currentVersion($0) } }
    }

    // MARK: Hosted zones

    /// Creates a zone holding `initialRecordSets` (its SOA and NS sets).
    /// Throws HostedZoneAlreadyExists when `callerReference` was ever used and
    /// ConflictingDomainExists when a zone named `name` exists.
    public func createHostedZone(name: DomainName, callerReference: String, comment: String?,
                                 initialRecordSets: [ResourceRecordSet], id: String, changeID: String,
                                 submittedAt: Int64) throws -> (HostedZone, ChangeInfo) {
        let zone = HostedZone(id: id, name: name.lowercased, callerReference: callerReference, comment: comment)
        return try writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM caller_reference WHERE reference = ?",
                                 arguments: [callerReference]) != nil {
                throw Route53Error("HostedZoneAlreadyExists", status: 409,
                                   "A hosted zone has already been created with the specified caller reference.")
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM hosted_zone WHERE name = ?",
                                 arguments: [zone.name.description]) != nil {
                throw Route53Error("ConflictingDomainExists",
                                   "A conflicting domain is already associated with the given VPC or Delegation Set.")
            }
            let change = try Self.recordChange(changeID, submittedAt: submittedAt, comment: nil, db)
            try db.execute(
                sql: """
                    INSERT INTO hosted_zone (id, name, caller_reference, comment, created_version)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [id, zone.name.description, callerReference, comment, change.version])
            try db.execute(sql: "INSERT INTO caller_reference (reference) VALUES (?)", arguments: [callerReference])
            for set in initialRecordSets { try RecordSetRow.save(set, zoneID: id, db) }
            return (zone, change)
        }
    }

    /// The zone with this id, or nil.
    public func hostedZone(id: String) throws -> HostedZone? {
        try writer.read { try Self.zone(id, $0) }
    }

    /// All zones, oldest first.
    public func hostedZones() throws -> [HostedZone] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM hosted_zone ORDER BY created_version").map(Self.zone(row:))
        }
    }

    public func hostedZoneCount() throws -> Int {
        try writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM hosted_zone") ?? 0 }
    }

    /// Throws NoSuchHostedZone for an unknown zone.
    public func recordSetCount(zoneID: String) throws -> Int {
        try writer.read { db in
            _ = try Self.existingZone(zoneID, db)
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM record_set WHERE zone_id = ?",
                                    arguments: [zoneID]) ?? 0
        }
    }

    /// The number of record sets of every zone, by zone id, in one read.
    public func recordSetCounts() throws -> [String: Int] {
        try writer.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT zone_id, count(*) AS n FROM record_set GROUP BY zone_id")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["zone_id"] as String, $0["n"] as Int) })
        }
    }

    /// Sets the zone's comment (nil removes it). Throws NoSuchHostedZone.
    public func updateComment(zoneID: String, comment: String?) throws -> HostedZone {
        try writer.write { db in
            var zone = try Self.existingZone(zoneID, db)
            zone.comment = comment
            _ = try Self.nextVersion(db)
            try db.execute(sql: "UPDATE hosted_zone SET comment = ? WHERE id = ?", arguments: [comment, zoneID])
            return zone
        }
    }

    /// Deletes the zone with its record sets and tags. Throws
    /// NoSuchHostedZone, or HostedZoneNotEmpty when a set fails `isRequired`.
    public func deleteHostedZone(id: String, changeID: String, submittedAt: Int64,
                                 isRequired: (ResourceRecordSet) -> Bool) throws -> ChangeInfo {
        try writer.write { db in
            _ = try Self.existingZone(id, db)
            guard try RecordSetRow.fetchAll(zoneID: id, db).allSatisfy(isRequired) else {
                throw Route53Error("HostedZoneNotEmpty",
                                   "The specified hosted zone contains non-required resource record sets and so cannot be deleted.")
            }
            let change = try Self.recordChange(changeID, submittedAt: submittedAt, comment: nil, db)
            try db.execute(sql: "DELETE FROM hosted_zone WHERE id = ?", arguments: [id])  // cascades to record_set
            try db.execute(sql: "DELETE FROM tag WHERE resource_type = 'hostedzone' AND resource_id = ?",
                           arguments: [id])
            return change
        }
    }

    // MARK: Record sets

    /// The zone's record sets sorted by `RecordSetKey`. Throws NoSuchHostedZone.
    public func recordSets(zoneID: String) throws -> [ResourceRecordSet] {
        try writer.read { db in
            _ = try Self.existingZone(zoneID, db)
            return try RecordSetRow.fetchAll(zoneID: zoneID, db)
        }
    }

    /// In one transaction: reads the zone's sets, calls `transform` with
    /// them, replaces them by the list it returns (writing only the
    /// differences) and records a ChangeInfo with the next version. When
    /// `transform` fails, nothing is written and its error is thrown.
    ///
    /// Throws NoSuchHostedZone (without calling `transform`), and a
    /// `DatabaseError` (writing nothing) when the returned list repeats a key.
    public func changeRecordSets(zoneID: String, changeID: String, submittedAt: Int64, comment: String?,
                                 transform: ([ResourceRecordSet]) -> Result<[ResourceRecordSet], Route53Error>) throws -> ChangeInfo {
        try writer.write { db in
            _ = try Self.existingZone(zoneID, db)
            let old = try RecordSetRow.fetchAll(zoneID: zoneID, db)
            let new = try transform(old).get()
            var removed = Dictionary(old.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            var seen = Set<RecordSetKey>()
            for set in new {
                guard seen.insert(set.key).inserted else {
                    throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_PRIMARYKEY,
                                        message: "record set \(set.name) \(set.type) listed twice")
                }
                if removed.removeValue(forKey: set.key) != set { try RecordSetRow.save(set, zoneID: zoneID, db) }
            }
            for key in removed.keys { try RecordSetRow.delete(key, zoneID: zoneID, db) }
            return try Self.recordChange(changeID, submittedAt: submittedAt, comment: comment, db)
        }
    }

    // MARK: Changes

    /// The change with this id (without any `/change/` prefix), or nil.
    public func change(id: String) throws -> ChangeInfo? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM change WHERE id = ?", arguments: [id]).map { row in
                ChangeInfo(id: row["id"], version: row["version"], submittedAt: row["submitted_at"],
                           comment: row["comment"])
            }
        }
    }

    // MARK: Tags

    /// The resource's tags sorted by key. Throws NoSuchHostedZone or
    /// NoSuchHealthCheck for an unknown resource.
    public func tags(resourceType: String, resourceID: String) throws -> [(key: String, value: String)] {
        try writer.read { db in
            try Self.requireResource(resourceType, resourceID, db)
            return try Row.fetchAll(
                db, sql: "SELECT key, value FROM tag WHERE resource_type = ? AND resource_id = ? ORDER BY key",
                arguments: [resourceType, resourceID]
            ).map { (key: $0["key"], value: $0["value"]) }
        }
    }

    /// Removes the keys in `remove`, then sets those in `add` (replacing
    /// values). Throws NoSuchHostedZone or NoSuchHealthCheck for an unknown
    /// resource, and InvalidInput (writing nothing) when the resource would
    /// have more than 50 tags.
    public func changeTags(resourceType: String, resourceID: String, add: [(key: String, value: String)],
                           remove: [String]) throws {
        try writer.write { db in
            try Self.requireResource(resourceType, resourceID, db)
            _ = try Self.nextVersion(db)
            for key in remove {
                try db.execute(sql: "DELETE FROM tag WHERE resource_type = ? AND resource_id = ? AND key = ?",
                               arguments: [resourceType, resourceID, key])
            }
            for tag in add {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO tag (resource_type, resource_id, key, value) VALUES (?, ?, ?, ?)",
                    arguments: [resourceType, resourceID, tag.key, tag.value])
            }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM tag WHERE resource_type = ? AND resource_id = ?",
                                         arguments: [resourceType, resourceID]) ?? 0
            if count > Self.maxTagsPerResource {
                throw Route53Error.invalidInput(
                    "The number of tags exceeds the limit of \(Self.maxTagsPerResource) tags for resource \(resourceID).")
            }
        }
    }

    // MARK: Credentials

    /// All credentials, sorted by access key id.
    public func credentials() throws -> [(accessKeyID: String, secretAccessKey: String)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM credential ORDER BY access_key_id").map {
                (accessKeyID: $0["access_key_id"], secretAccessKey: $0["secret_access_key"])
            }
        }
    }

    /// Adds a credential, replacing the secret when the access key id exists.
    public func addCredential(accessKeyID: String, secretAccessKey: String) throws {
        try writer.write { db in
            _ = try Self.nextVersion(db)
            try db.execute(sql: "INSERT OR REPLACE INTO credential (access_key_id, secret_access_key) VALUES (?, ?)",
                           arguments: [accessKeyID, secretAccessKey])
        }
    }

    // MARK: Helpers (inside a transaction)

    private static let maxTagsPerResource = 50

    private static func currentVersion(_ db: Database) throws -> UInt64 {
        try UInt64.fetchOne(db, sql: "SELECT version FROM meta") ?? 0
    }

    /// Takes the next version.
    private static func nextVersion(_ db: Database) throws -> UInt64 {
        try db.execute(sql: "UPDATE meta SET version = version + 1")
        return try currentVersion(db)
    }

    /// Takes the next version for a change and records the ChangeInfo.
    private static func recordChange(_ id: String, submittedAt: Int64, comment: String?,
                                     _ db: Database) throws -> ChangeInfo {
        let change = ChangeInfo(id: id, version: try nextVersion(db), submittedAt: submittedAt, comment: comment)
        try db.execute(sql: "INSERT INTO change (id, version, submitted_at, comment) VALUES (?, ?, ?, ?)",
                       arguments: [id, change.version, submittedAt, comment])
        return change
    }

    private static func zone(_ id: String, _ db: Database) throws -> HostedZone? {
        try Row.fetchOne(db, sql: "SELECT * FROM hosted_zone WHERE id = ?", arguments: [id]).map(zone(row:))
    }

    /// Throws when a "hostedzone" or "healthcheck" resource does not exist.
    private static func requireResource(_ type: String, _ id: String, _ db: Database) throws {
        switch type {
        case "hostedzone": _ = try existingZone(id, db)
        case "healthcheck": try requireHealthCheck(id, db)
        default: break
        }
    }

    private static func existingZone(_ id: String, _ db: Database) throws -> HostedZone {
        guard let zone = try zone(id, db) else { throw Route53Error.noSuchHostedZone(id) }
        return zone
    }

    private static func zone(row: Row) throws -> HostedZone {
        HostedZone(id: row["id"], name: try DomainName(parsing: row["name"] as String, origin: .root),
                   callerReference: row["caller_reference"], comment: row["comment"])
    }
}
