#if canImport(Glibc)
import Glibc
#endif

/// What a non-blocking read or write did.
enum TransportResult {
    case bytes(Int)
    /// Nothing now; `wantsWrite` when the transport (a TLS handshake) waits
    /// to write rather than to read.
    case wouldBlock(wantsWrite: Bool)
    case closed
    case failed
}

/// Bytes in and out of one connection: the socket itself, or TLS over it.
protocol MLLPTransport: AnyObject {
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult
    func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult
    /// Bytes already decrypted and waiting (epoll cannot see them).
    var hasBufferedInput: Bool { get }
    /// False while a TLS handshake is under way.
    var isEstablished: Bool { get }
    /// The common name of the sender's certificate, once a required one was accepted; nil otherwise.
    var peerCommonName: String? { get }
    func close()
}

final class PlainTransport: MLLPTransport {
    let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock(wantsWrite: false) : .failed
        }
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        while true {
            let count = Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return .bytes(count) }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock(wantsWrite: true) : .failed
        }
    }

    var hasBufferedInput: Bool { false }
    var isEstablished: Bool { true }
    var peerCommonName: String? { nil }

    func close() { Glibc.close(descriptor) }
}
