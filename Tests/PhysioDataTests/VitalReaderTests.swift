import PhysioCore
@testable import PhysioData
import Testing

/// A recording start with a fraction, as real ones have.
private let t0 = 1_600_000_000.25

/// Solar8000 (device 1), Primus (2) and SNUADC (3), the devices of VitalDB's open dataset.
private func openDatasetDevices(_ builder: inout VitalFileBuilder) {
    builder.device(id: 1, type: "Solar8000", name: "Solar8000")
    builder.device(id: 2, type: "Primus", name: "Primus", port: nil)   // port is optional
    builder.device(id: 3, type: "SNUADC", name: "")                     // empty name: the type name is used
}

@Suite("VitalDB .vital reader")
struct VitalReaderTests {
    @Test("header, devices, tracks and records are read field by field")
    func parsesPackets() throws {
        var file = VitalFileBuilder(timeZoneBias: -540)
        openDatasetDevices(&file)
        file.track(id: 1, name: "HR", unit: "/min", device: 1)
        file.track(id: 2, type: 1, name: "ECG_II", unit: "mV", sampleRate: 500, device: 3)
        file.track(id: 3, type: 5, format: 0, name: "EVENT", device: 0)
        file.track(id: 4, name: "ETCO2", unit: "mmHg", device: 2)
        file.trackOrder([1, 2, 3, 4])
        file.packet(42, [1, 2, 3])                                  // unknown packet type: skipped
        file.wave(track: 2, at: t0 - 3, samples: [0.1, 0.2, 0.3])   // earliest record overall
        file.number(track: 1, at: t0, 72)
        file.text(track: 3, at: t0 + 1, "Incision")
        file.number(track: 4, at: t0 + 2, 35)
        file.number(track: 9, at: t0 + 50, 99)                      // track never defined: ignored, but counts for the end
        file.number(track: 1, at: t0 + 4, .nan)                     // missing value: skipped

        let recording = try VitalRecording.read(bytes: try file.bytes())
        #expect(recording.formatVersion == 3)
        #expect(recording.timeZoneBias == -540)
        #expect(recording.devices[3]?.name == "SNUADC")
        #expect(recording.devices[2]?.port == "")
        #expect(recording.tracks[1]?.qualifiedName == "Solar8000/HR")
        #expect(recording.tracks[2]?.recordType == .wave)
        #expect(recording.tracks[2]?.sampleRate == 500)
        #expect(recording.tracks[3]?.qualifiedName == "EVENT")
        #expect(recording.tracks[4]?.qualifiedName == "Primus/ETCO2")
        #expect(recording.startTime == t0 - 3)
        #expect(recording.endTime == t0 + 50)
        #expect(recording.recordCount == 6)
        #expect(recording.series(named: "Solar8000/HR")?.values == [72])
        #expect(recording.series(named: "Primus/ETCO2")?.times == [t0 + 2])
        #expect(recording.numeric[2] == nil && recording.numeric[3] == nil)
        #expect(!recording.isTruncated)
    }

    @Test("the short header of vitaldb.to_vital and TRKINFO without optional fields")
    func shortHeaderAndOldTrackInfo() throws {
        var file = VitalFileBuilder(longHeader: false)
        file.track(id: 5, name: "HR", unit: "/min", device: 0, trailing: false)
        file.number(track: 5, at: t0, 64)
        let converted = try VitalCaseReader.read(bytes: try file.bytes(gzip: false), caseID: "7")
        #expect(converted.selection.plain[.hr]?.qualifiedName == "HR")
        #expect(converted.batch.count == 1)
        #expect(converted.batch.value(.hr, row: 0) == 64)
    }

    @Test("integer formats are scaled by gain and offset; floats are taken as stored")
    func sampleFormats() throws {
        var file = VitalFileBuilder()
        openDatasetDevices(&file)
        file.track(id: 1, format: 5, name: "BT", unit: "C", gain: 0.01, offset: 10, device: 1)   // int16
        file.track(id: 2, format: 2, name: "HR", device: 1)                                     // float64
        file.track(id: 3, format: 4, name: "PLETH_SPO2", gain: 1, device: 1)                      // uint8
        file.track(id: 4, format: 1, name: "ETCO2", gain: 2, offset: 5, device: 1)                // float32: no scaling
        file.record(track: 1, at: t0, le(Int16(2650)))
        file.record(track: 2, at: t0, le((71.5).bitPattern))
        file.record(track: 3, at: t0, [98])
        file.number(track: 4, at: t0, 33)
        let batch = try VitalCaseReader.read(bytes: try file.bytes(), caseID: "1").batch
        #expect(batch.count == 1)
        #expect(abs((batch.value(.temp, row: 0) ?? 0) - 36.5) < 1e-4)
        #expect(batch.value(.hr, row: 0) == 71.5)
        #expect(batch.value(.spo2, row: 0) == 98)
        #expect(batch.value(.etco2, row: 0) == 33)
    }

