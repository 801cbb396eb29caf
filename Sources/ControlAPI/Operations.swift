import Authority
import DNSWire
import Foundation
import LatencyModel
import Route53Model
import Store
import ZoneFile

/// Route 53's operations over the store and the running node.
struct Operations {
    let backend: any Route53Backend
    let query: Query
    var store: Store { backend.store }

    typealias Reply = (status: Int, document: XML, headers: [(String, String)])

    /// Finds the operation for a method and path (Route 53's REST routes).
    func dispatch(method: String, path: String, body: Data) throws -> Reply {
        // Route on exactly what was signed: no empty, "." or ".." segments (a trailing "/" is fine).
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        let segments = parts.last == "" ? Array(parts.dropLast()) : parts
        guard segments.first == "2013-04-01", !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw unknownOperation(method, path)
        }
        let route = Array(segments.dropFirst())
        let second = route.count > 1 ? HostedZoneID.bare(route[1]) : ""
        switch (method, route.first ?? "", route.count, route.count == 3 ? route[2] : "") {
        case ("POST", "hostedzone", 1, _): return try createHostedZone(body)
        case ("GET", "hostedzone", 1, _): return try listHostedZones()
        case ("GET", "hostedzonesbyname", 1, _): return try listHostedZonesByName()
        case ("GET", "hostedzonecount", 1, _):
            return (200, .element("GetHostedZoneCountResponse", [.text("HostedZoneCount", String(try store.hostedZoneCount()))]), [])
        case ("GET", "hostedzone", 2, _): return try getHostedZone(second)
        case ("POST", "hostedzone", 2, _): return try updateComment(second, body)
        case ("DELETE", "hostedzone", 2, _): return try deleteHostedZone(second)
        case ("POST", "hostedzone", 3, "rrset"): return try changeRecordSets(second, body)
        case ("GET", "hostedzone", 3, "rrset"): return try listRecordSets(second)
        case ("GET", "change", 2, _): return try getChange(second)
        case ("GET", "testdnsanswer", 1, _): return try testDNSAnswer()
        case ("POST", "healthcheck", 1, _): return try createHealthCheck(body)
        case ("GET", "healthcheck", 1, _): return try listHealthChecks(limit: try maxItems(default: 100, limit: 1000))
        case ("GET", "healthcheckcount", 1, _): return try healthCheckCount()
        case ("GET", "healthcheck", 2, _): return try getHealthCheck(route[1])
        case ("POST", "healthcheck", 2, _): return try updateHealthCheck(route[1], body)
        case ("DELETE", "healthcheck", 2, _): return try deleteHealthCheck(route[1])
        case ("GET", "healthcheck", 3, "status"): return try healthCheckObservations(route[1], failuresOnly: false)
        case ("GET", "healthcheck", 3, "lastfailurereason"): return try healthCheckObservations(route[1], failuresOnly: true)
        case ("POST", "tags", 3, _): return try changeTags(route[1], route[2], body)
        case ("GET", "tags", 3, _): return try listTags(route[1], route[2])
        case ("POST", "tags", 2, _): return try listTagsForResources(route[1], body)
        default: throw unknownOperation(method, path)
        }
    }

    /// Route 53 answers requests it cannot route with 403 InvalidSignatureException.
    private func unknownOperation(_ method: String, _ path: String) -> Route53Error {
        Route53Error("InvalidSignatureException", status: 403, "No Route 53 operation matches \(method) \(path)")
    }

    /// A page of zones as a HostedZones element. A zone deleted meanwhile
    /// still lists (with no record sets) rather than failing the listing.
    private func zoneList(_ zones: ArraySlice<HostedZone>) throws -> XML {
        let counts = try store.recordSetCounts()
        return .element("HostedZones", zones.map { ResponseEncoding.hostedZone($0, recordSetCount: counts[$0.id] ?? 0) })
    }

    /// Up to `limit` items from `start`, and the first item after them.
    static func page<T>(_ all: [T], from start: Int, limit: Int) -> (items: ArraySlice<T>, next: T?) {
        let items = all[start...].prefix(limit)
        return (items, items.endIndex < all.endIndex ? all[items.endIndex] : nil)
    }

    // MARK: Hosted zones

    private func createHostedZone(_ body: Data) throws -> Reply {
        let request = try RequestDecoding.createHostedZone(body)
        let name = try RequestDecoding.name(request.name)
        guard !name.isRoot else { throw Route53Error("InvalidDomainName", "\(request.name) is reserved by AWS!") }
        guard (1...128).contains(request.callerReference.count) else {
            throw Route53Error.invalidInput("Invalid request: CallerReference must be 1 to 128 characters")
        }
        let nameServers = backend.nameServers
        // Presentation text (RFC 1035 escapes), which is what values are parsed as.
        let apex: [ResourceRecordSet] = [
            ResourceRecordSet(name: name, type: .soa, ttl: 900, records: [
                "\(nameServers[0]) hostmaster.\(name) 1 7200 900 1209600 86400"]),
            ResourceRecordSet(name: name, type: .ns, ttl: 172800, records: nameServers.map(\.description)),
        ]
        let id = Identifier.make("Z"), changeID = Identifier.make("C")
        let compiled = try backend.compile(HostedZone(id: id, name: name, callerReference: request.callerReference), apex).get()
        let (zone, change) = try backend.commit {
            if let clash = backend.configZone(overlapping: name) {
                throw Route53Error("ConflictingDomainExists", "The zone \(name.route53Text) overlaps the zone \(clash.route53Text) of Nearcast's config file; a name can be served from only one of them.")
            }
            let (zone, change) = try store.createHostedZone(name: name, callerReference: request.callerReference,
                                                            comment: request.comment, initialRecordSets: apex, id: id,
                                                            changeID: changeID, submittedAt: Identifier.now())
            return ((zone, change), change.version, [zone.id: compiled])
        }
        return (201, .element("CreateHostedZoneResponse", [
            ResponseEncoding.hostedZone(zone, recordSetCount: apex.count),
            ResponseEncoding.changeInfo(change, inSync: backend.isServing(version: change.version)),
            ResponseEncoding.delegationSet(nameServers),
        ]), [("Location", "/2013-04-01/hostedzone/\(zone.id)")])
    }

    private func zone(_ id: String) throws -> HostedZone {
        guard let zone = try store.hostedZone(id: id) else { throw Route53Error.noSuchHostedZone(id) }
        return zone
    }

    private func getHostedZone(_ id: String) throws -> Reply {
        let zone = try zone(id)
        return (200, .element("GetHostedZoneResponse", [
            ResponseEncoding.hostedZone(zone, recordSetCount: try store.recordSetCount(zoneID: id)),
            ResponseEncoding.delegationSet(backend.nameServers),
        ]), [])
    }

    private func maxItems(default value: Int, limit: Int) throws -> Int {
        guard let text = query["maxitems"] else { return value }
        guard let number = Int(text), number > 0 else {
            throw Route53Error.invalidInput("1 validation error detected: Value '\(text)' at 'maxItems' failed to satisfy constraint: Member must be a positive integer")
        }
        return min(number, limit)
    }

    private func listHostedZones() throws -> Reply {
        let all = try store.hostedZones()
        let limit = try maxItems(default: 100, limit: 100)
        var start = 0
        if let marker = query["marker"] {
            guard let index = all.firstIndex(where: { $0.id == HostedZoneID.bare(marker) }) else {
                throw Route53Error.invalidInput("Invalid marker: \(marker)")
            }
            start = index
        }
        let (page, next) = Self.page(all, from: start, limit: limit)
        var children: [XML] = [try zoneList(page)]
        children.append(.text("Marker", query["marker"] ?? ""))
        children.append(.text("IsTruncated", next == nil ? "false" : "true"))
        if let next { children.append(.text("NextMarker", next.id)) }
        children.append(.text("MaxItems", String(limit)))
        return (200, .element("ListHostedZonesResponse", children), [])
    }

    private func listHostedZonesByName() throws -> Reply {
        let all = try store.hostedZones().sorted {
            $0.name != $1.name ? DomainName.route53Order($0.name, $1.name) : $0.id < $1.id
        }
        let limit = try maxItems(default: 100, limit: 100)
        var start = all.startIndex
        if let text = query["dnsname"] {
            let name: DomainName
            do { name = try DomainName(route53: text) } catch {
                throw Route53Error("InvalidDomainName", "\(text) is not a valid DNS name")
            }
            let id = query["hostedzoneid"].map(HostedZoneID.bare)
            start = all.firstIndex { zone in
                zone.name == name ? (id.map { zone.id >= $0 } ?? true) : DomainName.route53Order(name, zone.name)
            } ?? all.endIndex
        } else if query["hostedzoneid"] != nil {
            throw Route53Error.invalidInput("Invalid request: HostedZoneId requires DNSName")
        }
        let (page, next) = Self.page(all, from: start, limit: limit)
        var children: [XML] = [try zoneList(page)]
        if let text = query["dnsname"] { children.append(.text("DNSName", text)) }
        if let id = query["hostedzoneid"] { children.append(.text("HostedZoneId", id)) }
        children.append(.text("IsTruncated", next == nil ? "false" : "true"))
        if let next {
            children.append(.text("NextDNSName", next.name.route53Text))
            children.append(.text("NextHostedZoneId", next.id))
        }
        children.append(.text("MaxItems", String(limit)))
        return (200, .element("ListHostedZonesByNameResponse", children), [])
    }

    private func updateComment(_ id: String, _ body: Data) throws -> Reply {
        let comment = try RequestDecoding.updateComment(body)
        let zone = try store.updateComment(zoneID: id, comment: comment)
        return (200, .element("UpdateHostedZoneCommentResponse", [
            ResponseEncoding.hostedZone(zone, recordSetCount: try store.recordSetCount(zoneID: id)),
        ]), [])
    }

    private func deleteHostedZone(_ id: String) throws -> Reply {
        let zone = try zone(id)
        let change = try backend.commit {
            let change = try store.deleteHostedZone(id: id, changeID: Identifier.make("C"), submittedAt: Identifier.now()) {
                $0.name == zone.name && ($0.type == .soa || $0.type == .ns)
            }
            return (change, change.version, [id: nil])
        }
        return (200, .element("DeleteHostedZoneResponse", [
            ResponseEncoding.changeInfo(change, inSync: backend.isServing(version: change.version)),
        ]), [])
    }

    // MARK: Record sets

    private func changeRecordSets(_ id: String, _ body: Data) throws -> Reply {
        let (changes, comment) = try RequestDecoding.changeBatch(body)
        let zone = try zone(id)
        let validator = ChangeBatchValidator(zone: zone, catalog: backend.catalog)
        let change = try backend.commit {
            var compiled: Zone? = nil
            let change = try store.changeRecordSets(zoneID: id, changeID: Identifier.make("C"), submittedAt: Identifier.now(),
                                                    comment: comment) { current in
                // Route 53's rules first, so its messages win; then what Nearcast can answer.
                validator.apply(changes, to: current)
                    .flatMap { sets in Support.check(changes, zoneID: id).map { sets } }
                    .flatMap { sets in checkHealthCheckIDs(changes).map { sets } }
                    .flatMap { sets in backend.compile(zone, sets).map { compiled = $0; return sets } }
            }
            return (change, change.version, [id: compiled])
        }
        return (200, .element("ChangeResourceRecordSetsResponse", [
            ResponseEncoding.changeInfo(change, inSync: backend.isServing(version: change.version)),
        ]), [])
    }

    private func listRecordSets(_ id: String) throws -> Reply {
        _ = try zone(id)
        let sets = try store.recordSets(zoneID: id)
        let limit = try maxItems(default: 300, limit: 300)
        var start = sets.startIndex
        if let nameText = query["name"] {
            let name = try RequestDecoding.name(nameText)
            var type: RRType? = nil
            if let typeText = query["type"] {
                guard let parsed = RRType(mnemonic: typeText) else {
                    throw Route53Error.invalidInput("Invalid type: \(typeText)")
                }
                type = parsed
            }
            let from = RecordSetKey(name: name, type: type ?? RRType(0), setIdentifier: query["identifier"])
            start = sets.firstIndex { set in
                if set.name != name { return DomainName.route53Order(name, set.name) }
                guard type != nil else { return true }
                return !(set.key < from)
            } ?? sets.endIndex
        } else if query["type"] != nil {
            throw Route53Error.invalidInput("")
        }
        let (page, next) = Self.page(sets, from: start, limit: limit)
        var children: [XML] = [.element("ResourceRecordSets", page.map(ResponseEncoding.recordSet))]
        children.append(.text("IsTruncated", next == nil ? "false" : "true"))
        if let next {
            children.append(.text("NextRecordName", next.name.route53Text))
            children.append(.text("NextRecordType", next.type.description))
            if let identifier = next.setIdentifier { children.append(.text("NextRecordIdentifier", identifier)) }
        }
        children.append(.text("MaxItems", String(limit)))
        return (200, .element("ListResourceRecordSetsResponse", children), [])
    }

    private func getChange(_ id: String) throws -> Reply {
        guard let change = try store.change(id: id) else { throw Route53Error.noSuchChange(id) }
        return (200, .element("GetChangeResponse", [
            ResponseEncoding.changeInfo(change, inSync: backend.isServing(version: change.version)),
        ]), [])
    }

    // MARK: TestDNSAnswer

    private func testDNSAnswer() throws -> Reply {
        guard let id = query["hostedzoneid"], let nameText = query["recordname"], let typeText = query["recordtype"] else {
            throw Route53Error.invalidInput("Invalid request: hostedzoneid, recordname and recordtype are required")
        }
        let zone = try zone(HostedZoneID.bare(id))
        let name = try RequestDecoding.name(nameText)
        guard let type = RRType(mnemonic: typeText) else { throw Route53Error.invalidInput("Invalid type: \(typeText)") }
        guard name.isSubdomain(of: zone.name) else {
            throw Route53Error.invalidInput("Invalid request: \(name.route53Text) is not in the hosted zone \(zone.name.route53Text)")
        }
        let resolver = try query["resolverip"].map { text throws -> IPAddress in
            guard let address = IPAddress(text) else { throw Route53Error.invalidInput("Invalid resolver IP: \(text)") }
            return address
        } ?? IPAddress.v4(0x7F00_0001)
        var subnet: ClientSubnet? = nil
        if let ecsText = query["edns0clientsubnetip"] {
            guard let address = IPAddress(ecsText) else { throw Route53Error.invalidInput("Invalid EDNS0 client subnet IP: \(ecsText)") }
            let length = try query["edns0clientsubnetmask"].map { text throws -> Int in
                guard let value = Int(text), (0...address.bitWidth).contains(value) else {
                    throw Route53Error.invalidInput("Invalid EDNS0 client subnet mask: \(text)")
                }
                return value
            } ?? (address.bitWidth == 32 ? 24 : 64)
            subnet = ClientSubnet(IPPrefix(address, length: length))
        }
        let resolution = backend.snapshot.resolve(Question(name: name, type: type),
                                                   client: ClientLocation(source: resolver, ecs: subnet))
        let data = resolution.answer.filter { $0.type == type || $0.type == .cname }.map { $0.data.presentation }
        return (200, .element("TestDNSAnswerResponse", [
            .text("Nameserver", backend.nameServers[0].route53Text),
            .text("RecordName", name.route53Text),
            .text("RecordType", type.description),
            .element("RecordData", data.map { .text("RecordDataEntry", $0) }),
            .text("ResponseCode", resolution.rcode.description),
            .text("Protocol", "UDP"),
            ResponseEncoding.routingSteps(resolution.steps),
        ]), [])
    }

    // MARK: Tags

    private func tagResource(_ type: String, _ id: String) throws -> String {
        guard type == "hostedzone" || type == "healthcheck" else {
            throw Route53Error.invalidInput("Invalid resource type: \(type)")
        }
        // 32 for hosted zones (as Route 53 answers); botocore's TagResourceId allows 64 (health check ids are 36).
        let limit = type == "hostedzone" ? 32 : 64
        guard id.count <= limit else {
            throw Route53Error.invalidInput("1 validation error detected: Value '\(id)' at 'resourceId' failed to satisfy constraint: Member must have length less than or equal to \(limit)")
        }
        if type == "hostedzone" { _ = try zone(id) } else { _ = try healthCheck(id) }
        return id
    }

    private func changeTags(_ type: String, _ id: String, _ body: Data) throws -> Reply {
        let id = try tagResource(type, id)
        let request = try RequestDecoding.changeTags(body)
        for (field, count) in [("addTags", request.add.count), ("removeTagKeys", request.remove.count)] where count > 10 {
            throw Route53Error.invalidInput("1 validation error detected: Value at '\(field)' failed to satisfy constraint: Member must have length less than or equal to 10")
        }
        try store.changeTags(resourceType: type, resourceID: id, add: request.add, remove: request.remove)
        return (200, .element("ChangeTagsForResourceResponse", []), [])
    }

    private func listTags(_ type: String, _ id: String) throws -> Reply {
        let id = try tagResource(type, id)
        let tags = try store.tags(resourceType: type, resourceID: id)
        return (200, .element("ListTagsForResourceResponse", [ResponseEncoding.tagSet(type: type, id: id, tags: tags)]), [])
    }

    private func listTagsForResources(_ type: String, _ body: Data) throws -> Reply {
        let ids = try RequestDecoding.tagResourceIDs(body).map { try tagResource(type, $0) }
        let sets = try ids.map { ResponseEncoding.tagSet(type: type, id: $0, tags: try store.tags(resourceType: type, resourceID: $0)) }
        return (200, .element("ListTagsForResourcesResponse", [.element("ResourceTagSets", sets)]), [])
    }
}

/// Ids and clocks for new resources.
enum Identifier {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// A Route 53-style id: the prefix and 20 random upper-case letters and digits.
    static func make(_ prefix: String) -> String {
        prefix + String((0..<20).map { _ in alphabet.randomElement()! })
    }

    /// Milliseconds since 1970.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
