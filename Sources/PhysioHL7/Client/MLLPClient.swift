import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A blocking MLLP sender (plain TCP): frames each message, reads the
/// answers in the order they come. For `physio hl7 send` and the tools;
/// a sender that needs TLS uses a tunnel (stunnel, an engine) for now.
public final class MLLPClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let host: String
    public let port: UInt16
    private var socket: Int32 = -1
    private var framer = MLLPFramer(maxMessageBytes: 1 << 20)
    private var answers: [[UInt8]] = []

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    deinit { close() }

    public var isConnected: Bool { socket >= 0 }

    public func connect() throws {
        guard socket < 0 else { return }
        do { socket = try TCPConnect.open(host: host, port: port) } catch { throw Failure(description: error.description) }
    }

    public func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
        framer = MLLPFramer(maxMessageBytes: 1 << 20)
        answers.removeAll()
    }

    /// Sends one message (segments ended by CR), framed.
    public func send(_ message: [UInt8]) throws {
        try connect()
        let bytes = MLLPFramer.frame(message)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close()
                throw Failure(description: "send to \(host):\(port) failed: \(reason)")
            }
            offset += written
        }
    }

    /// The next answer's bytes; throws when none comes within `seconds` or
    /// the server closes the connection (the connection is then closed).
    public func receive(seconds: Double) throws -> [UInt8] {
        let deadline = Clock.monotonicNanos() + UInt64(max(0, seconds) * 1e9)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while answers.isEmpty {
            guard socket >= 0 else { throw Failure(description: "not connected") }
            let now = Clock.monotonicNanos()
            guard now < deadline else {
                close()
                throw Failure(description: "no answer from \(host):\(port) within \(seconds) s")
            }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(1000, (deadline - now) / 1_000_000 + 1)))
            if ready < 0 && errno != EINTR { close(); throw Failure(description: "poll failed") }
            guard ready > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                close()
                throw Failure(description: "\(host):\(port) closed the connection before answering")
            }
            for frame in framer.append(Array(chunk[0..<count])) + framer.endPending() {   // an answer is read as it comes
                if case .message(let bytes) = frame { answers.append(bytes) }
            }
        }
        return answers.removeFirst()
    }
}
