import PhysioHL7
import PhysioPlatform

/// What `/metrics` shows of HL7: messages by outcome, answers by code,
/// observations left out by reason, how long an answer took, and the
/// listener's connections.
final class HL7Metrics: @unchecked Sendable {
    enum Outcome: String, CaseIterable {
        /// Stored (or nothing in it to store).
        case stored
        /// A resend of a message stored before it came. A copy pipelined right
        /// behind its original is written again and counted `stored` (the
        /// merge finds its values stored: still stored once).
        case resent
        /// Unusable (AE) or not taken (AR), nothing stored.
        case refused
        /// The database failed or was unavailable (AR: resend).
        case failed
    }

    private let messages: [Outcome: Counter]
    private let acks: [HL7Acknowledgement.Code: Counter]
    private let ignored: [ObservationReport.Ignored: Counter]
    let controlIDsReused: Counter
    let ackLatency: Histogram

    init(registry: MetricsRegistry) {
        messages = Dictionary(uniqueKeysWithValues: Outcome.allCases.map {
            ($0, registry.counter("physio_hl7_messages_total", help: "HL7 messages received over MLLP, by outcome.", labels: [("result", $0.rawValue)]))
        })
        acks = Dictionary(uniqueKeysWithValues: HL7Acknowledgement.Code.allCases.map {
            ($0, registry.counter("physio_hl7_acks_total", help: "HL7 acknowledgements sent, by MSA-1 code.", labels: [("code", $0.rawValue)]))
        })
        ignored = Dictionary(uniqueKeysWithValues: ObservationReport.Ignored.allCases.map {
            ($0, registry.counter("physio_hl7_observations_ignored_total",
                                  help: "OBX segments not stored: unknown codes, invalid values (OBX-11 X or empty OBX-5), negative not-measured values, implausible values, demonstration data (OBX-8 DEMO), headers without a value, values superseded within their message, and values outranked by a better source stored within 30 s.",
                                  labels: [("reason", $0.rawValue)]))
        })
        controlIDsReused = registry.counter("physio_hl7_control_ids_reused_total",
                                            help: "Messages whose sender and MSH-10 were seen before with other content; stored as new messages.")
        ackLatency = registry.histogram("physio_hl7_ack_seconds", help: "From a message's last byte to its acknowledgement queued (after the commit).",
                                        buckets: Histogram.latencyBuckets)
    }

    /// The listener's connections and refusals, read at scrape time.
    static func observe(_ listener: MLLPServer, in registry: MetricsRegistry) {
        registry.gauge("physio_hl7_connections", help: "Open MLLP connections.") { Double(listener.statistics.open) }
        registry.counter("physio_hl7_connections_refused_total", help: "MLLP connections closed as accepted: over --hl7-connection-limit or the per-client limit.") {
            Double(listener.statistics.refused)
        }
        registry.counter("physio_hl7_message_deadline_closed_total", help: "MLLP connections closed for not completing a message within --hl7-message-deadline.") {
            Double(listener.statistics.pastDeadline)
        }
        registry.counter("physio_hl7_connections_not_allowed_total", help: "MLLP connections closed as accepted: from an address outside --hl7-allow.") {
            Double(listener.statistics.notAllowed)
        }
        registry.counter("physio_hl7_oversized_messages_total", help: "MLLP messages over --hl7-max-message-bytes, refused.") {
            Double(listener.statistics.oversized)
        }
        registry.counter("physio_hl7_tls_handshake_failures_total", help: "MLLP TLS handshakes that failed.") {
            Double(listener.statistics.handshakeFailures)
        }
        registry.counter("physio_hl7_not_mllp_closed_total", help: "MLLP connections closed for bytes outside a frame that MLLP never sends (e.g. an HTTP request).") {
            Double(listener.statistics.notMLLP)
        }
    }

    func record(_ outcome: Outcome) { messages[outcome]!.add() }

    func record(_ code: HL7Acknowledgement.Code?) { if let code { acks[code]!.add() } }

    func record(_ report: ObservationReport) {
        for (reason, count) in report.ignored { ignored[reason]!.add(count) }
    }
}
