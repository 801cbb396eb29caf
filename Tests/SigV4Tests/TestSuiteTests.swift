import SigV4
import Testing

/// Signed requests from the AWS SigV4 test suite (aws-c-auth's `tests/aws-signing-test-suite/v4`,
/// `header-signed-request.txt` and `query-signed-request.txt`, the "normalized" variants that apply
/// to every service but S3). All are signed by AKIDEXAMPLE at 2015-08-30T12:36:00Z for
/// us-east-1/service.
@Suite struct TestSuiteTests {
    static let signedAt: Int64 = 1_440_938_160
    static let verifier = SigV4Verifier(service: "service") {
        $0 == "AKIDEXAMPLE" ? Credential(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY") : nil
    }
    static func authorization(_ signedHeaders: String, _ signature: String) -> String {
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }
    static let date = "X-Amz-Date:20150830T123600Z"

    static let headerSigned: [(name: String, request: String)] = [
        ("get-vanilla-query-order-key-case", """
            GET /?Param2=value2&Param1=value1 HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
            \(date)

            """),
        ("get-vanilla-query-order-encoded", """
            GET /?Param-3=Value3&Param=Value2&%E1%88%B4=Value1 HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"))
            \(date)

            """),
        ("get-vanilla-empty-query-key", """
            GET /?Param1=value1 HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"))
            \(date)

            """),
        ("get-vanilla-query-unreserved", """
            GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"))
            \(date)

            """),
        ("get-vanilla-utf8-query", """
            GET /?ሴ=bar HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"))
            \(date)

            """),
        ("get-unreserved", """
            GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"))
            \(date)

            """),
        ("get-utf8", """
            GET /ሴ HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"))
            \(date)

            """),
        ("get-space-normalized", """
            GET /example space/ HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"))
            \(date)

            """),
        ("get-slashes-normalized", """
            GET //example// HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"))
            \(date)

            """),
        ("get-slash-dot-slash-normalized", """
            GET /./ HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"))
            \(date)

            """),
        ("get-relative-relative-normalized", """
            GET /example1/example2/../.. HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"))
            \(date)

            """),
        ("get-header-value-trim", """
            GET / HTTP/1.1
            Host:example.amazonaws.com
            My-Header1: value1
            My-Header2: "a   b   c"
            \(authorization("host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"))
            \(date)

            """),
        ("get-header-key-duplicate", """
            GET / HTTP/1.1
            Host:example.amazonaws.com
            My-Header1:value2
            My-Header1:value2
            My-Header1:value1
            \(authorization("host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"))
            \(date)

            """),
        ("get-vanilla-with-session-token", """
            GET / HTTP/1.1
            Host:example.amazonaws.com
            \(authorization("host;x-amz-date;x-amz-security-token", "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"))
            \(date)
            X-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267

            """),
        ("post-x-www-form-urlencoded", """
            POST / HTTP/1.1
            Content-Type:application/x-www-form-urlencoded
            Host:example.amazonaws.com
            Content-Length:13
            x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e
            \(authorization("content-length;content-type;host;x-amz-content-sha256;x-amz-date", "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"))
            \(date)

            Param1=value1
            """),
    ]

    static let querySigned: [(name: String, request: String)] = [
        ("get-vanilla-query-order-key-case", """
            GET /?Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5 HTTP/1.1
            Host:example.amazonaws.com
            \(date)

            """),
        ("get-utf8", """
            GET /ሴ?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=10eae3f14a260bd3911cc6d008d3c576d143b05b62f09782a7a4b37f52178e44 HTTP/1.1
            Host:example.amazonaws.com
            \(date)

            """),
    ]

    @Test(arguments: headerSigned.map(\.name))
    func headerSignedRequestVerifies(_ name: String) {
        let request = parseRawRequest(Self.headerSigned.first { $0.name == name }!.request)
        #expect(Self.verifier.verify(request, now: Self.signedAt) == .success("AKIDEXAMPLE"))
    }

    @Test(arguments: querySigned.map(\.name))
    func presignedRequestVerifies(_ name: String) {
        let request = parseRawRequest(Self.querySigned.first { $0.name == name }!.request)
        #expect(Self.verifier.verify(request, now: Self.signedAt) == .success("AKIDEXAMPLE"))
    }

    /// The suite's canonical request and string to sign, reported when the signature is wrong.
    @Test func mismatchReportsTheSuitesCanonicalRequest() {
        var request = parseRawRequest(Self.headerSigned[0].request)
        let wrong = String(repeating: "0", count: 64)
        request = request.replacingHeader("Authorization", with: request.header("Authorization")!.replacing(
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", with: wrong))
        #expect(Self.verifier.verify(request, now: Self.signedAt).failure == .signatureMismatch(
            canonicalRequest: """
                GET
                /
                Param1=value1&Param2=value2
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0
                """))
    }
}