    @Test("one row per second from the recording start, the latest value in each second")
    func lastValueInEachSecond() throws {
        var file = VitalFileBuilder()
        openDatasetDevices(&file)
        file.track(id: 1, name: "HR", device: 1)
        file.track(id: 2, name: "PLETH_SPO2", device: 1)
        file.track(id: 3, type: 1, name: "PLETH", sampleRate: 100, device: 3)
        file.wave(track: 3, at: t0 - 2, samples: [1, 2])   // the recording starts 2 s before the first number
        file.number(track: 1, at: t0 + 0.1, 70)             // second 2.1 → row 2
        file.number(track: 1, at: t0 + 0.6, 71)             // later in the same second: wins
        file.number(track: 1, at: t0 + 0.3, 99)             // earlier time written later: loses
        file.number(track: 2, at: t0 + 0.9, 97)
        file.number(track: 1, at: t0 + 1.2, 72)             // 3.2 → row 3
        file.number(track: 1, at: t0 + 3.95, 75)            // 5.95 → row 5; row 4 has no value and is left out
        let converted = try VitalCaseReader.read(bytes: try file.bytes(), caseID: "1")
        let batch = converted.batch
        let startMicros = Int64(((t0 - 2) * 1e6).rounded())
        #expect(converted.startMicros == startMicros)
        #expect(batch.timestamps == [2, 3, 5].map { startMicros + $0 * 1_000_000 })
        #expect((0..<batch.count).map { batch.value(.hr, row: $0) } == [71, 72, 75])
        #expect(batch.value(.spo2, row: 0) == 97)
        #expect(batch.value(.spo2, row: 1) == nil)
    }

    @Test("a record at the very end falls into the last second, as in vitaldb.to_pandas")
    func endOfRecording() throws {
        var file = VitalFileBuilder()
        openDatasetDevices(&file)
        file.track(id: 1, name: "HR", device: 1)
        file.number(track: 1, at: t0, 60)
        file.number(track: 1, at: t0 + 3, 63)   // span 3 s → rows 0…2; the record at 3.0 lands in row 2
        let batch = try VitalCaseReader.read(bytes: try file.bytes(), caseID: "1").batch
        #expect(batch.count == 2)
        #expect(batch.timestamps.last == Int64((t0 * 1e6).rounded()) + 2_000_000)
        #expect(batch.value(.hr, row: 1) == 63)
    }
}

@Suite("VitalDB track mapping")
struct VitalTrackMappingTests {
    @Test("Solar8000 first, then other devices' tracks of the same name")
    func preference() throws {
        var file = VitalFileBuilder()
        openDatasetDevices(&file)
        file.device(id: 4, type: "CardioQ", name: "CardioQ")
        file.track(id: 1, name: "HR", device: 4)             // defined first, but not Solar8000
        file.track(id: 2, name: "HR", device: 1)
        file.track(id: 3, name: "PLETH_HR", device: 1)       // pulse rate: never used for hr
        file.track(id: 4, name: "ETCO2", device: 2)          // only Primus has EtCO2 here
        file.track(id: 5, name: "RR_CO2", device: 2)
        file.track(id: 6, name: "BT", device: 1)
        file.track(id: 7, name: "RR_CO2", device: 1)         // Solar8000 defined but silent: Primus is used
        for second in 0..<3 {
            let time = t0 + Double(second)
            file.number(track: 1, at: time, 200)
            file.number(track: 2, at: time, 70)
            file.number(track: 3, at: time, 150)
            file.number(track: 4, at: time, 36)
            file.number(track: 5, at: time, 12)
            file.number(track: 6, at: time, 36.4)
        }
        let converted = try VitalCaseReader.read(bytes: try file.bytes(), caseID: "1")
        let selection = converted.selection
        #expect(selection.plain[.hr]?.qualifiedName == "Solar8000/HR")
        #expect(selection.plain[.etco2]?.qualifiedName == "Primus/ETCO2")
        #expect(selection.plain[.rr]?.qualifiedName == "Primus/RR_CO2")
        #expect(selection.plain[.temp]?.qualifiedName == "Solar8000/BT")
        #expect(selection.plain[.spo2] == nil)
        #expect(converted.batch.value(.hr, row: 0) == 70)
        #expect(selection.summary.hasPrefix("hr=Solar8000/HR"))
    }

