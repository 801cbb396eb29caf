import ArgumentParser
import Foundation
import ProbeAgent
import SigV4

/// The key pair that signs requests to a node's API.
struct APIKeyOptions: ParsableArguments {
    @Option(help: "Access key ID (else AWS_/NEARCAST_ACCESS_KEY_ID, else the credentials file).") var accessKeyId: String?
    @Option(help: "Secret access key, with --access-key-id.") var secretAccessKey: String?
    @Option(help: "An AWS shared-credentials file, e.g. the node's <data_dir>/credentials.") var credentialsFile: String?
    @Option(help: "The profile in the credentials file (default: nearcast).") var profile: String?

    func credential() throws -> Credential {
        try CredentialResolution(accessKeyID: accessKeyId, secretAccessKey: secretAccessKey, credentialsFile: credentialsFile,
                                 profile: profile).resolve()
    }
}

/// Where a node's API is and the keys to sign with.
struct NodeConnection: ParsableArguments {
    @Option(help: "The node's API, e.g. http://127.0.0.1:8053.") var endpoint = "http://127.0.0.1:8053"
    @OptionGroup var keys: APIKeyOptions

    func client(timeout: Duration = .seconds(60)) throws -> ControllerClient {
        guard let client = ControllerClient(baseURL: endpoint, credential: try keys.credential(), timeout: timeout) else {
            throw ValidationError("bad endpoint '\(endpoint)' (want e.g. http://127.0.0.1:8053)")
        }
        return client
    }
}

/// A JSON object from a response, or the error the node sent as a failure.
private func object(_ response: ControllerResponse) throws -> [String: Any] {
    let parsed = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
    guard let parsed else { throw CleanExit.message("the node answered HTTP \(response.status) without JSON") }
    return parsed
}

struct Latency: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Latency data: bulk imports.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a CSV or JSON file of measurements (time,client,region,rtt_ms[,source]) to a running node.")

        @Argument(help: "The file (.csv or .json; '-' reads CSV from standard input).") var file: String
        @OptionGroup var node: NodeConnection
        @Flag(help: "Keep the good rows when some are bad (default: one bad row rejects a chunk).") var partial = false
        @Option(help: "The source of rows that name none: rum, probe or import.") var source = "import"
        @Option(help: "Rows per request.") var chunkRows = 500_000

        func run() async throws {
            let bytes: [UInt8]
            if file == "-" { bytes = Array(FileHandle.standardInput.readDataToEndOfFile()) } else {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read '\(file)'") }
                bytes = Array(data)
            }
            let client = try node.client(timeout: .seconds(600))
            let isJSON = file.hasSuffix(".json")
            // CSV goes in chunks of whole lines (each with the header, if any); JSON as one document.
            let chunks = isJSON ? [(bytes, 0)] : CSVChunks.split(bytes, rows: max(1, chunkRows))
            var kept = 0, rejected = 0, failed = false
            for (chunk, lineOffset) in chunks {
                let response = try await client.post("/nearcast/latency/measurements",
                                                     query: [("partial", partial ? "true" : "false"), ("source", source)],
                                                     body: chunk, contentType: isJSON ? "application/json" : "text/csv")
                let result = try object(response)
                if let error = result["error"] as? [String: Any] {
                    throw CleanExit.message("\(error["code"] ?? "Error"): \(error["message"] ?? "")")
                }
                kept += result["kept"] as? Int ?? 0
                rejected += result["rejected"] as? Int ?? 0
                for error in result["errors"] as? [[String: Any]] ?? [] {
                    print("\(file):\((error["line"] as? Int ?? 0) + lineOffset): \(error["reason"] ?? "")")
                }
                if response.status != 200 { failed = true }
            }
            print("\(kept) measurements kept, \(rejected) rows rejected\(failed ? "; chunks with bad rows were not kept (use --partial to keep their good rows)" : "")")
            if failed || rejected > 0 && !partial { throw ExitCode(1) }
        }
    }
}

