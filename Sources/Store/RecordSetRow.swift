import DNSWire
import Foundation
import GRDB
import Route53Model

/// How a record set maps to a `record_set` row.
enum RecordSetRow {
    /// Inserts `set`, or replaces the row with the same key.
    static func save(_ set: ResourceRecordSet, zoneID: String, _ db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = String(decoding: try encoder.encode(set), as: UTF8.self)
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO record_set (zone_id, name, type, set_identifier, order_key, data)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: keyArguments(set.key, zoneID: zoneID) + [orderKey(set.name), data])
    }

    static func delete(_ key: RecordSetKey, zoneID: String, _ db: Database) throws {
        try db.cachedStatement(
            sql: "DELETE FROM record_set WHERE zone_id = ? AND name = ? AND type = ? AND set_identifier = ?"
        ).execute(arguments: keyArguments(key, zoneID: zoneID))
    }

    /// The zone's record sets in `RecordSetKey` order.
    static func fetchAll(zoneID: String, _ db: Database) throws -> [ResourceRecordSet] {
        let decoder = JSONDecoder()
        return try String.fetchAll(
            db,
            sql: "SELECT data FROM record_set WHERE zone_id = ? ORDER BY order_key, type, set_identifier",
            arguments: [zoneID]
        ).map { try decoder.decode(ResourceRecordSet.self, from: Data($0.utf8)) }
    }

    private static func keyArguments(_ key: RecordSetKey, zoneID: String) -> StatementArguments {
        [zoneID, key.name.lowercased.description, key.type.description, key.setIdentifier ?? ""]
    }

    /// Bytes in Route 53's listing order (`DomainName.route53SortKey`).
    static func orderKey(_ name: DomainName) -> Data { Data(name.route53SortKey) }
}
