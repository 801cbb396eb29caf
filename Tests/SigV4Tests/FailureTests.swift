import SigV4
import Testing

/// Each failure, and the AWS code and message it maps onto.
@Suite struct FailureTests {
    static let fixture = capturedRequests.first { $0.name == "botocore ListResourceRecordSets" }!
    static let request = fixture.signedRequest
    static let authorization = request.header("Authorization")!

    static func verify(_ request: SignedRequest, after seconds: Int64 = 0, verifier: SigV4Verifier = fixture.verifier) -> SigV4Failure? {
        verifier.verify(request, now: fixture.signedAt + seconds).failure
    }

    static func withAuthorization(_ value: String) -> SignedRequest {
        request.replacingHeader("Authorization", with: value)
    }

    @Test func missingAuthentication() {
        let failure = Self.verify(Self.request.removingHeader("Authorization"))
        #expect(failure == .missingAuthentication)
        #expect(failure?.code == "MissingAuthenticationToken")
        #expect(failure?.message == "Request is missing Authentication Token")
    }

    @Test func unknownAccessKey() {
        let failure = Self.verify(Self.withAuthorization(Self.authorization.replacing("AKIDNEARCASTEXAMPLE", with: "AKIDUNKNOWN")))
        #expect(failure == .invalidAccessKey)
        #expect(failure?.code == "InvalidClientTokenId")
        #expect(failure?.message == "The security token included in the request is invalid.")
    }

