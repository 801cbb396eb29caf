import Foundation
import SigV4

/// Where a client of the node's API gets its key pair, first match winning:
/// 1. `accessKeyID` and `secretAccessKey` (command-line options; both or neither);
/// 2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment;
/// 3. NEARCAST_ACCESS_KEY_ID / NEARCAST_SECRET_ACCESS_KEY in the environment;
/// 4. a shared-credentials file: `credentialsFile`, else AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials;
///    profile `profile`, else `nearcast`.
public struct CredentialResolution: Sendable {
    public var accessKeyID: String?
    public var secretAccessKey: String?
    public var credentialsFile: String?
    public var profile: String?
    public var environment: [String: String]

    public static let defaultProfile = "nearcast"

    public init(accessKeyID: String? = nil, secretAccessKey: String? = nil, credentialsFile: String? = nil,
                profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.credentialsFile = credentialsFile
        self.profile = profile
        self.environment = environment
    }

    /// The key pair, or an error that says where it looked.
    public func resolve() throws(CredentialError) -> Credential {
        switch (accessKeyID, secretAccessKey) {
        case let (id?, secret?): return Credential(accessKeyID: id, secretAccessKey: secret)
        case (nil, nil): break
        default: throw .incompleteOptions
        }
        for prefix in ["AWS", "NEARCAST"] {
            if let id = environment["\(prefix)_ACCESS_KEY_ID"], !id.isEmpty,
               let secret = environment["\(prefix)_SECRET_ACCESS_KEY"], !secret.isEmpty {
                return Credential(accessKeyID: id, secretAccessKey: secret)
            }
        }
        let path = credentialsFile ?? environment["AWS_SHARED_CREDENTIALS_FILE"]
            ?? (environment["HOME"].map { $0 + "/.aws/credentials" } ?? "~/.aws/credentials")
        let profile = profile ?? Self.defaultProfile
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .notFound(file: path, profile: profile, fileMissing: true)
        }
        guard let pair = SharedCredentialsFile(text: String(decoding: data, as: UTF8.self)).credential(profile: profile) else {
            throw .notFound(file: path, profile: profile, fileMissing: false)
        }
        return Credential(accessKeyID: pair.accessKeyID, secretAccessKey: pair.secretAccessKey)
    }
}

/// Why no key pair was found.
public enum CredentialError: Error, Equatable, CustomStringConvertible {
    /// Only one of --access-key-id and --secret-access-key was given.
    case incompleteOptions
    /// Nothing in the options or environment, and the file is missing or lacks the profile's keys.
    case notFound(file: String, profile: String, fileMissing: Bool)

    public var description: String {
        switch self {
        case .incompleteOptions:
            "give both --access-key-id and --secret-access-key, or neither"
        case let .notFound(file, profile, fileMissing):
            "no API credentials: no --access-key-id/--secret-access-key, no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
                + "NEARCAST_ACCESS_KEY_ID/NEARCAST_SECRET_ACCESS_KEY in the environment, and "
                + (fileMissing ? "cannot read \(file)" : "\(file) has no aws_access_key_id/aws_secret_access_key in [\(profile)]")
                + " (the node writes <data_dir>/credentials; pass it with --credentials-file)"
        }
    }
}
