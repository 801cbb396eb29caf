import DNSWire
import Route53Model
import Testing

/// Record values that do not parse for their type.
@Suite struct ValueTests {
    @Test(arguments: [
        (RRType.a, "ns-738.awsdns-28.net.", "ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)"),
        (.a, "192.0.2.300", "ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)"),
        (.aaaa, "192.0.2.1", "AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)"),
        (.txt, "v=spf1 -all", "InvalidCharacterString (Value should be enclosed in quotation marks)"),
        (.txt, "\"a\" b", "InvalidCharacterString (Value should be enclosed in quotation marks)"),
        (.spf, "\"unterminated", "InvalidCharacterString (Value should be enclosed in quotation marks)"),
        (.txt, "\"" + String(repeating: "k", count: 256) + "\"", "CharacterStringTooLong (Value is too long)"),
        (.cname, "a..example.net.", "DomainLabelEmpty (Domain label is empty)"),
        (.ns, String(repeating: "n", count: 64) + ".example.net.", "DomainLabelTooLong (Domain label is too long)"),
        (.ptr, String(repeating: "abcdefgh.", count: 29), "DomainNameTooLong (Domain name is too long)"),
        (.mx, "10", "DomainNameEmpty (Domain name is empty)"),
        (.srv, "1 2 443 .target.example.net.", "DomainLabelEmpty (Domain label is empty)"),
        (.mx, "ten mail.example.net.", "MXRRDATAIllegalValue (Value is not a valid MX record)"),
        (.caa, "0 issue", "CAARRDATAIllegalValue (Value is not a valid CAA record)"),
    ])
    func invalidValue(type: RRType, value: String, problem: String) {
        #expect(apply([create(records("v.example.com", type, [value]))]) == invalidChangeBatch(
            "Invalid Resource Record: 'FATAL problem: \(problem) encountered with '\(value)''"))
    }

    @Test(arguments: [
        (RRType.a, "192.0.2.1"), (.aaaa, "2001:db8::1"), (.txt, "\"v=spf1 -all\" \"more\""),
        (.txt, "\"" + String(repeating: "k", count: 255) + "\""), (.txt, "\"\\\"quoted\\\" \\255\""),
        (.cname, "target.example.net"), (.mx, "10 mail.example.net."), (.srv, "1 2 443 target.example.net."),
        (.caa, "0 issue \"letsencrypt.org\""), (.ds, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"),
    ])
    func validValue(type: RRType, value: String) {
        #expect(summary(apply([create(records("v.example.com", type, [value]))])).contains("\(type) v.example.com."))
    }

    /// Every bad value gets its own message.
    @Test func oneMessagePerBadValue() {
        #expect(apply([create(records("v.example.com", .a, ["192.0.2.1", "x", "y"]))]) == invalidChangeBatch(
            "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with 'x''",
            "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with 'y''"))
    }
}
