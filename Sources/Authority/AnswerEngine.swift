import DNSWire
import LatencyModel

/// Who is asking, as far as routing cares: the address whose network is
/// looked up (the ECS address, else the query's source address).
public struct ClientLocation: Sendable {
    public var address: IPAddress
    public init(address: IPAddress) { self.address = address }

    /// RFC 7871 §7.1.1: the ECS address when the option has a source
    /// prefix above 0, else the address the query came from.
    public init(source: IPAddress, ecs: ClientSubnet?) {
        address = ecs.flatMap { $0.sourcePrefix > 0 ? IPAddress(bytes: $0.fullAddress) : nil } ?? source
    }
}

extension ClientSubnet {
    /// The ECS option a resolver would send for `prefix` (scope 0).
    public init(_ prefix: IPPrefix) {
        // A masked prefix always satisfies ClientSubnet's invariants.
        try! self.init(family: prefix.address.bitWidth == 32 ? 1 : 2, sourcePrefix: UInt8(prefix.length), scopePrefix: 0,
                       address: Array(prefix.address.bytes.prefix((prefix.length + 7) / 8)))
    }
}

/// A routed record set passed over while answering, and why.
public struct SkippedSet: Sendable, Equatable {
    public var setIdentifier: String
    public var reason: String
    public init(setIdentifier: String, reason: String) { self.setIdentifier = setIdentifier; self.reason = reason }
}

/// One routing choice made while answering, kept for explanations.
public struct RoutingStep: Sendable {
    public var owner: DomainName
    public var type: RRType
    public var policy: RoutingPolicy
    /// The latency map block the client fell in (latency groups only).
    public var hit: MapHit?
    /// The record sets answered (several for multivalue answers).
    public var chosen: [RoutedRecordSet] = []
    /// Members found unhealthy or without data before the choice, in the order tried.
    public var skipped: [SkippedSet] = []
    /// True when no member was healthy and the group answered as if all were (Route 53's rule).
    public var allUnhealthy = false
}

/// The outcome of answering one question from a snapshot.
public struct Resolution: Sendable {
    public var rcode: RCode = .noError
    public var authoritative = false
    public var answer: [Record] = []
    public var authority: [Record] = []
    public var additional: [Record] = []
    /// The ECS scope the answer is valid for: the longest block length any
    /// client-dependent step used; 0 when nothing depended on the client.
    public var scope = 0
    public var steps: [RoutingStep] = []
}

extension Snapshot {
    /// The longest CNAME chain followed before giving up.
    static let maxChain = 16

    /// The longest alias chain followed.
    static let maxAliasDepth = 8

    /// Route 53 answers at most this many record sets of a multivalue answer group.
    static let maxMultivalueSets = 8

    /// Answers `question` for `client` per RFC 1034 §4.3.2, with RFC 2308
    /// negative answers, RFC 4592 wildcards and RFC 8482 minimal ANY.
    public func resolve(_ question: Question, client: ClientLocation) -> Resolution {
        var generator = QueryRandom()
        return resolve(question, client: client, using: &generator)
    }

    /// `resolve(_:client:)` with the random choices (weighted, multivalue) drawn from `generator`.
    func resolve(_ question: Question, client: ClientLocation, using generator: inout some RandomNumberGenerator) -> Resolution {
        var builder = ResolutionBuilder()
        let outcome = question.name.withView {
            answer($0, type: question.type, rrclass: question.rrclass, client: client, using: &generator, into: &builder)
        }
        var resolution = builder.resolution
        resolution.rcode = outcome.rcode
        resolution.authoritative = outcome.authoritative
        resolution.scope = outcome.scope
        return resolution
    }

    /// The answer engine: every answer, whatever form it takes, is decided
    /// here. Hands the records to `sink`; allocation-free unless it follows
    /// a CNAME chain (or the sink allocates).
    func answer<Sink: AnswerSink>(_ name: NameView, type: RRType, rrclass: RRClass, client: ClientLocation,
                                  using generator: inout some RandomNumberGenerator, into sink: inout Sink) -> AnswerOutcome {
        guard let zone = answeringZone(for: name, type: type, rrclass: rrclass) else { return AnswerOutcome(rcode: .refused) }
        var run = AnswerRun(snapshot: self, zone: zone, client: client, sink: sink, generator: generator)
        run.answer(name, type: type)
        sink = run.sink
        generator = run.generator
        return run.outcome
    }

    /// The zone whose data answers `name`, or nil when none here does (REFUSED).
    func answeringZone(for name: NameView, type: RRType, rrclass: RRClass) -> ZoneIndex? {
        guard rrclass == .in || rrclass == .any, let zone = zoneIndex(for: name) else { return nil }
        // DS lives on the parent side of a cut: when both zones are served,
        // the parent answers (RFC 4035 §3.1.4.1).
        if type == .ds, zone.origin == name, !name.isRoot, let parent = zoneIndex(for: name.parent) { return parent }
        return zone
    }
}

/// What the engine decided besides the records.
struct AnswerOutcome {
    var rcode = RCode.noError
    var authoritative = false
    /// The ECS scope: the longest block length any client-dependent step used.
    var scope = 0
}
