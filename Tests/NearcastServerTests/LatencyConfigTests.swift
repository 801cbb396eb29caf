import LatencyModel
import Testing
import NearcastServer

@Suite struct LatencyConfigTests {
    @Test func parsesEveryLatencyAndRUMSetting() {
        let text = """
            latency:
              bucket_ipv4: 22
              bucket_ipv6: 56
              half_life: 90m
              hysteresis: {relative: 0.2, absolute_ms: 5}
              rebuild_interval: 30s
              retention: 2d
              maintenance_interval: 5m
              borrow_ipv4: 12
              borrow_ipv6: 28
              geo: {tor_geoip: false, mmdb: GeoLite2-City.mmdb}
              probe_targets: [{address: 192.0.2.10, port: 443}, {address: "2001:db8::1"}]
              probe_interval: 120
            rum:
              listen: 127.0.0.1:8080
              trusted_proxies: [10.0.0.0/8, 192.0.2.1]
              regions: {us-east-1: "https://use1.example.com/nearcast/probe-object"}
            """
        let (config, errors) = NearcastConfig.parse(text, file: "n.yaml")
        #expect(errors == [])
        let latency = config.latency!
        #expect(latency.bucketIPv4 == 22 && latency.bucketIPv6 == 56)
        #expect(latency.halfLifeMs == 90 * 60_000)
        #expect(latency.hysteresisRelative == 0.2 && latency.hysteresisAbsoluteMs == 5)
        #expect(latency.rebuildIntervalMs == 30_000 && latency.retentionMs == 2 * 86_400_000)
        #expect(latency.maintenanceIntervalMs == 5 * 60_000)
        #expect(latency.borrowIPv4 == 12 && latency.borrowIPv6 == 28)
        #expect(latency.torGeoIP == false && latency.mmdb?.value == "GeoLite2-City.mmdb" && latency.mmdb?.line == 11)
        #expect(latency.probeTargets.map(\.address) == [IPAddress("192.0.2.10")!, IPAddress("2001:db8::1")!])
        #expect(latency.probeTargets.map(\.port) == [443, nil])
        #expect(latency.probeIntervalMs == 120_000)
        let rum = config.rum!
        #expect(rum.listen == "127.0.0.1:8080")
        #expect(rum.trustedProxies == [IPPrefix("10.0.0.0/8")!, IPPrefix("192.0.2.1/32")!])
        #expect(rum.regions.map(\.value.region) == ["us-east-1"] && rum.regions[0].line == 17)
    }

    @Test func anEmptySectionTurnsLearningOnWithDefaults() {
        let (config, errors) = NearcastConfig.parse("latency:\n", file: "n.yaml")
        #expect(errors == [])
        #expect(config.latency?.halfLifeMs == 6 * 3_600_000 && config.latency?.bucketIPv4 == 24)
        #expect(config.latency?.maintenanceIntervalMs == 600_000)
        #expect(NearcastConfig.parse("listen: 127.0.0.1:53\n", file: "n.yaml").config.latency == nil)
    }

    @Test func reportsBadSettingsWithTheirLines() {
        let text = """
            latency:
              half_life: soon
              bucket_ipv4: 40
              borrow_ipv6: 60
              geo: {color: blue}
              probe_targets: [{address: nowhere}]
            rum:
              trusted_proxies: [10.0.0.0/33]
              regions: {us-east-1: ftp://x}
            """
        let errors = NearcastConfig.parse(text, file: "n.yaml").errors
        #expect(errors.contains { $0.hasPrefix("n.yaml:2: 'half_life' must be a duration") })
        #expect(errors.contains { $0.hasPrefix("n.yaml:3: 'bucket_ipv4' must be an integer in 8...32") })
        #expect(errors.contains { $0.hasPrefix("n.yaml:5: unknown key 'color'") })
        #expect(errors.contains { $0.hasPrefix("n.yaml:6: 'address' must be an IPv4 or IPv6 address") })
        #expect(errors.contains { $0.contains("must be shorter than the bucket lengths") })
        #expect(errors.contains { $0.hasPrefix("n.yaml:8: missing 'listen'") })
        #expect(errors.contains { $0.hasPrefix("n.yaml:8: '10.0.0.0/33' in 'trusted_proxies' is not an address or a prefix") })
        #expect(errors.contains { $0.hasPrefix("n.yaml:9: the URL for 'us-east-1' must start with http:// or https://") })
        #expect(errors.count == 8)
    }
}
