/// An AWS shared-credentials file (`~/.aws/credentials`, or the `<data>/credentials` a node writes):
/// `[profile]` sections of `key = value` lines; `#` and `;` start comment lines.
///
/// Invariant: keys are lowercased and trimmed, values trimmed; a later duplicate key wins, as in botocore.
public struct SharedCredentialsFile: Sendable, Equatable {
    /// Profile name → key → value.
    public private(set) var profiles: [String: [String: String]]

    /// Parses the file's text. Lines outside any section, and lines without `=`, are ignored.
    public init(text: String) {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingWhitespace
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = String(line.dropFirst().dropLast()).trimmingWhitespace
                current = name
                if profiles[name] == nil { profiles[name] = [:] }
                continue
            }
            guard let current, let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]).trimmingWhitespace.lowercased()
            profiles[current, default: [:]][key] = String(line[line.index(after: eq)...]).trimmingWhitespace
        }
        self.profiles = profiles
    }

    /// The key pair of `profile`, or nil if the profile lacks either key.
    public func credential(profile: String) -> (accessKeyID: String, secretAccessKey: String)? {
        guard let keys = profiles[profile], let id = keys["aws_access_key_id"], !id.isEmpty,
              let secret = keys["aws_secret_access_key"], !secret.isEmpty
        else { return nil }
        return (id, secret)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingWhitespace: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first...last])
    }
}
