import LatencyModel

/// `address:port` as given to `--listen`: `127.0.0.1:9001` or `[::1]:9001`.
public enum ListenAddress {
    /// Nil unless the text is an IP address literal and a port in 0...65535 (0: any free port).
    public static func parse(_ text: String) -> (address: IPAddress, port: UInt16)? {
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let address = IPAddress(host), let number = UInt16(port) else { return nil }
        return (address, number)
    }
}
