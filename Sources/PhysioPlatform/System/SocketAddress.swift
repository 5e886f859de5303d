#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address and port to bind (the HTTP and MLLP listeners).
public struct SocketAddress {
    public struct BadAddress: Error, CustomStringConvertible {
        public let host: String
        public var description: String { "not an IP address to bind: \(host)" }
    }

    private var storage = sockaddr_storage()
    public let length: Int
    public let isIPv6: Bool

    public init(host: String, port: UInt16) throws {
        isIPv6 = host.contains(":")
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw BadAddress(host: host) }
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
            }
            length = MemoryLayout<sockaddr_in6>.size
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw BadAddress(host: host) }
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
            }
            length = MemoryLayout<sockaddr_in>.size
        }
    }

    public mutating func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0) }
        }
    }
}
