import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: local name, child elements and text content.
/// Namespaces are dropped; Route 53 requests use one namespace throughout.
struct XMLElementNode: Sendable {
    var name: String
    var children: [XMLElementNode] = []
    var text = ""

    func child(_ name: String) -> XMLElementNode? { children.first { $0.name == name } }
    func children(_ name: String) -> [XMLElementNode] { children.filter { $0.name == name } }
    /// The trimmed text of child `name`, if present.
    func value(_ name: String) -> String? { child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) } }

    /// Parses a document; throws on malformed XML. Bytes that are not
    /// UTF-8 are rejected before the parser sees them (FoundationXML traps
    /// on invalid UTF-8 in names).
    static func parse(_ data: Data) throws -> XMLElementNode {
        guard String(data: data, encoding: .utf8) != nil else {
            throw XMLDocumentError(reason: "the document is not valid UTF-8", line: 0)
        }
        let parser = XMLParser(data: data)
        let builder = TreeBuilder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        guard parser.parse(), let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "not a document"
            throw XMLDocumentError(reason: reason, line: parser.lineNumber)
        }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLElementNode] = []
        var root: XMLElementNode?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append(XMLElementNode(name: elementName))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            if !stack.isEmpty { stack[stack.count - 1].text += String(decoding: block, as: UTF8.self) }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let done = stack.popLast() else { return }
            if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
        }
    }
}

struct XMLDocumentError: Error {
    var reason: String
    var line: Int
}

/// An XML document to send: elements with children or text.
indirect enum XML: Sendable {
    case element(String, [XML])
    case text(String, String)

    static func text(_ name: String, _ value: String?) -> XML? { value.map { .text(name, $0) } }

    /// The document with Route 53's declaration and namespace on the root.
    func document() -> String {
        var out = "<?xml version=\"1.0\"?>\n"
        render(into: &out, namespace: "https://route53.amazonaws.com/doc/2013-04-01/")
        return out
    }

    private func render(into out: inout String, namespace: String?) {
        let xmlns = namespace.map { " xmlns=\"\($0)\"" } ?? ""
        switch self {
        case .element(let name, let children):
            out += "<\(name)\(xmlns)>"
            for child in children { child.render(into: &out, namespace: nil) }
            out += "</\(name)>"
        case .text(let name, let value):
            out += "<\(name)\(xmlns)>\(XML.escape(value))</\(name)>"
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