    @Test("Philips IntelliVue names map too")
    func intellivue() throws {
        var file = VitalFileBuilder()
        file.device(id: 1, type: "Intellivue", name: "Intellivue")
        let names = ["ECG_HR", "ABP_SYS", "ABP_DIA", "ABP_MEAN", "PLETH_SAT_O2", "CO2_ET", "CO2_RR", "TEMP"]
        for (index, name) in names.enumerated() { file.track(id: UInt16(index + 1), name: name, device: 1) }
        for (index, value) in [80, 130, 70, 90, 97, 38, 14, 36.9].enumerated() {
            file.number(track: UInt16(index + 1), at: t0, Float(value))
        }
        let batch = try VitalCaseReader.read(bytes: try file.bytes(), caseID: "1").batch
        #expect(Vital.allCases.map { batch.value($0, row: 0) } == [80, 130, 70, 90, 97, 14, 38, 36.9])
    }

    /// Impedance RR when it is the only rate; the capnograph's when both are
    /// there. A core temperature by site when the monitor has no plain TEMP.
    @Test("IntelliVue: impedance RR only without a capnographic rate, core temperature sites")
    func intellivueRespirationAndTemperature() throws {
        func read(_ names: [String]) throws -> VitalCase {
            var file = VitalFileBuilder()
            file.device(id: 1, type: "Intellivue", name: "Intellivue")
            for (index, name) in names.enumerated() {
                file.track(id: UInt16(index + 1), name: name, device: 1)
                file.number(track: UInt16(index + 1), at: t0, Float(10 + index))
            }
            return try VitalCaseReader.read(bytes: try file.bytes(), caseID: "1")
        }
        let impedance = try read(["ECG_HR", "RR", "TEMP_ESOPH", "TEMP_SKIN"])
        #expect(impedance.selection.plain[.rr]?.qualifiedName == "Intellivue/RR")
        #expect(impedance.batch.value(.rr, row: 0) == 11)
        #expect(impedance.selection.plain[.temp]?.qualifiedName == "Intellivue/TEMP_ESOPH")
        let both = try read(["RR", "AWAY_RR", "CO2_ET", "TEMP_SKIN"])
        #expect(both.selection.plain[.rr]?.qualifiedName == "Intellivue/AWAY_RR")
        #expect(both.selection.plain[.etco2]?.qualifiedName == "Intellivue/CO2_ET")
        #expect(both.selection.plain[.temp] == nil, "skin temperature is not a core temperature")
    }

    @Test("patterns match qualified and bare names")
    func patterns() {
        #expect(VitalTrackMap.matches("Solar8000/HR", qualifiedName: "Solar8000/HR"))
        #expect(!VitalTrackMap.matches("Solar8000/HR", qualifiedName: "Primus/HR"))
        #expect(VitalTrackMap.matches("*/HR", qualifiedName: "Primus/HR"))
        #expect(VitalTrackMap.matches("*/HR", qualifiedName: "HR"))
        #expect(!VitalTrackMap.matches("*/HR", qualifiedName: "Solar8000/PLETH_HR"))
    }
}

@Suite("Arterial line or cuff")
struct ArterialOrCuffTests {
    /// Line open to air (≈ 2 mmHg) until 100 s, connected 100…298 s, silent
    /// after; cuff readings at 10, 70, 200, 330 and 400 s.
    private func recording(withCuff: Bool) throws -> VitalCase {
        var file = VitalFileBuilder()
        openDatasetDevices(&file)
        file.track(id: 1, name: "HR", device: 1)
        file.track(id: 2, name: "ART_SBP", device: 1)
        file.track(id: 3, name: "ART_DBP", device: 1)
        file.track(id: 4, name: "ART_MBP", device: 1)
        if withCuff {
            file.track(id: 5, name: "NIBP_SBP", device: 1)
            file.track(id: 6, name: "NIBP_DBP", device: 1)
            file.track(id: 7, name: "NIBP_MBP", device: 1)
        }
        for second in stride(from: 0, through: 500, by: 2) { file.number(track: 1, at: t0 + Double(second), 70) }
        for second in stride(from: 0, to: 300, by: 2) {
            let connected = second >= 100
            file.number(track: 2, at: t0 + Double(second), connected ? 120 : 2)
            file.number(track: 3, at: t0 + Double(second), connected ? 60 : 1)
            file.number(track: 4, at: t0 + Double(second), connected ? 80 : 1)
        }
        if withCuff {
            for (second, systolic) in [(10, 110), (70, 112), (200, 105), (330, 100), (400, 98)] {
                file.number(track: 5, at: t0 + Double(second), Float(systolic))
                file.number(track: 6, at: t0 + Double(second), 58)
                file.number(track: 7, at: t0 + Double(second), 75)
            }
        }
        return try VitalCaseReader.read(bytes: try file.bytes(), caseID: "1")
    }

