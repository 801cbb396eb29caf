/// The latency model speaks in addresses and prefixes; its users get them too.
@_exported import NetworkAddress
