import Foundation
import Route53Model

/// Route 53's health check operations. Every successful create, update and
/// delete tells the backend, so that checking follows the store.
extension Operations {
    func createHealthCheck(_ body: Data) throws -> Reply {
        let request = try RequestDecoding.createHealthCheck(body)
        let config = try HealthCheckValidation.create(
            callerReference: request.callerReference, type: request.type, request.fields,
            restrictPrivateAddresses: backend.restrictPrivateHealthCheckAddresses)
        let (check, created) = try store.createHealthCheck(
            HealthCheck(id: UUID().uuidString.lowercased(), callerReference: request.callerReference, config: config))
        if created { backend.healthChecksChanged() }
        // An identical retry gets the existing check, also with 201 (Route 53's status for it is not documented).
        return (201, .element("CreateHealthCheckResponse", [ResponseEncoding.healthCheck(check)]),
                [("Location", "/2013-04-01/healthcheck/\(check.id)")])
    }

    /// The health check with this id; InvalidInput for an id longer than
    /// botocore's HealthCheckId (64), NoSuchHealthCheck for an unknown one.
    func healthCheck(_ id: String) throws -> HealthCheck {
        try checkHealthCheckID(id)
        guard let check = try store.healthCheck(id: id) else { throw Route53Error.noSuchHealthCheck(id) }
        return check
    }

    private func checkHealthCheckID(_ id: String) throws {
        guard id.count <= 64 else {
            throw Route53Error.invalidInput("1 validation error detected: Value '\(id)' at 'healthCheckId' failed to satisfy constraint: Member must have length less than or equal to 64")
        }
    }

    func getHealthCheck(_ id: String) throws -> Reply {
        (200, .element("GetHealthCheckResponse", [ResponseEncoding.healthCheck(try healthCheck(id))]), [])
    }

    /// Creation order; `marker` is the id of the first check of the page.
    func listHealthChecks(limit: Int) throws -> Reply {
        let all = try store.healthChecks()
        var start = 0
        if let marker = query["marker"] {
            guard let index = all.firstIndex(where: { $0.id == marker }) else {
                throw Route53Error.invalidInput("Invalid marker: \(marker)")
            }
            start = index
        }
        let (page, next) = Self.page(all, from: start, limit: limit)
        var children: [XML] = [.element("HealthChecks", page.map(ResponseEncoding.healthCheck))]
        children.append(.text("Marker", query["marker"] ?? ""))
        children.append(.text("IsTruncated", next == nil ? "false" : "true"))
        if let next { children.append(.text("NextMarker", next.id)) }
        children.append(.text("MaxItems", String(limit)))
        return (200, .element("ListHealthChecksResponse", children), [])
    }

    func healthCheckCount() throws -> Reply {
        (200, .element("GetHealthCheckCountResponse", [.text("HealthCheckCount", String(try store.healthCheckCount()))]), [])
    }

    /// HealthCheckVersion, when given, must be the check's current version.
    func updateHealthCheck(_ id: String, _ body: Data) throws -> Reply {
        try checkHealthCheckID(id)
        let request = try RequestDecoding.updateHealthCheck(body)
        let check = try store.updateHealthCheck(id: id) { check in
            let config = try HealthCheckValidation.update(check.config, version: request.version, request.fields,
                                                          reset: request.reset,
                                                          restrictPrivateAddresses: backend.restrictPrivateHealthCheckAddresses)
            if let version = request.version, version != check.version { throw Route53Error.healthCheckVersionMismatch }
            return config
        }
        backend.healthChecksChanged()
        return (200, .element("UpdateHealthCheckResponse", [ResponseEncoding.healthCheck(check)]), [])
    }

    /// Allowed while record sets name the check, as in Route 53.
    func deleteHealthCheck(_ id: String) throws -> Reply {
        try checkHealthCheckID(id)
        try store.deleteHealthCheck(id: id)
        backend.healthChecksChanged()
        return (200, .element("DeleteHealthCheckResponse", []), [])
    }

    /// GetHealthCheckStatus (every observer's last request), or with
    /// `failuresOnly` GetHealthCheckLastFailureReason (every observer's
    /// last failed request, also after later successes).
    func healthCheckObservations(_ id: String, failuresOnly: Bool) throws -> Reply {
        _ = try healthCheck(id)
        let observations = backend.observations(ofHealthCheck: id).compactMap { observation -> HealthObservation? in
            guard failuresOnly else { return observation }
            guard let failure = observation.lastFailure else { return nil }
            var shown = observation
            shown.report = failure.report
            shown.checkedAt = failure.checkedAt
            return shown
        }
        let root = failuresOnly ? "GetHealthCheckLastFailureReasonResponse" : "GetHealthCheckStatusResponse"
        return (200, .element(root, [ResponseEncoding.observations(observations)]), [])
    }

    /// NoSuchHealthCheck for the first health check that a created or
    /// upserted record set names and that does not exist (deleting a set
    /// that names a deleted check stays possible). Call it inside the
    /// change's store transaction, so that no deletion comes in between.
    func checkHealthCheckIDs(_ changes: [Change]) -> Result<Void, Route53Error> {
        let ids = changes.filter { $0.action != .delete }.compactMap(\.recordSet.healthCheckID)
        do {
            if let unknown = try store.firstUnknownHealthCheck(among: ids) { return .failure(.noSuchHealthCheck(unknown)) }
            return .success(())
        } catch {
            return .failure(Route53Error("InternalFailure", status: 500, "\(error)"))
        }
    }
}
