import PhysioHL7
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A sender over MLLP for tests: frames messages, reads acknowledgements
/// in the order they come.
public final class MLLPTestClient {
    public let socket: RawSocket
    private var framer = MLLPFramer(maxMessageBytes: 1 << 20)
    private var received: [[UInt8]] = []

    public init(port: UInt16) throws { socket = try RawSocket(port: port) }

    /// Sends one message; its segments may be joined by "\r" or "\n".
    @discardableResult
    public func send(_ message: String) -> Bool { socket.send(MLLPFramer.frame(Array(message.utf8))) }

    /// The next acknowledgement, or nil if none comes within `seconds` or the server closes.
    public func receive(seconds: Double = 15) -> HL7Message? {
        let deadline = Clock.monotonicNanos() + UInt64(seconds * 1e9)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while received.isEmpty {
            let now = Clock.monotonicNanos()
            guard now < deadline else { return nil }
            var descriptor = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(min(1000, (deadline - now) / 1_000_000 + 1))) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            for frame in framer.append(Array(chunk[0..<count])) + framer.endPending() {
                if case .message(let bytes) = frame { received.append(bytes) }
            }
        }
        return try? HL7Message.parse(received.removeFirst())
    }

    /// Sends and waits for the answer.
    public func exchange(_ message: String, seconds: Double = 15) -> HL7Message? {
        send(message)
        return receive(seconds: seconds)
    }
}

extension HL7Message {
    /// MSA-1 and MSA-2.
    public var acknowledgement: (code: String, controlID: String)? {
        guard let msa = first("MSA") else { return nil }
        return (msa.field(1).text, msa.field(2).text)
    }

    /// The ERRs of severity W: values the message gave and the server did not store.
    public var warnings: [(location: String, code: String, severity: String, text: String)] {
        errors.filter { $0.severity == "W" }
    }

    /// Each ERR's location (ERR-2, or ERR-1 before v2.5) and severity (ERR-4).
    /// Before v2.5 one ERR holds every problem, as repetitions of ERR-1.
    public var errors: [(location: String, code: String, severity: String, text: String)] {
        segments.filter { $0.id == "ERR" }.flatMap { err -> [(location: String, code: String, severity: String, text: String)] in
            guard err.field(2).isEmpty else {
                let location = err.field(2)
                let where_ = [1, 2, 3].map { location.component($0).text }.filter { !$0.isEmpty }.joined(separator: "^")
                return [(where_, err.field(3).component(1).text, err.field(4).text, err.field(8).text)]
            }
            return err.field(1).repetitions.map { element in
                let where_ = [1, 2, 3].map { element.component($0).text }.filter { !$0.isEmpty }.joined(separator: "^")
                return (where_, element.component(4).subcomponent(1).text, "", "")
            }
        }
    }
}
