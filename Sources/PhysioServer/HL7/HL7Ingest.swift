import PhysioCore
import PhysioHL7
import PhysioPlatform
import PhysioStore

/// Each HL7 message from the MLLP listener: read, stored through the same
/// group committer as HTTP and FHIR ingest (the same merge rule, ranges,
/// queue jobs and scoring), and acknowledged only once committed: AA (with
/// a warning ERR per value that conflicts with one stored before, and per
/// value the message gave that was left out: ObservationReport.warnings), AE
/// naming the segment and field of a message that cannot be used, AR for
/// a message type or version not taken, or when the database could not
/// store it (then resend). Runs on the listener's threads and never waits.
final class HL7Ingest: @unchecked Sendable {
    let reader: ObservationReportReader
    let committer: GroupCommitter
    let metrics: HL7Metrics
    let ingestMetrics: ServerMetrics
    let ledger: HL7MessageLedger
    let senderCases: HL7SenderCases
    let sources: SourceHistory
    private let controlIDPrefix: String
    private let counter = Locked<UInt64>(0)

    init(configuration: HL7Configuration, committer: GroupCommitter, metrics: HL7Metrics, ingestMetrics: ServerMetrics,
         sources: SourceHistory = SourceHistory()) {
        reader = ObservationReportReader(caseRule: configuration.caseRule, timeZone: configuration.timeZone, sources: sources)
        self.sources = sources
        self.committer = committer
        self.metrics = metrics
        self.ingestMetrics = ingestMetrics
        ledger = HL7MessageLedger(capacity: configuration.rememberedMessages)
        senderCases = configuration.senderCases
        var random = SystemRandomNumberGenerator()
        controlIDPrefix = "physio-" + String(UInt32.random(in: 0...UInt32.max, using: &random), radix: 16)
    }

    func handle(_ frame: MLLPFramer.Frame, reply: MLLPReply) {
        switch frame {
        case .oversized(let prefix, let length):
            refuse(frame: prefix, reply: reply, code: 104,
                   "the message is \(length) bytes, over this server's limit (--hl7-max-message-bytes); nothing was stored")
        case .broken(let prefix, let at):
            refuse(frame: prefix, reply: reply, code: 102,
                   "the message holds byte 0x1C (MLLP's end block) at byte \(at), which HL7 text cannot: nothing of it was stored")
        case .message(let bytes):
            handle(bytes, reply: reply)
        }
    }

    /// AR for a frame that is no message to read, answered in the terms of its first bytes' header.
    private func refuse(frame prefix: [UInt8], reply: MLLPReply, code: Int, _ text: String) {
        metrics.record(.refused)
        answer(reply, Self.header(of: prefix), HL7Acknowledgement(code: .reject, problems: [.init(segment: "MSH", sequence: 1, field: 0,
            code: code, text: text)]), success: false)
    }

