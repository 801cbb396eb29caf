import GRDB
import Route53Model

/// Every node's latest observation of every health check, so that nodes
/// sharing a store decide one status from all observers (and so that
/// `nearcast answer --data-dir` sees the statuses a running node decided).
///
/// Like health checks, observations take no store version: they are not
/// DNS data. Each call is one transaction.
extension Store {
    /// Replaces the stored observations of the same (check, observer) pairs.
    public func recordObservations(_ observations: [HealthObservation]) throws {
        guard !observations.isEmpty else { return }
        try writer.write { db in
            for observation in observations {
                try db.execute(
                    sql: """
                        INSERT INTO health_observation
                            (check_id, observer, observer_address, healthy, report, checked_at, last_failure, last_failure_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (check_id, observer) DO UPDATE SET observer_address = excluded.observer_address,
                            healthy = excluded.healthy, report = excluded.report, checked_at = excluded.checked_at,
                            last_failure = excluded.last_failure, last_failure_at = excluded.last_failure_at
                        """,
                    arguments: [observation.checkID, observation.observer, observation.observerAddress,
                                observation.healthy, observation.report, observation.checkedAt,
                                observation.lastFailure?.report, observation.lastFailure?.checkedAt])
            }
        }
    }

    /// Every stored observation (of the check `checkID` when given).
    public func observations(of checkID: String? = nil) throws -> [HealthObservation] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM health_observation WHERE ?1 IS NULL OR check_id = ?1 ORDER BY check_id, observer
                """, arguments: [checkID]).map { row in
                let failure: String? = row["last_failure"]
                return HealthObservation(
                    checkID: row["check_id"], observer: row["observer"], observerAddress: row["observer_address"],
                    healthy: row["healthy"], report: row["report"], checkedAt: row["checked_at"],
                    lastFailure: failure.map { ($0, row["last_failure_at"] ?? row["checked_at"]) })
            }
        }
    }
}
