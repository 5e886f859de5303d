import PhysioCore
import PhysioHL7
import PhysioPlatform
@testable import PhysioServer
import Testing

/// A monitor without offsets in its times, read in Europe/Berlin
/// (`--hl7-time-zone`), sends through the hour its clocks repeat on 25
/// October 2026 (02:00–03:00 twice: 00:00–01:00 UTC, then 01:00–02:00).
/// Sent live, each pass is the instant nearest to when it arrived; until
/// 2026-12-07 the second pass was read as the first's instants, where the
/// values already stored kept their place and the new readings were dropped
/// as conflicts (an audit's 4-minute hypotension gave no alarm).
struct HL7RepeatedHourTests {
    typealias M = HL7Messages
    static let berlin = HL7TimeZone(parsing: "Europe/Berlin")!

    /// The microseconds the reader gives a message of `local` time arriving at `arrival` (epoch s).
    static func stored(_ local: String, arrivingAt arrival: Int64) throws -> (micros: Int64?, warning: String?) {
        var reader = ObservationReportReader(caseRule: .standard, timeZone: berlin)
        reader.clock = { arrival * 1_000_000 }
        let message = try HL7Message.parse(Array(M.oru(id: "r-\(local)", time: local, observations: [M.obx(1, M.hr, "70", M.bpm, time: local)],
                                                         headerTime: local).utf8))
        let report = try reader.read(message).get()
        return (report.batches.first?.timestamps.first, report.allWarnings.first?.text)
    }

    static let firstPass: Int64 = 1_792_888_200    // 2026-10-25T00:30:00Z, 02:30 summer time
    static let secondPass: Int64 = 1_792_891_800   // 2026-10-25T01:30:00Z, 02:30 winter time

    @Test func eachPassSentLiveIsTheInstantItArrivedAt() throws {
        let first = try Self.stored("20261025023000", arrivingAt: Self.firstPass + 2)
        #expect(first.micros == Self.firstPass * 1_000_000)
        #expect(first.warning?.contains("read as the earlier, +0200") == true, "\(first.warning ?? "none")")
        let second = try Self.stored("20261025023000", arrivingAt: Self.secondPass + 2)
        #expect(second.micros == Self.secondPass * 1_000_000, "the second pass: the later instant")
        #expect(second.warning?.contains("read as the later, nearest to when it arrived, +0100") == true, "\(second.warning ?? "none")")
        // A gateway's backlog a few minutes late still lands on its own pass.
        #expect(try Self.stored("20261025025900", arrivingAt: Self.secondPass + 20 * 60).micros == (Self.secondPass + 29 * 60) * 1_000_000)
    }

    /// Long after (a replay, an import), nothing tells the passes apart: the
    /// earlier, as Python's zoneinfo reads it, and the acknowledgement says so.
    @Test func aReplayLongAfterTakesTheEarlierAsZoneinfo() throws {
        let replay = try Self.stored("20261025023000", arrivingAt: Self.secondPass + 86_400 * 40)
        #expect(replay.micros == Self.firstPass * 1_000_000)
        #expect(replay.warning?.contains("send an offset to say which") == true)
        // Times outside the repeated hour are not touched by the arrival.
        #expect(try Self.stored("20261025040000", arrivingAt: Self.secondPass).micros == (Self.secondPass + 5_400) * 1_000_000)
    }
}
