import Testing
import NearcastServer

@Suite struct ConfigTests {
    static let full = """
        # nearcast.yaml
        listen: ["127.0.0.1:5300", "[::1]:5300"]
        threads: 2
        tcp_idle_timeout_ms: 7000
        max_udp_payload: 1400
        default_regions: [us-east-1, eu-west-1]
        latency_map: latency.csv
        regions:
          - { name: dc-paris, latitude: 48.86, longitude: 2.35 }
          - name: dc-oslo
            latitude: 60
            longitude: -10.5
        zones:
          - origin: example.com.
            file: zones/example.com.zone
            latency_records:
              - name: www
                type: A
                ttl: 60
                sets:
                  - { id: use1, region: us-east-1, values: [192.0.2.1] }
                  - { id: apse1, region: ap-southeast-1, values: [192.0.2.4, 192.0.2.5] }
                  - id: single
                    region: eu-west-1
                    values: 192.0.2.9
          - origin: example.org.
            file: example.org.zone
        """

    @Test func parsesAFullConfig() throws {
        let (config, errors) = NearcastConfig.parse(Self.full, file: "n.yaml")
        #expect(errors == [])
        #expect(config.listen.map(\.value) == ["127.0.0.1:5300", "[::1]:5300"])
        #expect(config.listen.map(\.line) == [2, 2])
        #expect(config.threads == 2)
        #expect(config.tcpIdleTimeoutMs == 7000)
        #expect(config.maxUDPPayload == 1400)
        #expect(config.defaultRegions.map(\.value) == ["us-east-1", "eu-west-1"])
        #expect(config.latencyMap?.value == "latency.csv")
        #expect(config.latencyMap?.line == 7)
        #expect(config.regions.map(\.value.name) == ["dc-paris", "dc-oslo"])
        #expect(config.regions.map(\.value.latitude) == [48.86, 60])
        #expect(config.regions.map(\.value.longitude) == [2.35, -10.5])
        #expect(config.regions.map(\.line) == [9, 10])
        #expect(config.zones.count == 2)
        let zone = try #require(config.zones.first)
        #expect(zone.origin.value == "example.com." && zone.origin.line == 14)
        #expect(zone.file.value == "zones/example.com.zone" && zone.file.line == 15)
        let record = try #require(zone.latencyRecords.first)
        #expect(record.name.value == "www" && record.name.line == 17)
        #expect(record.type.value == "A" && record.type.line == 18)
        #expect(record.ttl == 60)
        #expect(record.sets.map(\.value.id) == ["use1", "apse1", "single"])
        #expect(record.sets.map(\.value.region) == ["us-east-1", "ap-southeast-1", "eu-west-1"])
        #expect(record.sets.map(\.value.values) == [["192.0.2.1"], ["192.0.2.4", "192.0.2.5"], ["192.0.2.9"]])
        #expect(record.sets.map(\.line) == [21, 22, 23])
        #expect(config.zones[1].latencyRecords.isEmpty)
        #expect(config.zones[1].origin.line == 26)
    }

    @Test func defaults() {
        let (config, errors) = NearcastConfig.parse("zones: []\n", file: "n.yaml")
        #expect(errors == [])
        #expect(config.listen.map(\.value) == [NearcastConfig.defaultListen])
        #expect(config.threads == nil)
        #expect(config.tcpIdleTimeoutMs == 5000)
        #expect(config.maxUDPPayload == 1232)
        #expect(config.latencyMap == nil)
        #expect(config.defaultRegions.isEmpty)
        // A single string is a one-element list.
        #expect(NearcastConfig.parse("listen: 0.0.0.0:53\n", file: "n.yaml").config.listen.map(\.value) == ["0.0.0.0:53"])
    }

    @Test func unknownTopLevelSetting() {
        #expect(configErrors("threads: 2\nlisten_on: x\n") == ["n.yaml:2: unknown setting 'listen_on'"])
    }

    @Test func unknownSettingWithABlockValueIsReportedAtTheKey() {
        // The key is on line 2; its value starts on line 3.
        #expect(locations(configErrors("threads: 2\nbogus:\n  - a\n  - b\n")) == ["n.yaml:2"])
    }

