import DNSWire
import Foundation
import Route53Model

/// Turns request bodies into model values, failing the way Route 53's
/// schema validation does (`InvalidInput`, "Invalid XML ; cvc-…").
enum RequestDecoding {
    static let namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

    /// Parses a body whose root must be `rootName`.
    static func document(_ body: Data, root rootName: String) throws(Route53Error) -> XMLElementNode {
        let root: XMLElementNode
        do { root = try XMLElementNode.parse(body) } catch {
            throw .invalidInput("Invalid XML ; \((error as? XMLDocumentError)?.reason ?? "malformed document")")
        }
        guard root.name == rootName else {
            throw Route53Error("MalformedInput", "\(root.name) is not valid, expected \(rootName)")
        }
        return root
    }

    /// Rejects children not in `allowed` (Route 53's XSD rejects unknown elements).
    static func allowOnly(_ allowed: Set<String>, in element: XMLElementNode) throws(Route53Error) {
        if let unknown = element.children.first(where: { !allowed.contains($0.name) }) {
            throw .invalidInput("Invalid XML ; cvc-complex-type.2.4.a: Invalid content was found starting with element '\(unknown.name)'.")
        }
    }

    static func required(_ name: String, in element: XMLElementNode) throws(Route53Error) -> String {
        guard let value = element.value(name) else {
            throw .invalidInput("Invalid XML ; cvc-complex-type.2.4.b: The content of element '\(element.name)' is not complete. One of '{\"\(namespace)\":\(name)}' is expected.")
        }
        return value
    }

