@testable import SigV4
import Testing

/// Requests botocore, the AWS CLI and Terraform really sent (BotocoreFixtures.swift, written by
/// make_fixtures.py), and what tampering with them does.
@Suite struct CapturedRequestTests {
    static func fixture(_ name: String) -> CapturedRequest {
        capturedRequests.first { $0.name == name }!
    }

    static func verify(_ fixture: CapturedRequest, _ request: SignedRequest, after seconds: Int64 = 0) -> Result<String, SigV4Failure> {
        fixture.verifier.verify(request, now: fixture.signedAt + seconds)
    }

    static func isMismatch(_ result: Result<String, SigV4Failure>) -> Bool {
        if case .signatureMismatch = result.failure { return true }
        return false
    }

    @Test(arguments: capturedRequests.map(\.name))
    func verifies(_ name: String) {
        let f = Self.fixture(name)
        #expect(Self.verify(f, f.signedRequest) == .success(f.accessKeyID))
    }

    @Test func capturedClientsAreAllPresent() {
        for prefix in ["botocore ", "aws-cli ", "terraform "] {
            #expect(capturedRequests.contains { $0.name.hasPrefix(prefix) }, "no fixture from \(prefix)")
        }
    }

    @Test(arguments: ["botocore CreateHostedZone", "botocore ChangeResourceRecordSets", "aws-cli change-resource-record-sets",
                      "terraform aws_route53_zone create"])
    func tamperedBodyFails(_ name: String) {
        let f = Self.fixture(name)
        var request = f.signedRequest
        request.body[request.body.count / 2] ^= 0x20
        #expect(Self.isMismatch(Self.verify(f, request)))
        request.body = f.signedRequest.body + [0x20]
        #expect(Self.isMismatch(Self.verify(f, request)))
    }

    @Test(arguments: capturedRequests.filter { !$0.name.contains("presigned") }.map(\.name))
    func tamperedSignedHeadersFail(_ name: String) {
        let f = Self.fixture(name)
        let request = f.signedRequest
        #expect(Self.isMismatch(Self.verify(f, request.replacingHeader("Host", with: "127.0.0.1:8054"))))
        if let date = request.header("X-Amz-Date") {
            let later = Timestamp(secondsSince1970: Timestamp(iso8601Basic: date)!.secondsSince1970 + 1).iso8601Basic
            #expect(Self.isMismatch(Self.verify(f, request.replacingHeader("X-Amz-Date", with: later))))
        } else {
            let date = request.header("Date")!
            #expect(Self.isMismatch(Self.verify(f, request.replacingHeader("Date", with: date.replacing(":00 ", with: ":01 ")))))
        }
    }

    @Test func unsignedHeadersMayChange() {
        let f = Self.fixture("botocore CreateHostedZone")
        let request = f.signedRequest.replacingHeader("User-Agent", with: "something else")
            .removingHeader("amz-sdk-invocation-id").removingHeader("Accept-Encoding")
        #expect(Self.verify(f, request) == .success(f.accessKeyID))
    }

    @Test func terraformSignsItsSDKHeaders() {
        let f = Self.fixture("terraform aws_route53_zone create")
        #expect(Self.isMismatch(Self.verify(f, f.signedRequest.replacingHeader("Amz-Sdk-Request", with: "attempt=2; max=1"))))
        #expect(Self.isMismatch(Self.verify(f, f.signedRequest.replacingHeader("Content-Type", with: "text/xml"))))
    }

    @Test func tamperedPathFails() {
        let f = Self.fixture("botocore ListResourceRecordSets")
        var request = f.signedRequest
        request.path = request.path.replacing("Z123", with: "Z124")
        #expect(Self.isMismatch(Self.verify(f, request)))
        request.path = f.signedRequest.path + "/"
        #expect(Self.isMismatch(Self.verify(f, request)))
    }

    /// The id `Z1 2+3` travels as `Z1%202%2B3` and is signed as `Z1%25202%252B3`: re-encoding it once
    /// more is what makes the signature match, and decoding it instead would not.
    @Test func escapedPathIsEncodedAgain() {
        let f = Self.fixture("botocore GetHostedZone, escaped id in the path")
        #expect(f.signedRequest.path == "/2013-04-01/hostedzone/Z1%202%2B3")
        var request = f.signedRequest
        request.path = "/2013-04-01/hostedzone/Z1 2+3"
        guard case .signatureMismatch(let canonicalRequest, _) = Self.verify(f, request).failure else {
            Issue.record("expected a mismatch")
            return
        }
        #expect(canonicalRequest.split(separator: "\n")[1] == "/2013-04-01/hostedzone/Z1%202%2B3")
    }

    @Test func tamperedQueryFails() {
        let f = Self.fixture("botocore ListResourceRecordSets")
        #expect(f.signedRequest.query == "name=%5C052.example.com.&type=A&maxitems=2")
        var request = f.signedRequest
        request.query = "name=%5C052.example.com.&type=A&maxitems=3"
        #expect(Self.isMismatch(Self.verify(f, request)))
        request.query = "name=%5C052.example.com.&type=A"
        #expect(Self.isMismatch(Self.verify(f, request)))
        request.query = nil
        #expect(Self.isMismatch(Self.verify(f, request)))
        // Order and escape case do not matter: both are canonicalized away.
        request.query = "maxitems=2&type=A&name=%5c052.example.com."
        #expect(Self.verify(f, request) == .success(f.accessKeyID))
    }

    @Test func tamperedMethodFails() {
        let f = Self.fixture("botocore DeleteHostedZone")
        var request = f.signedRequest
        request.method = "GET"
        #expect(Self.isMismatch(Self.verify(f, request)))
    }

    @Test func tamperedPresignedURLFails() {
        let f = Self.fixture("botocore presigned GetChange")
        var request = f.signedRequest
        request.query = request.query!.replacing("X-Amz-Expires=900", with: "X-Amz-Expires=3600")
        #expect(Self.isMismatch(Self.verify(f, request)))
        request = f.signedRequest
        request.path = "/2013-04-01/change/C124"
        #expect(Self.isMismatch(Self.verify(f, request)))
    }

    @Test func wrongSecretFails() {
        let f = Self.fixture("aws-cli list-resource-record-sets")
        let verifier = SigV4Verifier { Credential(accessKeyID: $0, secretAccessKey: "not the secret") }
        #expect(Self.isMismatch(verifier.verify(f.signedRequest, now: f.signedAt)))
    }

    @Test func anyRegionIsAccepted() {
        let f = Self.fixture("botocore ListHostedZones, eu-west-1 scope")
        #expect(f.signedRequest.header("Authorization")!.contains("/eu-west-1/route53/"))
        #expect(Self.verify(f, f.signedRequest) == .success(f.accessKeyID))
    }
}