/// Cuts CSV bytes into chunks of at most `rows` lines, repeating a header
/// line in each; each chunk comes with the number of lines before it (less
/// its repeated header), so a reported line maps back to the file's.
enum CSVChunks {
    static func split(_ bytes: [UInt8], rows: Int) -> [([UInt8], Int)] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let header = lines.first.map { String(decoding: $0, as: UTF8.self).lowercased().contains("rtt_ms") } == true ? lines[0] : nil
        let body = header == nil ? lines[...] : lines.dropFirst()
        var chunks: [([UInt8], Int)] = []
        var start = body.startIndex
        repeat {
            let end = min(start + rows, body.endIndex)
            var chunk: [UInt8] = []
            if let header { chunk += header; chunk.append(UInt8(ascii: "\n")) }
            for line in body[start..<end] { chunk += line; chunk.append(UInt8(ascii: "\n")) }
            chunks.append((chunk, start - (header == nil ? 0 : 1)))
            start = end
        } while start < body.endIndex
        return chunks
    }
}

struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Why a client gets the region it gets: its network, every region's estimate and source, the ranking, the answer.")

    @Argument(help: "The client's address (or the ECS address a resolver would send).") var client: String
    @Option(help: "Also show the answer for this name.") var name: String?
    @Option(help: "The query type for --name.") var type = "A"
    @OptionGroup var node: NodeConnection
    @Flag(help: "Print the node's JSON.") var json = false

    func run() async throws {
        var query = [("client", client)]
        if let name { query += [("name", name), ("type", type)] }
        let response = try await node.client().get("/nearcast/latency/explain", query: query)
        let result = try object(response)
        if json || response.status != 200 {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            if response.status != 200 { throw ExitCode(1) }
            return
        }
        let location = (result["location"] as? [String: Any])?["country"] as? String
        print("client:   \(client)   network \(result["bucket"] ?? "?")\(location.map { "   location \($0)" } ?? "")")
        print("regions (by estimate):")
        for entry in result["regions"] as? [[String: Any]] ?? [] {
            let rtt = (entry["rtt_ms"] as? Double).map { String(format: "%7.1f ms", $0) } ?? "       — "
            var origin = entry["from"] as? String ?? ""
            if let samples = entry["samples"] as? Double, let age = entry["age_s"] as? Int {
                origin += String(format: ", %.1f samples, newest %d s ago", samples, age)
            }
            if let pending = entry["pending_ms"] as? Double, let weight = entry["pending_samples"] as? Double {
                origin += String(format: "; pending %.1f ms (%.1f samples)", pending, weight)
            }
            print("  \(String(describing: entry["region"] ?? "").padding(toLength: 16, withPad: " ", startingAt: 0)) \(rtt)  "
                  + "\(String(describing: entry["source"] ?? "").padding(toLength: 9, withPad: " ", startingAt: 0)) \(origin)")
        }
        let ranking = (result["ranking"] as? [String] ?? []).joined(separator: ", ")
        print("ranking:  \(ranking)   (block \(result["block"] ?? "?"): ECS scope /\(result["scope"] ?? "?"))")
        if let held = result["held"] as? [String: Any] { print("held:     " + Self.describe(held: held)) }
        if let answer = result["answer"] as? [String: Any] {
            let records = answer["answers"] as? [String] ?? []
            let choice = (answer["set_identifier"] as? String).map { " (set '\($0)', \(answer["region"] as? String ?? ""))" } ?? ""
            print("answer:   \(answer["rcode"] ?? "")\(records.isEmpty ? "" : "  " + records.joined(separator: "; "))\(choice)")
        }
    }

    /// The explain API's `held`: why the first region is not the fastest estimate.
    static func describe(held: [String: Any]) -> String {
        func number(_ key: String) -> Double { held[key] as? Double ?? .nan }
        let kept = held["region"] as? String ?? "?", faster = held["faster"] as? String ?? "?"
        let gain = number("rtt_ms") - number("faster_rtt_ms")
        var text = String(format: "%@ stays first (%.1f ms, ranked at %.1f ms) although %@ is faster by %.1f ms (%.1f%%) by estimate: ",
                          kept, number("rtt_ms"), number("ranked_at_ms"), faster, gain, 100 * gain / number("rtt_ms"))
        text += String(format: "a new first region must be faster by %.1f ms", number("needs_ms"))
        if held["released"] as? Bool == true { text += " (\(kept) became slower by the margin since it was ranked)" }
        if number("needs_percent") > 0 { text += String(format: " and by %.1f%% (the standard errors of its estimate)", number("needs_percent")) }
        return text + (held["takes_over"] as? Bool == true ? "; \(faster) is, and takes over at the next build" : "")
    }
}