    @Test func missingParameters() {
        let header = "AWS4-HMAC-SHA256 Credential=AKIDNEARCASTEXAMPLE/20261124/us-east-1/route53/aws4_request"
        let failure = Self.verify(Self.withAuthorization(header))
        #expect(failure == .incompleteSignature(
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
                + "Authorization=\(header)"))
        #expect(failure?.code == "IncompleteSignature")
    }

    @Test func notSigV4AtAll() {
        #expect(Self.verify(Self.withAuthorization("Bearer abc.def")) == .incompleteSignature(
            "'abc.def' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc.def'."))
        #expect(Self.verify(Self.withAuthorization("Basic dXNlcjpwYXNzd29yZA==")) == .incompleteSignature(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
                + "Authorization header requires 'SignedHeaders' parameter. Authorization=Basic dXNlcjpwYXNzd29yZA=="))
    }

    @Test func missingEqualSign() {
        let header = Self.authorization.replacing(/Signature=[0-9a-f]+/, with: "Signature")
        #expect(Self.verify(Self.withAuthorization(header)) == .incompleteSignature(
            "'Signature' not a valid key=value pair (missing equal-sign) in Authorization header: '\(header)'."))
    }

    @Test func missingDate() {
        let failure = Self.verify(Self.request.removingHeader("X-Amz-Date"))
        #expect(failure == .incompleteSignature(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=\(Self.authorization)"))
    }

    @Test func malformedDate() {
        #expect(Self.verify(Self.request.replacingHeader("X-Amz-Date", with: "2026-11-24T12:36:00Z")) == .incompleteSignature(
            "Date must be in ISO-8601 'basic format'. Got '2026-11-24T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"))
    }

    @Test func malformedCredential() {
        let header = Self.authorization.replacing("/us-east-1/route53/aws4_request", with: "/us-east-1/aws4_request")
        #expect(Self.verify(Self.withAuthorization(header)) == .incompleteSignature(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                + "got 'AKIDNEARCASTEXAMPLE/20261124/us-east-1/aws4_request'"))
    }

    @Test func unsupportedAlgorithm() {
        let header = Self.authorization.replacing("AWS4-HMAC-SHA256", with: "AWS4-HMAC-SHA512")
        #expect(Self.verify(Self.withAuthorization(header)) == .incompleteSignature("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"))
    }

    @Test func wrongServiceAndTerminator() {
        let header = Self.authorization.replacing("/route53/aws4_request", with: "/iam/aws5_request")
        let failure = Self.verify(Self.withAuthorization(header))
        #expect(failure == .signatureRejected(
            "Credential should be scoped to correct service: 'route53'. "
                + "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."))
        #expect(failure?.code == "SignatureDoesNotMatch")
    }

    @Test func scopeDateDiffersFromRequestDate() {
        let header = Self.authorization.replacing("/20261124/", with: "/20261123/")
        #expect(Self.verify(Self.withAuthorization(header)) == .signatureRejected(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                + "'20261123' != '20261124', from '20261124T123600Z'."))
    }

    @Test func hostMustBeSigned() {
        let header = Self.authorization.replacing("SignedHeaders=host;x-amz-date", with: "SignedHeaders=x-amz-date")
        #expect(Self.verify(Self.withAuthorization(header)) == .signatureRejected(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."))
    }

    @Test func securityTokenMustBeSigned() {
        let f = capturedRequests.first { $0.name == "botocore ListHostedZones, session token" }!
        let header = f.signedRequest.header("Authorization")!.replacing(";x-amz-security-token", with: "")
        #expect(f.verifier.verify(f.signedRequest.replacingHeader("Authorization", with: header), now: f.signedAt)
            == .failure(.signatureRejected("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.")))
    }

    @Test func clockSkew() {
        #expect(Self.verify(Self.request, after: 300) == nil)
        #expect(Self.verify(Self.request, after: -300) == nil)
        let expired = Self.verify(Self.request, after: 301)
        #expect(expired == .requestExpired(
            "Signature expired: 20261124T123600Z is now earlier than 20261124T123601Z (20261124T124101Z - 5 min.)"))
        #expect(expired?.code == "SignatureDoesNotMatch")
        #expect(Self.verify(Self.request, after: -301) == .requestExpired(
            "Signature not yet current: 20261124T123600Z is still later than 20261124T123559Z (20261124T123059Z + 5 min.)"))
        let strict = SigV4Verifier(maxClockSkew: .seconds(90)) { _ in Self.fixture.credential }
        #expect(Self.verify(Self.request, after: 91, verifier: strict) == .requestExpired(
            "Signature expired: 20261124T123600Z is now earlier than 20261124T123601Z (20261124T123731Z - 90 sec.)"))
    }

    @Test func presignedURLExpires() {
        let f = capturedRequests.first { $0.name == "botocore presigned GetChange" }!
        #expect(f.verifier.verify(f.signedRequest, now: f.signedAt + 900) == .success(f.accessKeyID))
        #expect(f.verifier.verify(f.signedRequest, now: f.signedAt + 901) == .failure(.requestExpired("Request has expired")))
        #expect(f.verifier.verify(f.signedRequest, now: f.signedAt - 301).failure?.code == "SignatureDoesNotMatch")
    }

    @Test func incompletePresignedQuery() {
        var request = SignedRequest(method: "GET", path: "/2013-04-01/change/C123", headers: [("Host", "127.0.0.1:8053")])
        request.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261124T123600Z"
        #expect(Self.verify(request) == .incompleteSignature(
            "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include "
                + "'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
                + "Re-examine the query-string parameters."))
    }

    @Test func mismatchMessage() {
        let header = Self.authorization.replacing(/Signature=[0-9a-f]+/, with: "Signature=" + String(repeating: "ab", count: 32))
        let failure = Self.verify(Self.withAuthorization(header))
        guard case .signatureMismatch(let canonicalRequest, let stringToSign) = failure else {
            Issue.record("expected a mismatch, got \(String(describing: failure))")
            return
        }
        #expect(canonicalRequest == """
            GET
            /2013-04-01/hostedzone/Z123/rrset
            maxitems=2&name=%5C052.example.com.&type=A
            host:127.0.0.1:8053
            x-amz-date:20261124T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(stringToSign.hasPrefix("AWS4-HMAC-SHA256\n20261124T123600Z\n20261124/us-east-1/route53/aws4_request\n"))
        #expect(failure?.code == "SignatureDoesNotMatch")
        #expect(failure?.message == "The request signature we calculated does not match the signature you provided. "
            + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
            + "The Canonical String for this request should have been\n'\(canonicalRequest)'\n\n"
            + "The String-to-Sign should have been\n'\(stringToSign)'\n")
    }

    @Test func malformedSignatureIsAMismatch() {
        for signature in ["", "abc", String(repeating: "AB", count: 32), String(repeating: "zz", count: 32)] {
            let header = Self.authorization.replacing(/Signature=[0-9a-f]+/, with: "Signature=" + signature)
            guard case .signatureMismatch = Self.verify(Self.withAuthorization(header)) else {
                Issue.record("signature \(signature) should not match")
                continue
            }
        }
    }
}
