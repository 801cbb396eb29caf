import Foundation
import Logging
import SigV4
import Store

/// The access keys the API accepts.
enum APICredentials {
    /// Keys from the config file, the environment (NEARCAST_ACCESS_KEY_ID and
    /// NEARCAST_SECRET_ACCESS_KEY) and the store. With none anywhere, makes
    /// one, keeps it in the store and in `<data>/credentials` (AWS shared
    /// credentials format, profile `nearcast`), and says how to use it.
    static func resolve(configured: [(accessKeyID: String, secretAccessKey: String)], store: Store,
                        dataDirectory: String, endpoint: String, logger: Logger) throws -> [Credential] {
        var keys = configured
        let environment = ProcessInfo.processInfo.environment
        if let id = environment["NEARCAST_ACCESS_KEY_ID"], let secret = environment["NEARCAST_SECRET_ACCESS_KEY"] {
            keys.append((id, secret))
        }
        keys += try store.credentials()
        if keys.isEmpty {
            let generated = (accessKeyID: "NC" + random(18, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
                             secretAccessKey: random(40, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
            try store.addCredential(accessKeyID: generated.accessKeyID, secretAccessKey: generated.secretAccessKey)
            let file = dataDirectory + "/credentials"
            let text = "[nearcast]\naws_access_key_id = \(generated.accessKeyID)\naws_secret_access_key = \(generated.secretAccessKey)\n"
            if writeSecret(text, to: file) {
                logger.notice("""
                    no API credentials were configured, so Nearcast made a key pair and stored it in \(file); use it with
                      AWS_SHARED_CREDENTIALS_FILE=\(file) AWS_PROFILE=nearcast aws route53 list-hosted-zones --endpoint-url http://\(endpoint)
                    """)
            } else {
                logger.notice("no API credentials were configured, so Nearcast made a key pair for this run; use it with: AWS_ACCESS_KEY_ID=\(generated.accessKeyID) AWS_SECRET_ACCESS_KEY=\(generated.secretAccessKey) AWS_DEFAULT_REGION=us-east-1 aws route53 list-hosted-zones --endpoint-url http://\(endpoint)")
            }
            keys.append(generated)
        }
        return keys.map { Credential(accessKeyID: $0.accessKeyID, secretAccessKey: $0.secretAccessKey) }
    }

    /// Writes a new file readable by its owner only from the start; false if
    /// it exists or cannot be made.
    private static func writeSecret(_ text: String, to path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count
    }

    private static func random(_ count: Int, from alphabet: String) -> String {
        let characters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in characters.randomElement(using: &generator)! })
    }
}
