import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking HTTP/1.1 client with keep-alive, for the command line
/// (replay, load generation) and the tests. Plain HTTP only.
public final class HTTPClient {
    public struct Response: Sendable {
        public let status: Int
        public let headers: [(String, String)]
        public let body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public let host: String
    public let port: UInt16
    private let timeoutSeconds: Double
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []

    public init(host: String, port: UInt16, timeoutSeconds: Double = 30) {
        self.host = host
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    /// `http://host:port` (a path after it is ignored).
    public convenience init(url: String, timeoutSeconds: Double = 30) throws {
        guard url.hasPrefix("http://") else { throw HTTPClientError.badURL("\(url): only http:// URLs are supported") }
        let rest = url.dropFirst(7).prefix { $0 != "/" }
        let parts = rest.split(separator: ":")
        guard let host = parts.first, parts.count <= 2, let port = UInt16(parts.count == 2 ? String(parts[1]) : "80") else {
            throw HTTPClientError.badURL(url)
        }
        self.init(host: String(host), port: port, timeoutSeconds: timeoutSeconds)
    }

    deinit { close() }

    public func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
        buffer.removeAll()
    }

    /// Sends one request and reads the whole response. A keep-alive
    /// connection the server has closed is reopened once, before any reply.
    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> Response {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        if !body.isEmpty || method == "POST" || method == "PUT" { request += "Content-Length: \(body.count)\r\n" }
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        var bytes = Array(request.utf8)
        bytes.append(contentsOf: body)

        let reused = socket >= 0
        do {
            try connectIfNeeded()
            try writeAll(bytes)
            return try readResponse(method: method)
        } catch HTTPClientError.closedBeforeResponse where reused {
            close()
            try connectIfNeeded()
            try writeAll(bytes)
            return try readResponse(method: method)
        }
    }

    public func get(_ path: String, headers: [(String, String)] = []) throws -> Response {
        try send("GET", path, headers: headers)
    }

    // MARK: - socket

    private func connectIfNeeded() throws {
        guard socket < 0 else { return }
        do {
            socket = try TCPConnect.open(host: host, port: port, timeoutSeconds: timeoutSeconds)
        } catch {
            throw HTTPClientError.connect(error.description)
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET { throw HTTPClientError.closedBeforeResponse }
                throw HTTPClientError.io("send failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 { buffer.append(contentsOf: chunk[0..<count]); return true }
            if count == 0 { return false }
            if errno == EINTR { continue }
            if errno == ECONNRESET { return false }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw HTTPClientError.timeout }
            throw HTTPClientError.io("recv failed: \(String(cString: strerror(errno)))")
        }
    }

    private func readResponse(method: String) throws -> Response {
        var headerEnd: Int?
        var sawAnything = !buffer.isEmpty
        while headerEnd == nil {
            headerEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: buffer)
            if headerEnd != nil { break }
            guard try fill() else {
                close()
                throw sawAnything ? HTTPClientError.io("connection closed mid-response") : HTTPClientError.closedBeforeResponse
            }
            sawAnything = true
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        buffer.removeFirst(headerEnd! + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw HTTPClientError.io("bad status line") }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: " ")))
        }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }

        var body: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) {
        } else if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            body = try readChunked()
        } else if let length = header("content-length").flatMap({ Int($0) }) {
            while buffer.count < length { guard try fill() else { throw HTTPClientError.io("connection closed mid-body") } }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else {
            while try fill() {}
            body = buffer
            buffer.removeAll()
            close()
        }
        if header("connection")?.lowercased() == "close" { close() }
        return Response(status: status, headers: headers, body: body)
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            var lineEnd = find([0x0D, 0x0A], in: buffer)
            while lineEnd == nil {
                guard try fill() else { throw HTTPClientError.io("connection closed in chunked body") }
                lineEnd = find([0x0D, 0x0A], in: buffer)
            }
            let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: " "), radix: 16) else { throw HTTPClientError.io("bad chunk size") }
            buffer.removeFirst(lineEnd! + 2)
            if size == 0 {
                // Trailers end with an empty line.
                while find([0x0D, 0x0A], in: buffer) == nil { guard try fill() else { return body } }
                buffer.removeFirst(find([0x0D, 0x0A], in: buffer)! + 2)
                return body
            }
            while buffer.count < size + 2 { guard try fill() else { throw HTTPClientError.io("connection closed in chunk") } }
            body.append(contentsOf: buffer[0..<size])
            buffer.removeFirst(size + 2)
        }
    }

    private func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for i in 0...(bytes.count - pattern.count) where bytes[i] == pattern[0] {
            var match = true
            for j in 1..<pattern.count where bytes[i + j] != pattern[j] { match = false; break }
            if match { return i }
        }
        return nil
    }
}

public enum HTTPClientError: Error, CustomStringConvertible {
    case badURL(String)
    case connect(String)
    case io(String)
    case timeout
    case closedBeforeResponse

    public var description: String {
        switch self {
        case .badURL(let detail): "bad URL: \(detail)"
        case .connect(let detail): detail
        case .io(let detail): detail
        case .timeout: "timed out waiting for the server"
        case .closedBeforeResponse: "the server closed the connection before answering"
        }
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}
