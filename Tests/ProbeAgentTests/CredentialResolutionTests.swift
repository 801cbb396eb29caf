import Foundation
import ProbeAgent
import SigV4
import Testing

@Suite struct CredentialResolutionTests {
    static let file = """
        # written by the node
        [default]
        aws_access_key_id = DEFAULTKEY
        aws_secret_access_key = defaultsecret

        [nearcast]
        aws_access_key_id=NCKEY
        aws_secret_access_key =  nc/secret+=  \r
        ; a comment
        [partial]
        aws_access_key_id = ONLYID
        """

    /// A new file holding `text`; the caller removes it.
    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("credentials-\(UUID())").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func parsesProfiles() {
        let parsed = SharedCredentialsFile(text: Self.file)
        #expect(parsed.credential(profile: "nearcast")?.accessKeyID == "NCKEY")
        #expect(parsed.credential(profile: "nearcast")?.secretAccessKey == "nc/secret+=")
        #expect(parsed.credential(profile: "default")?.accessKeyID == "DEFAULTKEY")
        #expect(parsed.credential(profile: "partial") == nil)
        #expect(parsed.credential(profile: "missing") == nil)
    }

    @Test func optionsWinOverEverything() throws {
        let resolved = try CredentialResolution(accessKeyID: "OPT", secretAccessKey: "optsecret",
                                                environment: ["AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "e"]).resolve()
        #expect(resolved.accessKeyID == "OPT")
    }

    @Test func halfTheOptionsIsAnError() {
        #expect(throws: CredentialError.incompleteOptions) {
            try CredentialResolution(accessKeyID: "OPT", environment: [:]).resolve()
        }
    }

    @Test func awsEnvironmentBeforeNearcastEnvironment() throws {
        let both = ["AWS_ACCESS_KEY_ID": "AWSKEY", "AWS_SECRET_ACCESS_KEY": "a",
                    "NEARCAST_ACCESS_KEY_ID": "NCENV", "NEARCAST_SECRET_ACCESS_KEY": "n"]
        #expect(try CredentialResolution(environment: both).resolve().accessKeyID == "AWSKEY")
        let nearcastOnly = both.filter { $0.key.hasPrefix("NEARCAST") }
        #expect(try CredentialResolution(environment: nearcastOnly).resolve().accessKeyID == "NCENV")
    }

    @Test func fileWithProfile() throws {
        let path = try Self.temporaryFile(Self.file)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try CredentialResolution(credentialsFile: path, environment: [:]).resolve().accessKeyID == "NCKEY")
        #expect(try CredentialResolution(credentialsFile: path, profile: "default", environment: [:]).resolve().accessKeyID
            == "DEFAULTKEY")
        #expect(try CredentialResolution(environment: ["AWS_SHARED_CREDENTIALS_FILE": path]).resolve().accessKeyID == "NCKEY")
        #expect(throws: CredentialError.notFound(file: path, profile: "partial", fileMissing: false)) {
            try CredentialResolution(credentialsFile: path, profile: "partial", environment: [:]).resolve()
        }
    }

    @Test func missingFileSaysWhereItLooked() {
        let error = CredentialError.notFound(file: "/nonexistent/credentials", profile: "nearcast", fileMissing: true)
        #expect(throws: error) {
            try CredentialResolution(credentialsFile: "/nonexistent/credentials", environment: [:]).resolve()
        }
        #expect(error.description.contains("cannot read /nonexistent/credentials"))
    }
}
