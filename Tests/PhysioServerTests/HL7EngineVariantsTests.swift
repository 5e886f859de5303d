import PhysioHL7
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// What interface engines and HL7 libraries write beside the common case
/// (a tenth outside audit, 2026-12-07): a unit given only as OBX-6's
/// alternate, ISO 8859-1 text, a stray 0x1C inside a message, bytes after a
/// frame in the same write. Each failed before: a value stored in the wrong
/// unit, a message refused, part of one stored, an acknowledgement lost.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct HL7EngineVariantsTests {
    typealias M = HL7Messages

    /// `^^^kPa^kPa^UCUM`: no identifier, the unit as the alternate. Read as
    /// no unit before, so 16 kPa was stored as 16 mmHg, without a word.
    @Test func aUnitGivenOnlyAsTheAlternateIsThatUnit() throws {
        let server = try HL7IngestTests.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "alt-1", observations: [
            M.obx(1, M.artSys, "16", "^^^kPa^kPa^UCUM"),
            M.obx(2, M.spo2, "0.97", "^^^1^^UCUM"),
            M.obx(3, M.temp, "37.2", "deg C"),
        ])))
        #expect(ack.acknowledgement?.code == "AA" && ack.errors.isEmpty, "\(ack.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE abs(sbp - 120.01) < 0.01 AND spo2 = 97 AND abs(temp - 37.2) < 0.01") == 1)
        // An alternate physio does not know, and a unit field that repeats, are refused, naming OBX-6.
        for (id, unit) in [("alt-2", "^^^furlong^^L"), ("alt-3", "^^^kPa^^UCUM~mm[Hg]")] {
            let refused = try #require(try server.mllp().exchange(M.oru(id: id, time: "20261124100001+0000", observations: [
                M.obx(1, M.artSys, "16", unit),
            ])))
            #expect(refused.acknowledgement?.code == "AE" && refused.errors.first?.location == "OBX^1^6", "\(unit): \(refused.errors)")
        }
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 1)
    }

    /// MSH-18 `8859/1`: text is ISO 8859-1, so byte 0xB0 is "°" (and so is
    /// its escape `\XB0\`). Read as UTF-8 before: "unit '?C' is not taken".
    @Test func latin1TextIsReadAsTheMessageDeclaresIt() throws {
        let server = try HL7IngestTests.server()
        let client = try server.mllp()
        for (id, unit) in [("latin-1", [UInt8(0xB0)] + Array("C".utf8)), ("latin-2", Array("\\XB0\\C".utf8))] {
            let text = M.oru(id: id, time: id == "latin-1" ? "20261124100000+0000" : "20261124100001+0000",
                             observations: [M.obx(1, M.temp, "37.3", "UNIT")], headerExtra: [18: "8859/1"])
            let parts = text.split(separator: "UNIT", omittingEmptySubsequences: false).map { Array($0.utf8) }
            #expect(client.socket.send(MLLPFramer.frame(parts[0] + unit + parts[1])))
            let ack = try #require(client.receive())
            #expect(ack.acknowledgement?.code == "AA" && ack.errors.isEmpty, "\(id): \(ack.errors)")
        }
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE abs(temp - 37.3) < 0.01") == 2)
    }

    /// A lone 0x1C inside a field is no end block: the message is refused
    /// whole (AR, nothing stored; before, the OBXs before it were stored and
    /// no answer came), and the connection goes on.
    @Test func anEndBlockInsideAMessageRefusesItWhole() throws {
        let server = try HL7IngestTests.server()
        let client = try server.mllp()
        let text = M.oru(id: "fs-1", observations: [M.obx(1, M.hr, "72", M.bpm), "NTE|1||before SPLIT after", M.obx(2, M.spo2, "97", M.percent)])
        let parts = text.split(separator: "SPLIT", omittingEmptySubsequences: false).map { Array($0.utf8) }
        #expect(client.socket.send(MLLPFramer.frame(parts[0] + [0x1C] + parts[1])))
        let ack = try #require(client.receive())
        #expect(ack.acknowledgement?.code == "AR" && ack.acknowledgement?.controlID == "fs-1" && ack.errors.first?.code == "102", "\(ack.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
        #expect(client.exchange(M.oru(id: "fs-2", observations: [M.obx(1, M.hr, "72", M.bpm)]))?.acknowledgement?.code == "AA")
    }

    /// A sender that ends its frames with 0x1C alone (no CR) is answered once
    /// no byte has followed for a moment: the listener cannot tell that 0x1C
    /// from one inside a message until the next byte comes.
    @Test func aSenderThatOmitsTheCRIsAnsweredAfterAMoment() throws {
        let server = try HL7IngestTests.server()
        let client = try server.mllp()
        let frame = MLLPFramer.frame(Array(M.oru(id: "nocr-1", observations: [M.obx(1, M.hr, "72", M.bpm)]).utf8))
        #expect(client.socket.send(Array(frame.dropLast())))
        #expect(client.receive()?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 72") == 1)
    }

    /// Bytes after a frame in the same write that are not MLLP close the
    /// connection, but the frame before them is answered first: it may be
    /// stored already. Before, it was stored and its AA never sent.
    @Test func aFrameFollowedByStrayBytesIsAnsweredBeforeTheClose() throws {
        let server = try HL7IngestTests.server()
        let client = try server.mllp()
        #expect(client.socket.send(MLLPFramer.frame(Array(M.oru(id: "stray-1", observations: [M.obx(1, M.hr, "72", M.bpm)]).utf8)) + Array("xyz".utf8)))
        let ack = try #require(client.receive())
        #expect(ack.acknowledgement?.code == "AA" && ack.acknowledgement?.controlID == "stray-1")
        #expect(client.socket.readUntilClosed(seconds: 5).isEmpty, "then closed")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 72") == 1)
    }
}