    @Test func unknownKeysInNestedMappings() {
        let errors = configErrors("""
            regions:
              - { name: dc-x, latitude: 1, longitude: 2, altitude: 3 }
            zones:
              - origin: example.com.
                file: z
                flie: typo
                latency_records:
                  - name: www
                    type: A
                    ttl: 60
                    weight: 5
                    sets:
                      - { id: a, region: us-east-1, values: [192.0.2.1], extra: 1 }
            """)
        #expect(locations(errors) == ["n.yaml:2", "n.yaml:6", "n.yaml:11", "n.yaml:13"])
        #expect(errors[0].contains("unknown key 'altitude'"))
        #expect(errors[1].contains("unknown key 'flie'"))
        #expect(errors[2].contains("unknown key 'weight'"))
        #expect(errors[3].contains("unknown key 'extra'"))
    }

    @Test func wrongTypes() {
        let errors = configErrors("""
            listen: {a: 1}
            threads: many
            latency_map: [a, b]
            zones: just-a-string
            regions:
              - just-a-string
            default_regions: [us-east-1, [nested]]
            """)
        #expect(locations(errors) == ["n.yaml:1", "n.yaml:2", "n.yaml:3", "n.yaml:4", "n.yaml:6", "n.yaml:7"])
        #expect(errors[0].contains("'listen' must be a list"))
        #expect(errors[1].contains("'threads' must be an integer in 1...256"))
        #expect(errors[2].contains("'latency_map' must be a non-empty string"))
        #expect(errors[3].contains("'zones' must be a list"))
        #expect(errors[4].contains("a region must be a mapping"))
        #expect(errors[5].contains("'default_regions' must be a non-empty string"))
    }

    @Test func outOfRangeIntegers() {
        let errors = configErrors("""
            threads: 0
            tcp_idle_timeout_ms: 99
            max_udp_payload: 70000
            regions:
              - { name: dc-x, latitude: 91, longitude: 0 }
              - { name: dc-y, latitude: 0, longitude: -180.5 }
            zones:
              - origin: example.com.
                file: z
                latency_records:
                  - { name: www, type: A, ttl: -1, sets: [] }
            """)
        #expect(locations(errors) == ["n.yaml:1", "n.yaml:2", "n.yaml:3", "n.yaml:5", "n.yaml:6", "n.yaml:11"])
        #expect(errors[0].contains("'threads' must be an integer in 1...256"))
        #expect(errors[1].contains("'tcp_idle_timeout_ms'"))
        #expect(errors[2].contains("'max_udp_payload' must be an integer in 512...65535"))
        #expect(errors[3].contains("'latitude'"))
        #expect(errors[4].contains("'longitude'"))
        #expect(errors[5].contains("'ttl'"))
        let ok = NearcastConfig.parse("threads: 256\ntcp_idle_timeout_ms: 100\nmax_udp_payload: 512\n", file: "n.yaml")
        #expect(ok.errors == [])
        #expect(ok.config.maxUDPPayload == 512)
    }

    @Test func missingFields() {
        let errors = configErrors("""
            regions:
              - { name: dc-x, latitude: 1 }
            zones:
              - origin: example.com.
              - file: only-a-file.zone
              - origin: example.net.
                file: z
                latency_records:
                  - name: www
                    ttl: 60
                    sets:
                      - { id: a, values: [192.0.2.1] }
                      - { id: b, region: us-east-1, values: [] }
            """)
        #expect(locations(errors) == ["n.yaml:2", "n.yaml:4", "n.yaml:5", "n.yaml:9", "n.yaml:12", "n.yaml:13"])
        #expect(errors[0].contains("missing 'longitude'"))
        #expect(errors[1].contains("missing 'file'"))
        #expect(errors[2].contains("missing 'origin'"))
        #expect(errors[3].contains("missing 'type'"))
        #expect(errors[4].contains("missing 'region'"))
        #expect(errors[5].contains("at least one value"))
    }

    @Test func invalidYAML() {
        let errors = configErrors("""
            threads: 2
            listen: ["a", "b"
            zones: []
            """)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("n.yaml:3: invalid YAML") == true, "\(errors)")
        let indentation = configErrors("zones:\n  - origin: a.\n    file: z\n   bad: 1\n")
        #expect(locations(indentation) == ["n.yaml:4"], "\(indentation)")
        #expect(indentation.first?.contains("invalid YAML") == true)
        let tab = configErrors("threads: 2\nzones:\n\t- origin: a.\n")
        #expect(locations(tab) == ["n.yaml:3"], "\(tab)")
    }

    @Test func emptyAndNonMappingFiles() {
        #expect(configErrors("") == ["n.yaml:1: the config file is empty"])
        #expect(configErrors("# only a comment\n") == ["n.yaml:1: the config file is empty"])
        #expect(locations(configErrors("\n- a\n- b\n")) == ["n.yaml:2"])
        #expect(configErrors("\n- a\n- b\n").first?.contains("must be a mapping") == true)
    }
}
