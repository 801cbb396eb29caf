import SigV4
import Testing

/// SigV4Signer against botocore's signatures (SignerFixtures.swift, written by make_fixtures.py) and
/// against SigV4Verifier.
@Suite struct SignerTests {
    static let credential = Credential(accessKeyID: signerAccessKeyID, secretAccessKey: signerSecretAccessKey)

    static func signed(_ f: SignerFixture, body: String? = nil) -> [(name: String, value: String)] {
        SigV4Signer(credential: credential, region: f.region)
            .sign(method: f.method, target: f.target, host: f.host, headers: f.headers, body: Array(f.body.utf8), now: f.signedAt)
    }

    /// The request as the server receives it: the caller's headers, Host, and what the signer added.
    static func request(_ f: SignerFixture, added: [(name: String, value: String)]) -> SignedRequest {
        let parts = f.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return SignedRequest(method: f.method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil,
                             headers: [("Host", f.host)] + f.headers + added, body: Array(f.body.utf8))
    }

    static func value(_ name: String, in headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    @Test(arguments: signerFixtures.map(\.name))
    func matchesBotocore(_ name: String) throws {
        let f = try #require(signerFixtures.first { $0.name == name })
        let added = Self.signed(f)
        #expect(added.map { $0.name } == ["X-Amz-Date", "X-Amz-Content-SHA256", "Authorization"])
        #expect(Self.value("Authorization", in: added) == f.authorization)
        #expect(Self.value("X-Amz-Date", in: added) == f.amzDate)
    }

    @Test(arguments: signerFixtures.map(\.name))
    func verifies(_ name: String) throws {
        let f = try #require(signerFixtures.first { $0.name == name })
        let verifier = SigV4Verifier { $0 == Self.credential.accessKeyID ? Self.credential : nil }
        let request = Self.request(f, added: Self.signed(f))
        #expect(verifier.verify(request, now: f.signedAt + 60) == .success(signerAccessKeyID))

        var tampered = request
        tampered.body += [0x20]
        guard case .failure(.signatureMismatch) = verifier.verify(tampered, now: f.signedAt) else {
            Issue.record("a changed body must not verify")
            return
        }
    }

    @Test func signsTheBodyHash() throws {
        let f = try #require(signerFixtures.first { $0.name == "GET with a query" })
        #expect(Self.value("X-Amz-Content-SHA256", in: Self.signed(f))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func callerCannotOverrideProducedHeaders() throws {
        let f = try #require(signerFixtures.first { $0.name == "POST JSON" })
        var withStale = f
        withStale.headers += [("Authorization", "stale"), ("x-amz-date", "19700101T000000Z"), ("Host", "elsewhere")]
        #expect(Self.value("Authorization", in: Self.signed(withStale)) == f.authorization)
    }

    @Test func otherServiceOrSecretDoesNotVerify() throws {
        let f = try #require(signerFixtures.first { $0.name == "POST JSON" })
        let verifier = SigV4Verifier { $0 == Self.credential.accessKeyID ? Self.credential : nil }
        let wrongSecret = SigV4Signer(credential: Credential(accessKeyID: signerAccessKeyID, secretAccessKey: "other"))
            .sign(method: f.method, target: f.target, host: f.host, headers: f.headers, body: Array(f.body.utf8), now: f.signedAt)
        guard case .failure(.signatureMismatch) = verifier.verify(Self.request(f, added: wrongSecret), now: f.signedAt) else {
            Issue.record("another secret must not verify")
            return
        }
        let wrongService = SigV4Signer(credential: Self.credential, service: "s3")
            .sign(method: f.method, target: f.target, host: f.host, headers: f.headers, body: Array(f.body.utf8), now: f.signedAt)
        guard case .failure(.signatureRejected) = verifier.verify(Self.request(f, added: wrongService), now: f.signedAt) else {
            Issue.record("another service must be rejected")
            return
        }
    }
}