    static func enumeration<T: RawRepresentable>(_ text: String, _ cases: [T]) throws(Route53Error) -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw .invalidInput("Invalid XML ; cvc-enumeration-valid: Value '\(text)' is not facet-valid with respect to enumeration '[\(cases.map(\.rawValue).joined(separator: ", "))]'. It must be a value from the enumeration.")
        }
        return value
    }

    static func integer(_ text: String, field: String) throws(Route53Error) -> Int64 {
        guard let value = Int64(text) else {
            throw .invalidInput("Invalid XML ; cvc-datatype-valid.1.2.1: '\(text)' is not a valid value for 'integer'. (\(field))")
        }
        return value
    }

    static func boolean(_ text: String) throws(Route53Error) -> Bool {
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw .invalidInput("Invalid XML ; cvc-datatype-valid.1.2.1: '\(text)' is not a valid value for 'boolean'.")
        }
    }

    static func name(_ text: String) throws(Route53Error) -> DomainName {
        do { return try DomainName(route53: text) } catch {
            throw .invalidInput("Invalid request: \(text) is not a valid DNS name: \(error)")
        }
    }

    /// A record set's name. Over-long labels and names are change-batch
    /// errors in Route 53 ("FATAL problem: …"), not schema errors.
    static func recordName(_ text: String) throws(Route53Error) -> DomainName {
        do { return try DomainName(route53: text) } catch {
            if let label = text.split(separator: ".").first(where: { $0.utf8.count > DomainName.maxLabelLength }) {
                throw .invalidChangeBatch(["FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with '\(label)'"])
            }
            if text.utf8.count > DomainName.maxWireLength - 2 {
                throw .invalidChangeBatch(["FATAL problem: DomainNameTooLong (Domain name is too long) encountered with '\(text)'"])
            }
            throw .invalidInput("Invalid request: \(text) is not a valid DNS name: \(error)")
        }
    }

    // MARK: Requests

    struct CreateHostedZone { var name: String; var callerReference: String; var comment: String? }

    static func createHostedZone(_ body: Data) throws(Route53Error) -> CreateHostedZone {
        let root = try document(body, root: "CreateHostedZoneRequest")
        try allowOnly(["Name", "VPC", "CallerReference", "HostedZoneConfig", "DelegationSetId"], in: root)
        if root.child("VPC") != nil {
            throw .invalidInput("Invalid request: private hosted zones (VPC) are not supported by Nearcast")
        }
        if root.child("DelegationSetId") != nil {
            throw Route53Error("NoSuchDelegationSet", "Nearcast has no reusable delegation sets")
        }
        let config = root.child("HostedZoneConfig")
        if let config { try allowOnly(["Comment", "PrivateZone"], in: config) }
        if let privateZone = config?.value("PrivateZone"), try boolean(privateZone) {
            throw .invalidInput("Invalid request: private hosted zones are not supported by Nearcast")
        }
        return CreateHostedZone(name: try required("Name", in: root), callerReference: try required("CallerReference", in: root),
                                comment: try comment(config?.value("Comment")))
    }

    static func updateComment(_ body: Data) throws(Route53Error) -> String? {
        let root = try document(body, root: "UpdateHostedZoneCommentRequest")
        try allowOnly(["Comment"], in: root)
        return try comment(root.value("Comment"))
    }

    /// A hosted zone comment: at most 256 characters (Route 53's limit).
    static func comment(_ text: String?) throws(Route53Error) -> String? {
        if let text, text.count > 256 {
            throw .invalidInput("1 validation error detected: Value '\(text)' at 'comment' failed to satisfy constraint: Member must have length less than or equal to 256")
        }
        return text
    }

    static func changeBatch(_ body: Data) throws(Route53Error) -> (changes: [Change], comment: String?) {
        let root = try document(body, root: "ChangeResourceRecordSetsRequest")
        try allowOnly(["ChangeBatch"], in: root)
        guard let batch = root.child("ChangeBatch") else { _ = try required("ChangeBatch", in: root); return ([], nil) }
        try allowOnly(["Comment", "Changes"], in: batch)
        guard let list = batch.child("Changes") else { _ = try required("Changes", in: batch); return ([], nil) }
        try allowOnly(["Change"], in: list)
        var changes: [Change] = []
        for element in list.children("Change") {
            try allowOnly(["Action", "ResourceRecordSet"], in: element)
            let action: ChangeAction = try enumeration(try required("Action", in: element), ChangeAction.allCases)
            guard let set = element.child("ResourceRecordSet") else { _ = try required("ResourceRecordSet", in: element); continue }
            changes.append(Change(action: action, recordSet: try recordSet(set), nameAsSent: set.value("Name")))
        }
        if changes.isEmpty {
            throw .invalidInput("Invalid XML ; cvc-complex-type.2.4.b: The content of element 'Changes' is not complete. One of '{\"\(namespace)\":Change}' is expected.")
        }
        return (changes, batch.value("Comment"))
    }

    static let recordSetElements: Set<String> = [
        "Name", "Type", "SetIdentifier", "Weight", "Region", "GeoLocation", "Failover", "MultiValueAnswer",
        "TTL", "ResourceRecords", "AliasTarget", "HealthCheckId", "TrafficPolicyInstanceId",
        "CidrRoutingConfig", "GeoProximityLocation",
    ]

    static func recordSet(_ element: XMLElementNode) throws(Route53Error) -> ResourceRecordSet {
        try allowOnly(recordSetElements, in: element)
        for unsupported in ["TrafficPolicyInstanceId", "CidrRoutingConfig", "GeoProximityLocation"] where element.child(unsupported) != nil {
            throw .invalidInput("Invalid request: \(unsupported) is not supported by Nearcast")
        }
        let typeText = try required("Type", in: element)
        guard let type = RRType(mnemonic: typeText), RRType.mnemonics[type] == typeText else {
            throw .invalidInput("Invalid XML ; cvc-enumeration-valid: Value '\(typeText)' is not facet-valid with respect to enumeration '[SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS, TLSA, SSHFP, SVCB, HTTPS]'. It must be a value from the enumeration.")
        }
        var set = ResourceRecordSet(name: try recordName(try required("Name", in: element)), type: type)
        set.setIdentifier = element.value("SetIdentifier")
        set.weight = try element.value("Weight").map { (text) throws(Route53Error) in try integer(text, field: "Weight") }
        set.region = element.value("Region")
        set.failover = element.value("Failover")
        set.multiValueAnswer = try element.value("MultiValueAnswer").map { (text) throws(Route53Error) in try boolean(text) }
        set.ttl = try element.value("TTL").map { (text) throws(Route53Error) in try integer(text, field: "TTL") }
        set.healthCheckID = element.value("HealthCheckId")
        if let geo = element.child("GeoLocation") {
            try allowOnly(["ContinentCode", "CountryCode", "SubdivisionCode"], in: geo)
            set.geoLocation = GeoLocation(continentCode: geo.value("ContinentCode"), countryCode: geo.value("CountryCode"),
                                          subdivisionCode: geo.value("SubdivisionCode"))
        }
        if let records = element.child("ResourceRecords") {
            try allowOnly(["ResourceRecord"], in: records)
            var values: [String] = []
            for record in records.children("ResourceRecord") {
                try allowOnly(["Value"], in: record)
                values.append(try required("Value", in: record))
            }
            if values.isEmpty { _ = try required("ResourceRecord", in: records) }
            set.records = values
        }
        if let alias = element.child("AliasTarget") {
            try allowOnly(["HostedZoneId", "DNSName", "EvaluateTargetHealth"], in: alias)
            set.aliasTarget = AliasTarget(hostedZoneID: HostedZoneID.bare(try required("HostedZoneId", in: alias)),
                                          dnsName: try name(try required("DNSName", in: alias)),
                                          evaluateTargetHealth: try boolean(try required("EvaluateTargetHealth", in: alias)))
        }
        return set
    }

    static func changeTags(_ body: Data) throws(Route53Error) -> (add: [(key: String, value: String)], remove: [String]) {
        let root = try document(body, root: "ChangeTagsForResourceRequest")
        try allowOnly(["AddTags", "RemoveTagKeys"], in: root)
        var add: [(key: String, value: String)] = []
        if let tags = root.child("AddTags") {
            try allowOnly(["Tag"], in: tags)
            for tag in tags.children("Tag") {
                try allowOnly(["Key", "Value"], in: tag)
                add.append((try required("Key", in: tag), tag.value("Value") ?? ""))
            }
        }
        var remove: [String] = []
        if let keys = root.child("RemoveTagKeys") {
            try allowOnly(["Key"], in: keys)
            remove = keys.children("Key").map { $0.text }
        }
        return (add, remove)
    }

    static func tagResourceIDs(_ body: Data) throws(Route53Error) -> [String] {
        let root = try document(body, root: "ListTagsForResourcesRequest")
        try allowOnly(["ResourceIds"], in: root)
        guard let ids = root.child("ResourceIds") else { _ = try required("ResourceIds", in: root); return [] }
        try allowOnly(["ResourceId"], in: ids)
        return ids.children("ResourceId").map { $0.text.trimmingCharacters(in: .whitespaces) }
    }
}