    private func handle(_ bytes: [UInt8], reply: MLLPReply) {
        if let batch = Self.batchHeader(bytes) {
            // HL7's batch protocol (FHS/BHS … BTS/FTS) is not MLLP's one message per frame.
            metrics.record(.refused)
            return answer(reply, batch.firstMessage, HL7Acknowledgement(code: .reject, problems: [.init(segment: batch.segment, sequence: 1, field: 0,
                code: 200, text: "an HL7 batch (\(batch.segment) … ) in one MLLP frame is not taken: send each message in its own frame; nothing of it was stored")]),
                success: false)
        }
        let message: HL7Message
        do {
            message = try HL7Message.parse(bytes)
        } catch {
            // The header alone may still be readable, to answer in the sender's terms.
            let header = Self.header(of: bytes)
            let code: HL7Acknowledgement.Code = header == nil ? .reject : .error
            metrics.record(.refused)
            return answer(reply, header, HL7Acknowledgement(code: code, problems: [.init(segment: error.segment, sequence: error.sequence,
                field: error.field, code: error.segment == "MSH" ? 102 : 100, text: error.detail)]), success: false)
        }
        let controlID = message.header.field(10)
        guard !controlID.isEmpty else {
            metrics.record(.refused)
            return answer(reply, message, HL7Acknowledgement(code: .error, problems: [.init(segment: "MSH", sequence: 1, field: 10, code: 101,
                text: "MSH-10 (the message control id) is required: acknowledgements name the message by it")]), success: false)
        }
        let key = "\(String(decoding: message.header.field(3).raw, as: UTF8.self))|\(String(decoding: message.header.field(4).raw, as: UTF8.self))|\(String(decoding: controlID.raw, as: UTF8.self))"
        let digest = HL7MessageLedger.digest(bytes)
        switch ledger.lookup(key, digest: digest) {
        case .resent(let warnings):
            metrics.record(.resent)
            return answer(reply, message, HL7Acknowledgement(code: .accept, problems: warnings), success: true)
        case .reused:
            metrics.controlIDsReused.add()
            Log.warning("HL7 control id seen before with other content: stored as a new message",
                        ["control_id": .string(controlID.text), "client": .string(reply.client)])
        case .unknown:
            break
        }
        let report: ObservationReport
        switch reader.read(message) {
        case .failure(let refusal):
            metrics.record(.refused)
            // Where and what kind, not the text: it quotes the field, which may be a
            // patient's name or identifier (the sender reads it in the answer).
            let problem = refusal.problem
            Log.info("HL7 message refused", ["control_id": .string(controlID.text), "client": .string(reply.client),
                                             "code": .string(refusal.code.rawValue),
                                             "problem": .string("\(problem.segment)^\(problem.sequence)^\(problem.field): \(problem.codeName) (\(problem.code))")])
            return answer(reply, message, HL7Acknowledgement(code: refusal.code, problems: [refusal.problem]), success: false)
        case .success(let read):
            report = read
        }
        if let patterns = senderCases.patterns(for: reply.certificateName),
           let outside = report.batches.first(where: { !patterns.admits($0.caseID) }) {
            metrics.record(.refused)
            Log.warning("HL7 message for a case its sender may not write: refused",
                        ["control_id": .string(controlID.text), "client": .string(reply.client), "certificate": .string(reply.certificateName ?? "")])
            return answer(reply, message, HL7Acknowledgement(code: .reject, problems: [.init(segment: "MSH", sequence: 1, field: 0, code: 207,
                text: "this sender's certificate (\(reply.certificateName ?? "")) may write only cases \(patterns.map(\.description).joined(separator: ", ")), not '\(outside.caseID)'; nothing of the message was stored")]),
                success: false)
        }
        metrics.record(report)
        guard report.sampleCount > 0 else {
            metrics.record(.stored)
            ledger.remember(key, digest: digest, warnings: report.allWarnings)
            return answer(reply, message, HL7Acknowledgement(code: .accept, problems: report.allWarnings), success: true)
        }
        let metrics = self.metrics, ingestMetrics = self.ingestMetrics, ledger = self.ledger, sources = self.sources
        committer.submit(report.batches) { [self] outcome in
            switch outcome {
            case .success(let counts):
                report.recordSources(in: sources)
                counts.forEach(ingestMetrics.recordIngest)
                metrics.record(.stored)
                let warnings = Self.conflicts(counts, report: report) + report.allWarnings
                ledger.remember(key, digest: digest, warnings: warnings)
                answer(reply, message, HL7Acknowledgement(code: .accept, problems: warnings), success: true)
            case .failure(let failure):
                metrics.record(.failed)
                let text = failure.isUnavailable
                    ? "the database is unavailable; nothing was stored: resend the message"
                    : "the server failed to store the message; nothing was stored (see its log)"
                answer(reply, message, HL7Acknowledgement(code: .reject, problems: [.init(segment: "MSH", sequence: 1, field: 0, code: 207, text: text)]),
                       success: false)
            }
        }
    }

