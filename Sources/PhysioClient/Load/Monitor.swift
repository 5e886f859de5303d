import PhysioCore
import PhysioHL7
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// One simulated monitor: its connection, its case, the request in flight:
/// an HTTP POST of JSON samples, or (with `hl7Port`) an HL7 v2 ORU^R01
/// over MLLP, whose MSA-1 stands for a status: AA 200, AE 422, AR 503.
struct Monitor {
    enum Receive {
        case incomplete
        case failed
        case complete(status: Int, accepted: Int, merged: Int, duplicates: Int)
    }

    let caseID: String
    var socket: Int32 = -1
    var nextDue: UInt64 = 0
    var inFlight = false
    var sentAt: UInt64 = 0
    private var lastTimestamp: Int64 = 0
    private var sentTimestamps: [Int64] = []
    /// With `splitSpO2`: instants of the last request, whose SpO2 goes in the next one.
    private var spo2Due: [Int64] = []
    private var sentSpO2: [Int64] = []
    /// The request last sent while it is not acknowledged: a monitor keeps
    /// unacknowledged samples and sends them again (ingest is idempotent).
    private var pendingRequest: [UInt8]?
    private var messagesSent = 0
    /// The last HL7 answer's MSA-1.
    private(set) var acknowledgementCode = ""
    private var response: [UInt8] = []
    private var random: UInt64
    private var heartRate: Float = 72
    private var systolic: Float = 120

    init(caseID: String, seed: UInt64) {
        self.caseID = caseID
        random = seed &* 0x9E37_79B9_7F4A_7C15
    }

