import DNSWire
import Route53Model
import Testing

/// Whole batches: all applied, or nothing.
@Suite struct BatchTests {
    @Test func bigValidBatch() {
        let use1 = records("api.example.com", .a, ["192.0.2.10"], id: "use1", region: "us-east-1")
        let old = records("old.example.com", .a, ["192.0.2.20"])
        func api(_ id: String, _ region: String, _ value: String) -> ResourceRecordSet {
            records("API.example.com", .a, [value], ttl: 60, id: id, region: region)
        }
        let batch = [
            create(api("euw1", "eu-west-1", "192.0.2.11")),
            create(api("apse2", "ap-southeast-2", "192.0.2.12")),
            create(api("sae1", "sa-east-1", "192.0.2.13")),
            create(api("lis", "dc-lisbon", "192.0.2.14")),
            upsert(api("use1", "us-east-1", "192.0.2.15")),
            delete(old),
            create(alias("app.example.com", .a, to: "api.example.com")),
        ]
        func stored(_ id: String, _ region: String, _ value: String) -> ResourceRecordSet {
            records("api.example.com", .a, [value], ttl: 60, id: id, region: region)
        }
        #expect(apply(batch, to: base + [use1, old]) == .success([
            ns, soa,
            stored("apse2", "ap-southeast-2", "192.0.2.12"),
            stored("euw1", "eu-west-1", "192.0.2.11"),
            stored("lis", "dc-lisbon", "192.0.2.14"),
            stored("sae1", "sa-east-1", "192.0.2.13"),
            stored("use1", "us-east-1", "192.0.2.15"),
            alias("app.example.com", .a, to: "api.example.com"),
            www,
        ]))
    }

    @Test func everyProblemIsReportedAndNothingApplied() {
        let current = base
        let batch = [
            create(records("new.example.com", .a, ["192.0.2.1"])),
            create(records("www.example.com", .a, ["192.0.2.2"])),
            delete(records("gone.example.com", .a, ["192.0.2.3"])),
            create(records("www.example.org", .a, ["192.0.2.4"])),
        ]
        #expect(apply(batch, to: current) == invalidChangeBatch(
            "Tried to create resource record set [name='www.example.com.', type='A'] but it already exists",
            "Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found",
            "RRSet with DNS name www.example.org. is not permitted in zone example.com."))
        #expect(current == base)
        // The valid change alone still applies to the unchanged state.
        #expect(apply([batch[0]], to: current) == .success([ns, soa, records("new.example.com", .a, ["192.0.2.1"]), www]))
    }
}
