#if canImport(Glibc)
import Glibc
#endif

/// An address range senders may connect from: `10.1.0.0/16`,
/// `192.168.4.20` (one address), `fd00::/8`. MLLP carries no credentials,
/// so the sender's address is what the listener can check.
public struct SenderNetwork: Sendable, Equatable, CustomStringConvertible {
    let bytes: [UInt8]
    let prefixLength: Int
    public let description: String

    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.bytes(String(parts[0])) else { return nil }
        let bits = address.count * 8
        var length = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value), !parts[1].hasPrefix("+") else { return nil }
            length = value
        }
        bytes = address
        prefixLength = length
        description = text
    }

    /// Whether `address` (as accept() gave it, IPv4 or IPv6 text) is in the
    /// range. An IPv4 client on an IPv6 socket (::ffff:a.b.c.d) counts as IPv4.
    public func contains(_ address: String) -> Bool {
        guard var candidate = Self.bytes(address) else { return false }
        if candidate.count == 16 && bytes.count == 4 && candidate[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF][...] {
            candidate = Array(candidate[12...])
        }
        guard candidate.count == bytes.count else { return false }
        var remaining = prefixLength
        for index in 0..<bytes.count where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if candidate[index] & mask != bytes[index] & mask { return false }
            remaining -= 8
        }
        return true
    }

    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