    /// Sends one request; false if there is no connection to send it on.
    mutating func send(configuration: LoadConfiguration, now: UInt64) -> Bool {
        if socket < 0 && !connect(configuration) { return false }
        let bytes = pendingRequest ?? nextRequest(configuration)
        pendingRequest = bytes
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EAGAIN || errno == EINTR { var p = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0); poll(&p, 1, 1000); continue }
                close()
                return false
            }
            offset += written
        }
        response.removeAll(keepingCapacity: true)
        inFlight = true
        sentAt = now
        return true
    }

    /// Whether the last batch is still unacknowledged (it goes out again next).
    var isResending: Bool { pendingRequest != nil }

    /// The answer settles the batch: acknowledged (200) or refused for good
    /// (4xx); after a 5xx or a lost connection it stays pending.
    mutating func settle(status: Int) {
        if status < 500 { pendingRequest = nil }
    }

    private mutating func nextRequest(_ configuration: LoadConfiguration) -> [UInt8] {
        let instants = nextSamples(configuration)
        if configuration.hl7Port != nil {
            messagesSent += 1
            return MLLPFramer.frame(ObservationReportWriter.message(
                sender: "physio-loadgen", controlID: "\(caseID).\(messagesSent)", caseID: caseID, instants: instants))
        }
        var body = #"{"samples":["#
        for (index, instant) in instants.enumerated() {
            if index > 0 { body += "," }
            body += #"{"t":"\#(Timestamp.format(instant.micros, fixedMicros: true))""#
            for (vital, value) in instant.values { body += #","\#(vital.name)":\#(ObservationReportWriter.format(value))"# }
            body += "}"
        }
        body += "]}"
        let request = "POST /cases/\(caseID)/vitals HTTP/1.1\r\nHost: \(configuration.host)\r\nAuthorization: Bearer \(configuration.token)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return Array(request.utf8)
    }

    /// New samples, timed by the wall clock.
    private mutating func nextSamples(_ configuration: LoadConfiguration) -> [(micros: Int64, values: [(Vital, Float)])] {
        sentTimestamps.removeAll(keepingCapacity: true)
        var instants: [(micros: Int64, values: [(Vital, Float)])] = []
        // A second device's SpO2 of the instants sent last time, merged into
        // the stored rows: 85 %, under the 90 % rule, so that a score from
        // before the merge is told from one after it.
        sentSpO2 = spo2Due
        for t in sentSpO2 { instants.append((t, [(.spo2, 85)])) }
        for _ in 0..<configuration.samplesPerRequest {
            // t is the wall clock at sending, so "time to score" can be read off the database.
            let t = max(Clock.nowMicros(), lastTimestamp + 1)
            lastTimestamp = t
            sentTimestamps.append(t)
            heartRate = min(140, max(40, heartRate + Float(nextNoise()) * 0.8))
            systolic = min(180, max(80, systolic + Float(nextNoise()) * 1.2))
            var values: [(Vital, Float)] = [(.hr, Float(Int(heartRate))), (.sbp, Float(Int(systolic))), (.dbp, Float(Int(systolic / 2)))]
            if !configuration.splitSpO2 { values.append((.spo2, 98)) }
            instants.append((t, values))
        }
        spo2Due = configuration.splitSpO2 ? sentTimestamps : []
        return instants
    }

    mutating func receive(hl7: Bool) -> Receive {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 { response.append(contentsOf: chunk[0..<count]); continue }
            if count == 0 { return .failed }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { break }
            return .failed
        }
        if hl7 { return acknowledgement() }
        guard let headerEnd = find([13, 10, 13, 10]) else { return .incomplete }
        let head = String(decoding: response[0..<headerEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { return .failed }
        var length = 0
        for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst(15).filter { $0 != " " }) ?? 0
        }
        guard response.count >= headerEnd + 4 + length else { return .incomplete }
        let body = String(decoding: response[(headerEnd + 4)..<(headerEnd + 4 + length)], as: UTF8.self)
        if lines.contains(where: { $0.lowercased() == "connection: close" }) { close() }
        return .complete(status: status, accepted: Self.number("accepted", in: body), merged: Self.number("merged", in: body),
                         duplicates: Self.number("duplicates", in: body))
    }

    /// The MLLP-framed answer, once whole: MSA-1 as a status.
    private mutating func acknowledgement() -> Receive {
        guard let end = response.firstIndex(of: MLLPFramer.endBlock) else { return .incomplete }
        let start = response.firstIndex(of: MLLPFramer.startBlock).map { $0 + 1 } ?? 0
        guard start <= end, let ack = try? HL7Message.parse(Array(response[start..<end])), let msa = ack.first("MSA") else { return .failed }
        acknowledgementCode = msa.field(1).text
        let samples = sentTimestamps.count + sentSpO2.count
        switch acknowledgementCode {
        case "AA", "CA": return .complete(status: 200, accepted: samples, merged: 0, duplicates: 0)
        case "AE", "CE": return .complete(status: 422, accepted: 0, merged: 0, duplicates: 0)
        default: return .complete(status: 503, accepted: 0, merged: 0, duplicates: 0)
        }
    }

    /// `case_id,t,vitals` for every sample of the acknowledged request:
    /// `all`, or with `splitSpO2` `nospo2` and then `spo2` for the same instant.
    func appendAcks(to buffer: inout [UInt8], split: Bool) {
        func line(_ t: Int64, _ vitals: String) {
            buffer.append(contentsOf: caseID.utf8)
            buffer.append(0x2C)
            buffer.append(contentsOf: Timestamp.format(t, fixedMicros: true).utf8)
            buffer.append(0x2C)
            buffer.append(contentsOf: vitals.utf8)
            buffer.append(0x0A)
        }
        for t in sentSpO2 { line(t, "spo2") }
        for t in sentTimestamps { line(t, split ? "nospo2" : "all") }
    }

    mutating func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
        inFlight = false
    }

    private mutating func connect(_ configuration: LoadConfiguration) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = (configuration.hl7Port ?? configuration.port).bigEndian
        guard inet_pton(AF_INET, configuration.host == "localhost" ? "127.0.0.1" : configuration.host, &address.sin_addr) == 1 else { return false }
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { Glibc.close(fd); return false }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        socket = fd
        return true
    }

    private mutating func nextNoise() -> Double {
        random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(Int64(bitPattern: random >> 11) % 2001) / 1000 - 1
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard response.count >= pattern.count else { return nil }
        for i in 0...(response.count - pattern.count) where response[i] == pattern[0] && Array(response[i..<(i + pattern.count)]) == pattern {
            return i
        }
        return nil
    }

    static func number(_ key: String, in body: String) -> Int {
        guard let range = body.firstRange(of: "\"\(key)\":") else { return 0 }
        return Int(body[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }
}
