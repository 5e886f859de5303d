import ArgumentParser
import PhysioData
import PhysioHL7
import PhysioPlatform

struct HL7Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send HL7 v2 messages over MLLP, one at a time, each after the last one's acknowledgement.",
        discussion: """
            A file holds one or more messages: MLLP-framed, or text where each message starts at a line beginning \
            MSH (segments may end with CR, LF or CR LF; they are sent ending with CR). A directory sends its *.hl7 \
            files in name order. A message whose answer does not come within --timeout, or whose connection is lost, \
            is sent again on a new connection (up to --retries times; a resend is stored once). Prints the count of \
            answers by MSA-1 code; each AE or AR is described on standard error. Exits 1 if any message was not \
            answered AA (or CA). Plain TCP only: for a TLS listener, go through a TLS tunnel.
            """)

    @Argument(help: "Files of HL7 messages, or directories of *.hl7 files.") var paths: [String]
    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "MLLP port (env PHYSIO_HL7_PORT).") var port = Environment.int("PHYSIO_HL7_PORT", default: 2575)
    @Option(help: "Seconds to wait for each acknowledgement.") var timeout = 30.0
    @Option(help: "Times a message is sent again after a timeout or a lost connection.") var retries = 5
    @Option(help: "Messages per second at most; 0 = each as soon as the last is acknowledged.") var rate = 0.0

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535") }
        guard timeout > 0, retries >= 0, rate >= 0 else { throw ValidationError("--timeout > 0; --retries, --rate ≥ 0") }
    }

    func run() throws {
        let files = try paths.flatMap(Self.files(at:))
        guard !files.isEmpty else { throw ValidationError("no .hl7 files in \(paths.joined(separator: " "))") }
        let client = MLLPClient(host: host, port: UInt16(port))
        var counts: [String: Int] = [:]
        let interval = rate > 0 ? UInt64(1e9 / rate) : 0
        var nextDue = Clock.monotonicNanos()
        for file in files {
            let messages = HL7MessageFile.messages(in: try LineReader.readAll(path: file))
            if messages.isEmpty { Log.warning("no HL7 message in file", ["file": .string(file)]) }
            for (index, message) in messages.enumerated() {
                let now = Clock.monotonicNanos()
                if nextDue > now { Clock.sleep(seconds: Double(nextDue - now) / 1e9) }
                nextDue = max(nextDue, now) + interval
                let code = exchange(message, client: client, place: "\(file) message \(index + 1)")
                counts[code, default: 0] += 1
            }
        }
        for code in counts.keys.sorted() { print("\(code)\t\(counts[code]!)") }
        let accepted = (counts["AA"] ?? 0) + (counts["CA"] ?? 0)
        if accepted != counts.values.reduce(0, +) { throw ExitCode.failure }
    }

    /// Sends one message until it is answered (or the retries run out);
    /// returns MSA-1, or `none` (no answer) or `unreadable`.
    private func exchange(_ message: [UInt8], client: MLLPClient, place: String) -> String {
        let controlID = (try? HL7Message.parse(message))?.header.field(10).text ?? ""
        for attempt in 0...retries {
            do {
                try client.send(message)
                let answer = try client.receive(seconds: timeout)
                guard let ack = try? HL7Message.parse(answer), let msa = ack.first("MSA") else {
                    Log.error("answer is not an HL7 acknowledgement", ["message": .string(place)])
                    return "unreadable"
                }
                let code = msa.field(1).text
                if msa.field(2).text != controlID {
                    Log.error("acknowledgement names another message", ["message": .string(place), "sent": .string(controlID), "answered": .string(msa.field(2).text)])
                    return "mismatch"
                }
                if code != "AA" && code != "CA" {
                    let errors = ack.segments.filter { $0.id == "ERR" }.map { err in
                        err.field(8).isEmpty ? err.field(1).text + err.field(2).text : err.field(2).text + " " + err.field(8).text
                    }
                    Log.error("message not accepted", ["message": .string(place), "control_id": .string(controlID), "code": .string(code),
                                                       "errors": .string(errors.joined(separator: "; "))])
                }
                return code
            } catch {
                client.close()
                guard attempt < retries else {
                    Log.error("message not answered", ["message": .string(place), "control_id": .string(controlID), "detail": .string("\(error)")])
                    return "none"
                }
                Clock.sleep(seconds: 1)
            }
        }
        return "none"
    }

    static func files(at path: String) throws -> [String] {
        guard isDirectory(path) else { return [path] }
        let directory = path.hasSuffix("/") ? path : path + "/"
        return try listDirectory(path).filter { $0.hasSuffix(".hl7") }.sorted().map { directory + $0 }
    }
}
