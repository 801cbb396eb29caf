/// One way to measure a target, as the agent tries it.
public enum ProbeStep: Sendable, Equatable {
    /// TCP connects to these ports in turn until one completes a handshake.
    case tcp(ports: [UInt16])
    /// A DNS query over UDP to this port.
    case dns(port: UInt16)
    /// An ICMP echo.
    case icmp

    /// The steps for `target` with the enabled `methods`: TCP to the target's port, else 53 for a
    /// resolver and 443 then 80 otherwise; DNS for resolvers only; ICMP for every target.
    public static func plan(for target: ProbeTarget, methods: [ProbeMethod]) -> [ProbeStep] {
        methods.compactMap { method in
            switch method {
            case .tcp:
                if let port = target.port { return .tcp(ports: [port]) }
                return .tcp(ports: target.kind == .resolver ? [53] : [443, 80])
            case .dns:
                return target.kind == .resolver ? .dns(port: target.port ?? 53) : nil
            case .icmp:
                return .icmp
            }
        }
    }
}
