import Authority
import DNSWire
import LatencyModel
import NearcastServer

func name(_ text: String) -> DomainName { try! DomainName(parsing: text) }
func ip(_ text: String) -> IPAddress { IPAddress(text)! }

/// A loader over in-memory files, like `Demo.loader`; unknown paths throw.
func memoryLoader(_ files: [String: String]) -> ConfigurationLoader {
    ConfigurationLoader { path in
        guard let text = files[path] else { throw MissingFile(path: path) }
        return text
    }
}

struct MissingFile: Error, CustomStringConvertible {
    var path: String
    var description: String { "no such file: \(path)" }
}

/// Loads `files[configPath]`, returning the messages of a load that must fail.
func loadErrors(_ files: [String: String], configPath: String = "conf/nearcast.yaml") -> [String] {
    switch memoryLoader(files).load(configPath: configPath, version: 1) {
    case .success: return ["<loaded>"]
    case .failure(let errors): return errors.messages
    }
}

/// Parses config text, returning the error messages.
func configErrors(_ text: String) -> [String] { NearcastConfig.parse(text, file: "n.yaml").errors }

/// The `file:line` part of each message.
func locations(_ messages: [String]) -> [String] {
    messages.map { $0.split(separator: ":", maxSplits: 2).prefix(2).joined(separator: ":") }
}

extension Snapshot {
    /// The values answered to `client` for `qname type`, as text.
    func answerValues(_ qname: String, _ type: RRType, client: String) -> [String] {
        resolve(Question(name: name(qname), type: type), client: ClientLocation(address: ip(client))).answer.map { record in
            switch record.data {
            case .a(let v): IPAddress(bytes: v.array)!.description
            case .aaaa(let v): IPAddress(bytes: v.array)!.description
            default: "\(record.data)"
            }
        }
    }
}
