import LatencyModel
import Testing
@testable import RealUserMeasurement

@Suite struct ClientAttributionTests {
    let proxies = ClientAttribution(trustedProxies: [IPPrefix("10.0.0.0/8")!, IPPrefix("2001:db8:ffff::/48")!])

    func client(_ peer: String, _ forwardedFor: [String]) -> String? {
        IPAddress(peer).flatMap { proxies.client(peer: $0, forwardedFor: forwardedFor) }.map(\.description)
    }

    @Test func anUntrustedPeerIsTheClientWhateverItForwards() {
        #expect(client("198.51.100.7", []) == "198.51.100.7")
        #expect(client("198.51.100.7", ["203.0.113.9"]) == "198.51.100.7")
        #expect(client("198.51.100.7", ["garbage"]) == "198.51.100.7")
    }

    @Test func aTrustedPeerNamesTheRightMostAddressThatIsNotAProxy() {
        #expect(client("10.0.0.1", ["203.0.113.9"]) == "203.0.113.9")
        // The client itself wrote 192.0.2.66 (spoofed); the edge proxy 10.1.1.1 saw 203.0.113.9.
        #expect(client("10.0.0.1", ["192.0.2.66, 203.0.113.9, 10.1.1.1"]) == "203.0.113.9")
        #expect(client("10.0.0.1", ["192.0.2.66", "203.0.113.9", "10.1.1.1"]) == "203.0.113.9")
    }

    @Test func aTrustedPeerWithoutForwardingIsTheClient() {
        #expect(client("10.0.0.1", []) == "10.0.0.1")
        #expect(client("10.0.0.1", ["10.2.0.1, 10.3.0.1"]) == "10.2.0.1")  // every hop a proxy: the first one
    }

    @Test func portsBracketsQuotesAndMappedAddressesAreUnderstood() {
        #expect(client("10.0.0.1", ["203.0.113.9:4711"]) == "203.0.113.9")
        #expect(client("10.0.0.1", ["[2001:db8::1]:443"]) == "2001:db8::1")
        #expect(client("10.0.0.1", ["\"2001:db8::1\""]) == "2001:db8::1")
        #expect(client("10.0.0.1", [" ::ffff:203.0.113.9 "]) == "203.0.113.9")
        #expect(client("::ffff:10.0.0.1", ["203.0.113.9"]) == "203.0.113.9")
        #expect(client("2001:db8:ffff::1", ["2001:db8:1::5"]) == "2001:db8:1::5")
    }

    @Test func anUnusableEntryFromATrustedProxyAttributesToNobody() {
        #expect(client("10.0.0.1", ["unknown"]) == nil)
        #expect(client("10.0.0.1", ["203.0.113.9, , 10.1.1.1"]) == "203.0.113.9")  // empty list elements are skipped
        #expect(client("10.0.0.1", ["203.0.113.9, _hidden"]) == nil)
    }
}
