// HL7 v2 over MLLP under libFuzzer: the framer, the ER7 parser, the
// ORU^R01 reader and the acknowledgement, as the MLLP listener chains them.
import PhysioCore
import PhysioHL7
import PhysioPlatform

extension FuzzTargets {
    static let reader = ObservationReportReader(
        caseRule: HL7CaseRule(parsing: ["PV1-19", "PID-3", "PV1-3=bed-"])!,
        timeZone: HL7TimeZone(parsing: "Europe/Berlin") ?? HL7TimeZone(parsing: "+0100")!)

    /// The first byte says where the stream is cut in two; wherever a
    /// sender's writes split it, the frames are the same, and a message
    /// framed again comes back unchanged.
    static func mllp(_ body: [UInt8]) {
        guard let cut = body.first else { return }
        let stream = Array(body.dropFirst())
        let limit = 64
        var whole = MLLPFramer(maxMessageBytes: limit)
        let once = whole.append(stream)
        var split = MLLPFramer(maxMessageBytes: limit)
        let at = stream.isEmpty ? 0 : Int(cut) % (stream.count + 1)
        let twice = split.append(Array(stream[..<at])) + split.append(Array(stream[at...]))
        precondition(once == twice, "frames depend on where the stream was cut")
        precondition(once.count <= stream.filter { $0 == MLLPFramer.endBlock }.count)
        for frame in once {
            switch frame {
            case .message(let bytes):
                precondition(bytes.count <= limit && !bytes.contains(MLLPFramer.startBlock) && !bytes.contains(MLLPFramer.endBlock))
                var again = MLLPFramer(maxMessageBytes: limit)
                precondition(again.append(MLLPFramer.frame(bytes)) == [.message(bytes)])
            case .oversized(let prefix, let length):
                precondition(length > limit && prefix.count <= MLLPFramer.prefixBytes && prefix.count <= length)
            case .broken(let prefix, let at):
                // The stray end block is where the frame says, when its prefix reaches it.
                precondition(prefix.count <= MLLPFramer.prefixBytes && at >= 0 && (at >= prefix.count || prefix[at] == MLLPFramer.endBlock))
            }
        }
        _ = HL7MessageFile.messages(in: stream)
    }

    /// A message as the listener handles it: parsed, read into samples or
    /// refused, and answered with an acknowledgement that parses and names
    /// the message's control id.
    static func er7(_ body: [UInt8]) {
        let message: HL7Message
        do {
            message = try HL7Message.parse(body)
        } catch {
            // As the listener answers: in the sender's terms when its first segment can be read.
            let end = body.firstIndex { $0 == 0x0D || $0 == 0x0A } ?? body.count
            let header = try? HL7Message.parse(Array(body[..<end]))
            let problem = HL7Acknowledgement.Problem(segment: error.segment, sequence: error.sequence, field: error.field,
                                                     code: 102, text: error.detail)
            checkAcknowledgement(HL7Acknowledgement(code: header == nil ? .reject : .error, problems: [problem]), answering: header)
            return
        }
        precondition(message.header.id == "MSH")
        for segment in message.segments {
            for number in 0...segment.fieldCount + 1 {
                let field = segment.field(number)
                for repetition in field.repetitions { _ = repetition.component(2).subcomponent(2).text }
            }
        }
        switch reader.read(message) {
        case .success(let report):
            for batch in report.batches {
                precondition(CaseID.isValid(batch.caseID), "case id \(batch.caseID)")
                for row in 0..<batch.count {
                    precondition(Timestamp.validRange.contains(batch.timestamps[row]))
                    for vital in Vital.allCases {
                        guard let value = batch.value(vital, row: row) else { continue }
                        precondition(vital.reportableRange.contains(value), "\(vital) \(value)")
                    }
                }
            }
            for source in report.sources { precondition(report.segment(batch: source.batch, row: source.row, vital: source.vital) != nil) }
            checkAcknowledgement(HL7Acknowledgement(code: .accept), answering: message)
        case .failure(let refusal):
            checkAcknowledgement(HL7Acknowledgement(code: refusal.code, problems: [refusal.problem]), answering: message)
        }
    }

    static func checkAcknowledgement(_ acknowledgement: HL7Acknowledgement, answering message: HL7Message?) {
        let controlID = message?.header.field(10).text ?? ""
        let bytes = acknowledgement.encode(answering: message, controlID: controlID, now: 1_795_000_000_000_000)
        guard let ack = try? HL7Message.parse(bytes), let msa = ack.first("MSA") else {
            preconditionFailure("the acknowledgement does not parse: \(String(decoding: bytes, as: UTF8.self))")
        }
        precondition(msa.field(1).text == acknowledgement.code.rawValue)
        if let message { precondition(msa.field(2).raw.elementsEqual(message.header.field(10).raw), "MSA-2 is not MSH-10") }
        precondition(ack.segments.filter { $0.id == "ERR" }.count == min(50, acknowledgement.problems.count))
    }
}
