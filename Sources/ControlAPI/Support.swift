import Route53Model

/// What Nearcast's answer engine supports of Route 53's record sets.
enum Support {
    /// Rejects routing policies and alias targets Nearcast cannot answer yet,
    /// instead of storing data it would answer wrongly.
    static func check(_ changes: [Change], zoneID: String) -> Result<Void, Route53Error> {
        Result { () throws(Route53Error) in try checkEach(changes, zoneID: zoneID) }
    }

    private static func checkEach(_ changes: [Change], zoneID: String) throws(Route53Error) {
        for change in changes where change.action != .delete {
            let set = change.recordSet
            if set.geoLocation != nil {
                throw .invalidInput("Invalid request: Nearcast does not support the GeoLocation routing policy yet (\(set.name.route53Text) \(set.type)); simple, latency, weighted, failover and multivalue answer record sets are supported")
            }
            if set.type == .ns, set.aliasTarget != nil || set.setIdentifier != nil {
                throw .invalidInput("Invalid request: NS record sets (delegations) must be simple record sets with values (\(set.name.route53Text))")
            }
            if let alias = set.aliasTarget, alias.hostedZoneID != zoneID {
                throw .invalidInput("Invalid request: Nearcast answers alias records only for targets in the same hosted zone (\(zoneID)), not \(alias.hostedZoneID)")
            }
        }
    }
}
