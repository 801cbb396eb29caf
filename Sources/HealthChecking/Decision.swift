import Route53Model

/// Route 53's status of every check: id → healthy.
///
/// - An endpoint check is decided from every observer's observation (`HealthObservation.decide`: healthy
///   when more than 18% of observers say so; none yet is healthy).
/// - A CALCULATED check is healthy when at least HealthThreshold of its children are (Developer Guide: Route 53
///   "adds up the number of health checks that Route 53 health checkers consider to be healthy" and compares it
///   with HealthThreshold; API Reference: 0 is always healthy, more than the number of children always
///   unhealthy). A child that does not exist, or that leads back to the check, counts as unhealthy (Nearcast's
///   choice: Route 53 does not say).
/// - Disabled: "Route 53 considers the status of the health check to always be healthy" (API Reference).
/// - Inverted: "Route 53 considers the health check to be unhealthy when the status is healthy and vice versa".
func decideStatuses(
    _ checks: [String: HealthCheckConfig], observations: (String) -> [HealthObservation]
) -> [String: Bool] {
    var decided: [String: Bool] = [:]
    var visiting: Set<String> = []

    func status(_ id: String) -> Bool {
        if let known = decided[id] { return known }
        guard let config = checks[id], visiting.insert(id).inserted else { return false }
        defer { visiting.remove(id) }
        let healthy =
            if config.disabled { true }
            else if config.type == .calculated {
                config.childHealthChecks.filter(status).count >= (config.healthThreshold ?? 0)
            } else { HealthObservation.decide(observations(id)) }
        decided[id] = healthy != config.inverted
        return decided[id]!
    }

    for id in checks.keys { _ = status(id) }
    return decided
}
