import PhysioCore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Reads a Server-Sent Events response as it arrives, for tests.
public final class EventStreamReader {
    public struct Event: Sendable {
        public let name: String
        public let id: String?
        public let data: String
    }

    private let socket: RawSocket
    /// What came and is not parsed yet: the head, then the body as sent (chunked).
    private var buffer: [UInt8] = []
    /// The body, its chunk framing removed: events may span chunks.
    private var body: [UInt8] = []
    private var chunked = false
    private var ended = false
    public private(set) var status = 0
    public private(set) var headers = ""

    public init(port: UInt16, path: String, token: String, lastEventID: String? = nil) throws {
        socket = try RawSocket(port: port)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer \(token)\r\n"
        if let lastEventID { request += "Last-Event-ID: \(lastEventID)\r\n" }
        request += "\r\n"
        _ = socket.send(request)
    }

    /// The next event (comments skipped), or nil if none came within `seconds`.
    public func next(within seconds: Double) -> Event? {
        let deadline = Clock.monotonicNanos() + UInt64(seconds * 1e9)
        while true {
            readHead()
            if status != 0, let event = takeEvent() { return event }
            let now = Clock.monotonicNanos()
            guard now < deadline else { return nil }
            var descriptor = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32((deadline - now) / 1_000_000) + 1) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 8192)
            let count = chunk.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
        }
    }

    /// True once the response has ended (its last chunk, or the connection
    /// closed) within `seconds`; events before the end are skipped.
    public func waitForEnd(within seconds: Double) -> Bool {
        let deadline = Clock.monotonicNanos() + UInt64(seconds * 1e9)
        while true {
            readHead()
            if ended { return true }
            let now = Clock.monotonicNanos()
            guard now < deadline else { return false }
            var descriptor = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32((deadline - now) / 1_000_000) + 1) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 8192)
            let count = chunk.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return true }
            buffer += chunk[0..<count]
        }
    }

    /// The status and headers once they came, then the body's chunks as they come.
    private func readHead() {
        if status == 0, let end = find([13, 10, 13, 10]) {
            headers = String(decoding: buffer[0..<end], as: UTF8.self)
            status = Int(headers.split(separator: " ").dropFirst().first ?? "") ?? -1
            chunked = headers.lowercased().contains("transfer-encoding: chunked")
            buffer.removeFirst(end + 4)
        }
        guard status != 0 else { return }
        guard chunked else {
            body += buffer
            buffer.removeAll()
            return
        }
        // HTTP/1.1 chunks: a hex size line, that many bytes, CRLF; size 0 ends the body.
        while !ended, let lineEnd = find([13, 10]) {
            let sizeText = String(decoding: buffer[0..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.filter { !$0.isWhitespace }, radix: 16) else { return }
            if size == 0 { ended = true; return }
            guard buffer.count >= lineEnd + 2 + size + 2 else { return }
            body += buffer[(lineEnd + 2)..<(lineEnd + 2 + size)]
            buffer.removeFirst(lineEnd + 2 + size + 2)
        }
    }

    /// Parses one event out of the body, skipping comments.
    private func takeEvent() -> Event? {
        let text = String(decoding: body, as: UTF8.self)
        guard let range = text.firstRange(of: "event: ") else { return nil }
        guard let end = text[range.lowerBound...].firstRange(of: "\n\n") else { return nil }
        let block = text[range.lowerBound..<end.lowerBound]
        var name = "", id: String?, data = ""
        for line in block.split(separator: "\n") {
            if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
            if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
            if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
        }
        body = Array(text[end.upperBound...].utf8)
        return Event(name: name, id: id, data: data)
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for i in 0...(buffer.count - pattern.count) where Array(buffer[i..<(i + pattern.count)]) == pattern { return i }
        return nil
    }
}
