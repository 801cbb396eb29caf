import Testing
@testable import LatencyLearning
import LatencyModel

@Suite struct BucketingTests {
    @Test func cutsAddressesAndLongPrefixesToTheDefaultBuckets() {
        let policy = BucketPolicy()
        #expect(policy.bucket(of: ip("192.0.2.77")) == prefix("192.0.2.0/24"))
        #expect(policy.bucket(of: prefix("192.0.2.128/25")) == prefix("192.0.2.0/24"))
        #expect(policy.bucket(of: ip("2001:db8:1:2:3::1")) == prefix("2001:db8:1::/48"))
        #expect(policy.bucket(of: prefix("2001:db8:1:2::/64")) == prefix("2001:db8:1::/48"))
    }

    @Test func keepsShorterPrefixesAsCoveringNetworks() {
        let policy = BucketPolicy()
        #expect(policy.bucket(of: prefix("198.51.0.0/16")) == prefix("198.51.0.0/16"))
        #expect(policy.bucket(of: prefix("192.0.2.0/24")) == prefix("192.0.2.0/24"))
        #expect(policy.bucket(of: prefix("2001:db8::/32")) == prefix("2001:db8::/32"))
    }

    @Test func bucketLengthsAreConfigurable() {
        let policy = BucketPolicy(ipv4Length: 20, ipv6Length: 56)
        #expect(policy.bucket(of: ip("192.0.31.1")) == prefix("192.0.16.0/20"))
        #expect(policy.bucket(of: ip("2001:db8:1:2ff::1")) == prefix("2001:db8:1:200::/56"))
        #expect(BucketPolicy(ipv4Length: 32, ipv6Length: 128).bucket(of: ip("::1")) == prefix("::1/128"))
    }

    @Test func measurementsTakeAnAddressAsAHostPrefix() {
        let m = Measurement(timeMs: 5, client: ip("192.0.2.9"), region: 3, rttMs: 12.5, source: .rum)
        #expect(m.client == prefix("192.0.2.9/32"))
        #expect(Measurement.Source(rawValue: "import") == .imported)
        #expect(Measurement.Source.probe.rawValue == "probe")
    }

    @Test(arguments: ["0.0.0.0/0", "10.0.0.0/8", "255.255.255.255/32", "::/0", "::/96", "::a00:0/104",
                      "2001:db8::/48", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "c000::/2"])
    func prefixKeysRoundTrip(_ text: String) {
        #expect(PrefixKey(prefix(text)).prefix == prefix(text))
    }

    @Test func prefixKeysOfTheFamiliesDiffer() {
        // 10.0.0.0/8 and ::a00:0/8 share address bits; lengths differ by family.
        #expect(PrefixKey(prefix("10.0.0.0/8")) != PrefixKey(IPPrefix(.v6(0x0A00_0000), length: 8 + 96)))
        #expect(PrefixKey(prefix("0.0.0.0/0")) != PrefixKey(prefix("::/0")))
        #expect(PrefixKey(prefix("0.0.0.0/32")) != PrefixKey(prefix("::/32")))
    }

    @Test func keyIndexNumbersKeysDenselyAndFindsThemAfterGrowing() {
        var index = KeyIndex()
        let keys = (0..<5000).map { PrefixKey(IPPrefix(.v4(UInt32($0) << 8), length: 24)) }
            + (0..<5000).map { PrefixKey(IPPrefix(.v6(UInt128($0) << 80), length: 48)) }
        let inserted = keys.map { index.insert($0) }
        #expect(inserted.enumerated().allSatisfy { n, result in result == (n, true) })
        #expect(index.count == 10_000)
        let again = index.insert(keys[1234])
        #expect(again.index == 1234 && !again.inserted)
        #expect(keys.indices.allSatisfy { index.find(keys[$0]) == $0 && index.key(at: $0) == keys[$0] })
        #expect(index.find(PrefixKey(prefix("10.0.0.0/8"))) == nil)
    }

    /// By prefix, from a table sized ahead; and whether a key has a given number.
    @Test func keyIndexNumbersPrefixesFromATableSizedAhead() {
        var index = KeyIndex(capacity: 3000)
        let prefixes = (0..<3000).map { IPPrefix(.v4(UInt32($0) << 12), length: 20) } + [prefix("2001:db8::/32"), prefix("0.0.0.0/0")]
        #expect(prefixes.enumerated().allSatisfy { n, prefix in index.insert(prefix) == (n, true) })
        #expect(index.insert(prefixes[17]) == (17, false) && index.count == prefixes.count)
        for (n, prefix) in prefixes.enumerated() {
            #expect(index.find(prefix) == n && index.prefix(at: n) == prefix)
            #expect(index.isAt(n, PrefixKey(prefix)) && !index.isAt(n + 1, PrefixKey(prefix)) && (n == 0 || !index.isAt(0, PrefixKey(prefix))))
        }
        #expect(index.find(prefix("10.0.0.0/8")) == nil && !index.isAt(prefixes.count, PrefixKey(prefix("10.0.0.0/8"))))
        #expect(index.find(prefix("::/0")) == nil)  // not 0.0.0.0/0: the families never share a key
    }
}
