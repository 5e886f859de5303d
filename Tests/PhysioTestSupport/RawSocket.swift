import PhysioCore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP connection to a loopback port, for tests that misbehave as a
/// client would (slowloris drips, idle sockets, oversized headers).
public final class RawSocket {
    public let descriptor: Int32

    /// `receiveBufferBytes`: a small receive window, for a client that reads slowly.
    public init(port: UInt16, receiveBufferBytes: Int32? = nil) throws {
        descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ShellError(message: "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if var size = receiveBufferBytes {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw ShellError(message: "cannot connect to port \(port): \(message)")
        }
    }

    deinit { Glibc.close(descriptor) }

    /// False once the peer has closed or reset the connection.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// True when the peer has closed the connection (end of stream or reset),
    /// looking without waiting; data the server sent first is skipped.
    public var isClosedByPeer: Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { continue }
            if count == 0 { return true }
            return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
        }
    }

    /// What the peer sends until `marker` has arrived, it closes, or `seconds` pass.
    public func read(until marker: String, seconds: Double) -> [UInt8] {
        read(seconds: seconds) { String(decoding: $0, as: UTF8.self).contains(marker) }
    }

    /// At most `maxBytes` of what the peer sent, waiting up to `seconds` for
    /// the first; `closed` when it has closed (or reset) the connection.
    public func readSome(maxBytes: Int, seconds: Double) -> (bytes: [UInt8], closed: Bool) {
        var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(seconds * 1000)) > 0 else { return ([], false) }
        var chunk = [UInt8](repeating: 0, count: maxBytes)
        let count = chunk.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? (Array(chunk[0..<count]), false) : ([], true)
    }

    /// Everything the peer sends until it closes or `seconds` pass.
    public func readUntilClosed(seconds: Double) -> [UInt8] { read(seconds: seconds) { _ in false } }

    private func read(seconds: Double, done: ([UInt8]) -> Bool) -> [UInt8] {
        let deadline = Clock.monotonicNanos() + UInt64(seconds * 1e9)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while Clock.monotonicNanos() < deadline {
            var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += chunk[0..<count]
            if done(received) { break }
        }
        return received
    }
}