    /// A warning per value that differs from the one stored (kept: the first
    /// stored wins). It does not say the stored value: whoever reaches the
    /// port may send, with no token, and must not read stored values back.
    static func conflicts(_ counts: [IngestCounts], report: ObservationReport) -> [HL7Acknowledgement.Problem] {
        var problems: [HL7Acknowledgement.Problem] = []
        for (batch, batchCounts) in counts.enumerated() {
            for conflict in batchCounts.conflicting {
                for field in conflict.fields {
                    let segment = report.segment(batch: batch, row: conflict.row, vital: field.vital) ?? 0
                    problems.append(.init(segment: "OBX", sequence: segment, field: 5, code: 205, severity: .warning,
                        text: "\(field.vital.name) at \(Timestamp.format(conflict.timestamp)): \(field.sent) \(field.vital.unit) differs from the value stored first, which is kept; not stored"))
                }
            }
        }
        return problems
    }

    /// A frame that starts with a batch header (FHS or BHS): which one, and
    /// the header of its first message (MSH), to answer in the sender's terms.
    static func batchHeader(_ bytes: [UInt8]) -> (segment: String, firstMessage: HL7Message?)? {
        var start = 0
        while start < bytes.count, bytes[start] == 0x0D || bytes[start] == 0x0A { start += 1 }
        guard bytes.count - start >= 3 else { return nil }
        let id = String(decoding: bytes[start..<(start + 3)], as: UTF8.self)
        guard id == "FHS" || id == "BHS" else { return nil }
        // A file of messages is split as the sender's own tool splits one (text before the first MSH is none).
        return (id, HL7MessageFile.messages(in: bytes).first.flatMap(header(of:)))
    }

    /// The header of bytes that are not a whole message, if its first segment can be read.
    static func header(of bytes: [UInt8]) -> HL7Message? {
        let end = bytes.firstIndex { $0 == 0x0D || $0 == 0x0A } ?? bytes.count
        return try? HL7Message.parse(Array(bytes[..<end]))
    }

    /// Sends the acknowledgement the sender asked for (MSH-15, MSH-16), or none.
    private func answer(_ reply: MLLPReply, _ message: HL7Message?, _ acknowledgement: HL7Acknowledgement, success: Bool) {
        let code = Self.answerCode(message, acknowledgement.code, success: success)
        metrics.record(code)
        metrics.ackLatency.observe(Double(Clock.monotonicNanos() - reply.receivedAt) / 1e9)
        guard let code else { return reply.send(nil) }
        let id = counter.withLock { value -> UInt64 in value += 1; return value }
        let ack = HL7Acknowledgement(code: code, problems: acknowledgement.problems)
        reply.send(ack.encode(answering: message, controlID: "\(controlIDPrefix)-\(String(id, radix: 16))", now: Clock.nowMicros()))
    }

    /// Original mode (MSH-15 and MSH-16 empty): always an application
    /// acknowledgement. Enhanced mode: MSH-16 says when an application
    /// acknowledgement is wanted (AL always, ER on error, SU on success, NE
    /// never); when none is, MSH-15 may still ask for a commit
    /// acknowledgement (CA, CE, CR), sent once the data are committed.
    static func answerCode(_ message: HL7Message?, _ code: HL7Acknowledgement.Code, success: Bool) -> HL7Acknowledgement.Code? {
        guard let header = message?.header else { return code }
        let accept = header.field(15).text.uppercased(), application = header.field(16).text.uppercased()
        if accept.isEmpty && application.isEmpty { return code }
        func wanted(_ condition: String) -> Bool {
            switch condition {
            case "", "AL": true
            case "ER": !success
            case "SU": success
            default: false  // NE
            }
        }
        if wanted(application) { return code }
        if wanted(accept) && !accept.isEmpty {
            switch code {
            case .accept: return .commitAccept
            case .error: return .commitError
            default: return .commitReject
            }
        }
        return nil
    }
}
