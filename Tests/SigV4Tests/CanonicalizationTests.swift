@testable import SigV4
import Testing

@Suite struct CanonicalizationTests {
    @Test(arguments: [
        ("", "/"),
        ("/", "/"),
        ("//", "/"),
        ("//example//", "/example/"),
        ("/./", "/"),
        ("/./example", "/example"),
        ("/example/..", "/"),
        ("/example1/example2/../..", "/"),
        ("/a/./b/../c/", "/a/c/"),
        ("/../a", "/a"),
        ("/2013-04-01/hostedzone/Z1/rrset/", "/2013-04-01/hostedzone/Z1/rrset/"),
        ("/example space/", "/example%20space/"),
        ("/ሴ", "/%E1%88%B4"),
        ("/a%2Fb/%2A", "/a%252Fb/%252A"),
        ("/-._~AZaz09!$&'()*+,;=:@", "/-._~AZaz09%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40"),
    ])
    func uri(_ raw: String, _ canonical: String) {
        #expect(Canonical.uri(raw) == canonical)
    }

    @Test(arguments: [
        (nil, ""),
        ("", ""),
        ("b=2&a=1&a=0", "a=0&a=1&b=2"),
        ("Param-3=Value3&Param=Value2&%E1%88%B4=Value1", "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"),
        ("name=%5c052.example.com.&type=A", "name=%5C052.example.com.&type=A"),
        ("name=\\052.example.com.", "name=%5C052.example.com."),
        ("a+b=%7e%2a", "a%2Bb=~%2A"),
        ("flag&x=", "flag=&x="),
        ("a=1&&b=2&", "a=1&b=2"),
        ("%zz=%4", "%25zz=%254"),
        ("k=a=b", "k=a%3Db"),
        ("ሴ=bar", "%E1%88%B4=bar"),
    ] as [(String?, String)])
    func query(_ raw: String?, _ canonical: String) {
        #expect(Canonical.queryString(Canonical.queryParameters(raw), excluding: nil) == canonical)
    }

    @Test func queryExcludesTheSignature() {
        let parameters = Canonical.queryParameters("X-Amz-Signature=abc&X-Amz-Date=20150830T123600Z")
        #expect(Canonical.queryString(parameters, excluding: "X-Amz-Signature") == "X-Amz-Date=20150830T123600Z")
        #expect(parameters[0].decodedValue == "abc")
    }

    @Test func headerBlock() {
        let headers: [(name: String, value: String)] = [
            ("Host", "example.amazonaws.com"), ("My-Header1", "  a   b \t c  "), ("my-header1", "d"), ("X-Other", "x"),
        ]
        #expect(Canonical.headerBlock(["host", "my-header1", "x-missing"], from: headers)
            == "host:example.amazonaws.com\nmy-header1:a b c,d\nx-missing:\n")
    }

    @Test func trimAll() {
        #expect(Canonical.trimAll("  \"a   b   c\" ") == "\"a b c\"")
        #expect(Canonical.trimAll("a\u{1F}b\u{A0}c\n") == "a b c")
        #expect(Canonical.trimAll("   ") == "")
    }

    @Test func timestamps() {
        #expect(Timestamp(iso8601Basic: "20150830T123600Z")?.secondsSince1970 == 1_440_938_160)
        #expect(Timestamp(iso8601Basic: "19700101T000000Z")?.secondsSince1970 == 0)
        #expect(Timestamp(iso8601Basic: "20240229T235959Z")?.iso8601Basic == "20240229T235959Z")
        #expect(Timestamp(secondsSince1970: 1_795_523_760).iso8601Basic == "20261124T123600Z")
        #expect(Timestamp(secondsSince1970: -1).iso8601Basic == "19691231T235959Z")
        #expect(Timestamp(secondsSince1970: 1_440_938_160).dateStamp == "20150830")
        for bad in ["20150230T000000Z", "20230229T000000Z", "20150830T123600", "2015-08-30T12:36:00Z",
                    "20150830T243600Z", "20151330T123600Z", "2015083OT123600Z", "20150830t123600z"] {
            #expect(Timestamp(iso8601Basic: bad) == nil, "\(bad)")
        }
        #expect(Timestamp(httpDate: "Sun, 30 Aug 2015 12:36:00 GMT")?.secondsSince1970 == 1_440_938_160)
        #expect(Timestamp(httpDate: "Sun, 30 Aug 2015 12:36:00 -0000")?.secondsSince1970 == 1_440_938_160)
        #expect(Timestamp(httpDate: "Sun, 30 Aug 2015 14:36:00 +0200")?.secondsSince1970 == 1_440_938_160)
        for bad in ["Sun, 30 Aug 2015 12:36:00", "Sunday, 30-Aug-15 12:36:00 GMT", "Sun Aug 30 12:36:00 2015",
                    "Sun, 31 Sep 2015 12:36:00 GMT", "Sun, 30 Aug 2015 12:36 GMT"] {
            #expect(Timestamp(httpDate: bad) == nil, "\(bad)")
        }
    }
}
