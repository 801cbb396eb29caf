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
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                -- data is the HealthCheckConfig as JSON; created_order orders ListHealthChecks.
                CREATE TABLE health_check (
                    id TEXT PRIMARY KEY,
                    caller_reference TEXT NOT NULL UNIQUE,
                    data TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_order INTEGER NOT NULL UNIQUE
                );

                -- Health check caller references stay used after their check is deleted;
                -- config is the HealthCheckConfig the check was created with (JSON), so
                -- that an identical retry is recognized.
                CREATE TABLE health_check_caller_reference (
                    reference TEXT PRIMARY KEY,
                    config TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                -- Each node's (observer's) latest observation of each health check;
                -- checked_at is milliseconds since 1970. Deleted with their check.
                CREATE TABLE health_observation (
                    check_id TEXT NOT NULL,
                    observer TEXT NOT NULL,
                    observer_address TEXT NOT NULL,
                    healthy INTEGER NOT NULL,
                    report TEXT NOT NULL,
                    checked_at INTEGER NOT NULL,
                    PRIMARY KEY (check_id, observer)
                ) WITHOUT ROWID;
                CREATE TRIGGER health_observation_of_deleted_check AFTER DELETE ON health_check
                BEGIN DELETE FROM health_observation WHERE check_id = old.id; END;

                -- Rises with every health check mutation, for nodes that poll for them.
                CREATE TABLE health_check_generation (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    value INTEGER NOT NULL
                );
                INSERT INTO health_check_generation (id, value) VALUES (1, 0);
                CREATE TRIGGER health_check_created AFTER INSERT ON health_check
                BEGIN UPDATE health_check_generation SET value = value + 1; END;
                CREATE TRIGGER health_check_updated AFTER UPDATE ON health_check
                BEGIN UPDATE health_check_generation SET value = value + 1; END;
                CREATE TRIGGER health_check_deleted AFTER DELETE ON health_check
                BEGIN UPDATE health_check_generation SET value = value + 1; END;
                """)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                -- Each observer's latest failed request, kept after later successes.
                ALTER TABLE health_observation ADD COLUMN last_failure TEXT;
                ALTER TABLE health_observation ADD COLUMN last_failure_at INTEGER;
                """)
        }
        return migrator
    }
}
