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
            let policy = [("Weight", set.weight != nil), ("Failover", set.failover != nil),
                          ("GeoLocation", set.geoLocation != nil), ("MultiValueAnswer", set.multiValueAnswer != nil)]
            if let unsupported = policy.first(where: { $0.1 }) {
                throw .invalidInput("Invalid request: Nearcast does not support the \(unsupported.0) routing policy yet (\(set.name.route53Text) \(set.type)); simple and latency record sets are supported")
            }
            if set.type == .ns, set.aliasTarget != nil || set.region != nil {
                throw .invalidInput("Invalid request: NS record sets (delegations) must be simple record sets with values (\(set.name.route53Text))")
            }
            if let alias = set.aliasTarget, alias.hostedZoneID != zoneID {
                throw .invalidInput("Invalid request: Nearcast answers alias records only for targets in the same hosted zone (\(zoneID)), not \(alias.hostedZoneID)")
            }
        }
    }
}
