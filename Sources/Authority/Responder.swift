import DNSWire
import LatencyModel

/// How a query arrived; UDP responses are bounded in size, TCP ones are not.
public enum Transport: Sendable { case udp, tcp }

/// Protocol limits that are a matter of configuration.
public struct ResponderSettings: Sendable {
    /// The largest UDP response sent, whatever the client's EDNS allows;
    /// also the payload size Nearcast advertises.
    public var maxUDPPayload: Int
    public init(maxUDPPayload: Int = 1232) { self.maxUDPPayload = max(512, min(maxUDPPayload, 65535)) }
}

extension Snapshot {
    /// The response to one request packet, or nil when it must be dropped
    /// (shorter than a header, or itself a response). Never throws or traps:
    /// every malformed request gets FORMERR.
    public func respond(to packet: UnsafeRawBufferPointer, source: IPAddress, transport: Transport) -> [UInt8]? {
        var generator = QueryRandom()
        return generalResponse(to: packet, source: source, transport: transport, using: &generator)?.bytes
    }

    /// `respond(to:source:transport:)` with the random choices drawn from
    /// `generator`, and the response's RCODE.
    func generalResponse(to packet: UnsafeRawBufferPointer, source: IPAddress, transport: Transport,
                         using generator: inout some RandomNumberGenerator) -> (bytes: [UInt8], rcode: RCode)? {
        let settings = responder
        guard packet.count >= 12 else { return nil }
        let requestHeader = Header(id: UInt16(packet[0]) << 8 | UInt16(packet[1]),
                                   flags: UInt16(packet[2]) << 8 | UInt16(packet[3]))
        guard !requestHeader.isResponse else { return nil }
        var response = Message(header: Header(id: requestHeader.id))
        response.header.isResponse = true
        response.header.opcode = requestHeader.opcode
        response.header.recursionDesired = requestHeader.recursionDesired
        response.header.checkingDisabled = requestHeader.checkingDisabled

        let request: Message
        do {
            request = try Message.parse(packet)
        } catch {
            return finish(response, rcode: .formErr)
        }
        if request.questions.count == 1 { response.questions = request.questions }
        if let edns = request.edns {
            response.edns = EDNS(udpPayloadSize: UInt16(settings.maxUDPPayload), dnssecOK: edns.dnssecOK)
        }
        guard request.header.opcode == Opcode.query else { return finish(response, rcode: .notImp) }
        guard request.questions.count == 1 else { return finish(response, rcode: .formErr) }
        if let edns = request.edns, edns.version > 0 { return finish(response, rcode: .badVers) }
        let question = request.questions[0]
        if question.type == .axfr || question.type == .ixfr { return finish(response, rcode: .refused) }
        if question.type.isMetaType && question.type != .any { return finish(response, rcode: .notImp) }

        let ecs = request.edns?.clientSubnet
        let resolution = resolve(question, client: ClientLocation(source: source, ecs: ecs), using: &generator)
        response.header.authoritative = resolution.authoritative
        response.answers = resolution.answer
        response.authority = resolution.authority
        response.additional = resolution.additional
        if var echoed = ecs {
            echoed.scopePrefix = echoed.sourcePrefix == 0 ? 0 : UInt8(min(resolution.scope, echoed.maxPrefix))
            response.edns?.clientSubnet = echoed
        }
        response.rcode = resolution.rcode
        var bytes = response.encode()
        let limit = switch transport {
        case .udp: request.edns.map { max(512, min(Int($0.udpPayloadSize), settings.maxUDPPayload)) } ?? 512
        case .tcp: Int(UInt16.max)  // the most a 2-byte length frame holds
        }
        if bytes.count > limit {
            response.answers = []; response.authority = []; response.additional = []
            response.header.truncated = true
            bytes = response.encode()
        }
        return (bytes, resolution.rcode)
    }

    private func finish(_ response: Message, rcode: RCode) -> (bytes: [UInt8], rcode: RCode) {
        var response = response
        response.rcode = rcode
        return (response.encode(), rcode)
    }
}
