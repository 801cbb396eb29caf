/// The built-in demo: a zone whose latency records in four regions give
/// visibly different answers to clients in London, Tokyo and São Paulo.
public enum Demo {
    public static let configPath = "demo/nearcast.yaml"

    public static let files: [String: String] = [
        configPath: """
            listen: ["127.0.0.1:5300"]
            default_regions: [us-east-1]
            latency_map: latency.csv
            zones:
              - origin: demo.nearcast.test.
                file: demo.nearcast.test.zone
                latency_records:
                  - name: www
                    type: A
                    ttl: 60
                    sets:
                      - { id: virginia, region: us-east-1, values: [192.0.2.1] }
                      - { id: london, region: eu-west-2, values: [192.0.2.2] }
                      - { id: tokyo, region: ap-northeast-1, values: [192.0.2.3] }
                      - { id: sao-paulo, region: sa-east-1, values: [192.0.2.4] }
                  - name: www
                    type: AAAA
                    ttl: 60
                    sets:
                      - { id: virginia, region: us-east-1, values: ["2001:db8::1"] }
                      - { id: london, region: eu-west-2, values: ["2001:db8::2"] }
                      - { id: tokyo, region: ap-northeast-1, values: ["2001:db8::3"] }
                      - { id: sao-paulo, region: sa-east-1, values: ["2001:db8::4"] }
            """,
        "demo/demo.nearcast.test.zone": """
            $TTL 300
            @       IN SOA ns1 hostmaster (
                        1       ; serial
                        7200    ; refresh
                        3600    ; retry
                        1209600 ; expire
                        60 )    ; negative TTL
                    IN NS  ns1
            ns1     IN A   127.0.0.1
            static  IN A   192.0.2.100
            info    IN TXT "Nearcast demo: ask for www with +subnet=81.2.69.0/24 (London) or +subnet=1.0.16.0/24 (Tokyo)"
            app     IN CNAME www

            """,
        "demo/latency.csv": """
            prefix,region,rtt_ms
            # London
            81.2.69.0/24,eu-west-2,8
            81.2.69.0/24,us-east-1,76
            81.2.69.0/24,sa-east-1,192
            81.2.69.0/24,ap-northeast-1,228
            # Tokyo
            1.0.16.0/24,ap-northeast-1,5
            1.0.16.0/24,us-east-1,158
            1.0.16.0/24,eu-west-2,231
            1.0.16.0/24,sa-east-1,262
            # Sao Paulo
            200.160.0.0/20,sa-east-1,4
            200.160.0.0/20,us-east-1,121
            200.160.0.0/20,eu-west-2,189
            200.160.0.0/20,ap-northeast-1,266
            # An IPv6 network near London
            2001:db8:44::/48,eu-west-2,9
            2001:db8:44::/48,us-east-1,80

            """,
    ]

    /// Reads the demo's files from memory.
    public static let loader = ConfigurationLoader { path in
        guard let text = files[path] else { throw DemoFileMissing(path: path) }
        return text
    }

    struct DemoFileMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "no such demo file" }
    }
}