    private func systolic(_ converted: VitalCase, at second: Int) -> Float? {
        let timestamp = converted.startMicros + Int64(second) * 1_000_000
        guard let row = converted.batch.timestamps.firstIndex(of: timestamp) else { return nil }
        return converted.batch.value(.sbp, row: row)
    }

    @Test("the cuff fills in while the line reads no pressure; a working line is never interleaved")
    func cuffWhenLineIsNotReading() throws {
        let converted = try recording(withCuff: true)
        #expect(systolic(converted, at: 0) == nil)      // line open to air: its 2 mmHg is not a pressure
        #expect(systolic(converted, at: 10) == 110)     // cuff
        #expect(systolic(converted, at: 70) == 112)
        #expect(systolic(converted, at: 100) == 120)    // line connected
        #expect(systolic(converted, at: 200) == 120)    // cuff reading ignored: the line is working
        #expect(systolic(converted, at: 330) == nil)    // line silent for 32 s: still current, cuff ignored
        #expect(systolic(converted, at: 400) == 98)     // line silent > 60 s: cuff
        let row = converted.batch.timestamps.firstIndex(of: converted.startMicros + 400_000_000)!
        #expect(converted.batch.value(.dbp, row: row) == 58)
        #expect(converted.batch.value(.mbp, row: row) == 75)
        #expect(converted.selection.summary.contains("sbp=Solar8000/ART_SBP|Solar8000/NIBP_SBP"))
    }

    @Test("without a cuff track the line's readings are kept as recorded, ≈ 0 included")
    func lineOnly() throws {
        let converted = try recording(withCuff: false)
        #expect(systolic(converted, at: 0) == 2)
        #expect(systolic(converted, at: 100) == 120)
        #expect(systolic(converted, at: 400) == nil)
    }
}

@Suite("Damaged and odd .vital files")
struct VitalDamageTests {
    @Test("a file cut inside a packet keeps what came before and says it is truncated")
    func truncated() throws {
        var file = VitalFileBuilder()
        openDatasetDevices(&file)
        file.track(id: 1, name: "HR", device: 1)
        file.number(track: 1, at: t0, 70)
        file.number(track: 1, at: t0 + 1, 71)
        let whole = try file.bytes(gzip: false)
        let cut = Array(whole.dropLast(3))
        let recording = try VitalRecording.read(bytes: cut)
        #expect(recording.isTruncated)
        #expect(recording.series(named: "Solar8000/HR")?.values == [70])

        // The same through a gzip file on disk cut short (a partial download).
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let gzipped = try Gzip.compress(whole)
        try AtomicFile.write(Array(gzipped.prefix(gzipped.count - 12)), to: directory.file("cut.vital"))
        let fromDisk = try VitalRecording.read(path: directory.file("cut.vital"))
        #expect(fromDisk.isTruncated)
    }

    @Test("not a .vital file: a clear error naming the file")
    func notVital() throws {
        #expect(throws: VitalFileError.notVital) { try VitalRecording.read(bytes: Array("<html>Not Found</html>".utf8)) }
        #expect(throws: VitalFileError.notVital) { try VitalRecording.read(bytes: Array("VIT".utf8)) }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try AtomicFile.write(try Gzip.compress(Array("hello".utf8)), to: directory.file("x.vital"))
        do {
            _ = try VitalRecording.read(path: directory.file("x.vital"))
            Issue.record("expected an error")
        } catch {
            #expect(String(describing: error).contains("x.vital"))
            #expect(String(describing: error).contains("VITA"))
        }
    }

    @Test("a packet with an impossible length is an error, not an allocation")
    func hugePacket() throws {
        var file = VitalFileBuilder()
        file.raw([1] + le(UInt32(0xFFFF_FFF0)))
        #expect(throws: VitalFileError.packetTooLarge(0xFFFF_FFF0)) { try VitalRecording.read(bytes: try file.bytes()) }
    }

    @Test("an empty recording gives an empty case")
    func empty() throws {
        let converted = try VitalCaseReader.read(bytes: try VitalFileBuilder().bytes(), caseID: "1")
        #expect(converted.batch.isEmpty)
    }

    @Test("case ids from file names")
    func caseIDs() {
        #expect(VitalCaseReader.caseID(forFile: "0001.vital") == "1")
        #expect(VitalCaseReader.caseID(forFile: "/data/06388.vital.gz") == "6388")
        #expect(VitalCaseReader.caseID(forFile: "or 7 (copy).vital") == "or_7__copy_")
    }
}
