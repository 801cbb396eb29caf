import GRDB

/// The database schema, as named migrations applied in order, each once.
///
/// Never edit a registered migration: add a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // `version` is the highest version written; each mutation takes the next one.
            try db.execute(sql: """
                CREATE TABLE meta (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL
                );
                INSERT INTO meta (id, version) VALUES (1, 0);

                -- created_version orders ListHostedZones.
                CREATE TABLE hosted_zone (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    caller_reference TEXT NOT NULL UNIQUE,
                    comment TEXT,
                    created_version INTEGER NOT NULL
                );

                -- Caller references stay used after their zone is deleted (Route 53's rule).
                CREATE TABLE caller_reference (reference TEXT PRIMARY KEY);

                -- name is the lowercase presentation form; set_identifier is '' when
                -- absent (Route 53 set identifiers are never empty); data is the
                -- whole ResourceRecordSet as JSON; order_key sorts names in Route 53's listing order.
                CREATE TABLE record_set (
                    zone_id TEXT NOT NULL REFERENCES hosted_zone(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    type TEXT NOT NULL,
                    set_identifier TEXT NOT NULL,
                    order_key BLOB NOT NULL,
                    data TEXT NOT NULL,
                    PRIMARY KEY (zone_id, name, type, set_identifier)
                ) WITHOUT ROWID;
                CREATE INDEX record_set_order ON record_set (zone_id, order_key, type, set_identifier);

                CREATE TABLE change (
                    id TEXT PRIMARY KEY,
                    version INTEGER NOT NULL UNIQUE,
                    submitted_at INTEGER NOT NULL,
                    comment TEXT
                );

                CREATE TABLE tag (
                    resource_type TEXT NOT NULL,
                    resource_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (resource_type, resource_id, key)
                ) WITHOUT ROWID;

                CREATE TABLE credential (
                    access_key_id TEXT PRIMARY KEY,
                    secret_access_key TEXT NOT NULL
                );
                """)
        }
        return migrator
    }
}
