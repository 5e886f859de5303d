/// Parses the packet stream of a `.vital` file into a `VitalRecording`.
/// Field by field the layout of `vitaldb.VitalFile.load_vital`: optional
/// trailing fields of DEVINFO and TRKINFO may be absent, unknown packet
/// types and commands are skipped by their length, and records of a track
/// not yet defined are ignored.
enum VitalParser {
    static func parse<Source: VitalByteSource>(_ source: inout Source) throws -> VitalRecording {
        var recording = VitalRecording()
        try readHeader(&source, into: &recording)
        while true {
            do {
                guard let head = try source.next(5) else { break }
                let type = head[0]
                let length = Int(head.loadLE(UInt32.self, at: 1))
                guard length <= VitalFormat.maxPacketLength else { throw VitalFileError.packetTooLarge(length) }
                if length == 0 { continue }
                guard let body = try source.next(length) else { throw VitalFileError.truncatedPacket }
                try readPacket(type: type, body: body, into: &recording)
            } catch VitalFileError.truncatedPacket, VitalFileError.gzip(_) {
                recording.isTruncated = true
                break
            }
        }
        return recording
    }

    private static func readHeader<Source: VitalByteSource>(_ source: inout Source, into recording: inout VitalRecording) throws {
        let fixed: UnsafeRawBufferPointer
        do {
            guard let bytes = try source.next(VitalFormat.fixedHeaderLength) else { throw VitalFileError.notVital }
            fixed = bytes
        } catch VitalFileError.truncatedPacket {
            throw VitalFileError.notVital
        }
        guard Array(fixed[0..<4]) == VitalFormat.signature else { throw VitalFileError.notVital }
        recording.formatVersion = fixed.loadLE(UInt32.self, at: 4)
        let headerLength = Int(fixed.loadLE(UInt16.self, at: 8))
        guard headerLength > 0 else { return }
        do {
            guard let header = try source.next(headerLength) else { throw VitalFileError.truncatedHeader }
            if headerLength >= 2 { recording.timeZoneBias = Int16(bitPattern: header.loadLE(UInt16.self, at: 0)) }
        } catch VitalFileError.truncatedPacket {
            throw VitalFileError.truncatedHeader
        }
    }

    private static func readPacket(type: UInt8, body: UnsafeRawBufferPointer, into recording: inout VitalRecording) throws {
        switch VitalFormat.PacketType(rawValue: type) {
        case .deviceInfo: try readDevice(body, into: &recording)
        case .trackInfo: try readTrack(body, into: &recording)
        case .record: readRecord(body, into: &recording)
        case .command, nil: break   // track order, event reset: nothing physio needs
        }
    }

    private static func readDevice(_ body: UnsafeRawBufferPointer, into recording: inout VitalRecording) throws {
        var cursor = VitalPacketCursor(body)
        let id = try cursor.u32()
        let typeName = try cursor.string()
        let name = cursor.remaining >= 4 ? try cursor.string() : ""
        let port = cursor.remaining >= 4 ? try cursor.string() : ""
        recording.devices[id] = VitalDevice(id: id, typeName: typeName, name: name.isEmpty ? typeName : name, port: port)
    }

    private static func readTrack(_ body: UnsafeRawBufferPointer, into recording: inout VitalRecording) throws {
        var cursor = VitalPacketCursor(body)
        let id = try cursor.u16()
        let recordType = try cursor.u8()
        let format = try cursor.u8()
        let name = try cursor.string()
        let unit = cursor.remaining >= 4 ? try cursor.string() : ""
        if cursor.remaining >= 12 { try cursor.skip(12) }          // mindisp, maxdisp, colour
        let sampleRate = cursor.remaining >= 4 ? try cursor.f32() : 0
        let gain = cursor.remaining >= 8 ? try cursor.f64() : 1
        let offset = cursor.remaining >= 8 ? try cursor.f64() : 0
        let monitorType = cursor.remaining >= 1 ? try cursor.u8() : 0
        let deviceID = cursor.remaining >= 4 ? try cursor.u32() : 0
        var qualifiedName = name
        if deviceID != 0, let device = recording.devices[deviceID] { qualifiedName = device.name + "/" + name }
        recording.tracks[id] = VitalTrack(
            id: id, recordType: VitalFormat.RecordType(rawValue: recordType), format: VitalSampleFormat(rawValue: format),
            name: name, unit: unit, sampleRate: sampleRate, gain: gain, offset: offset,
            monitorType: monitorType, deviceID: deviceID, qualifiedName: qualifiedName)
    }

    /// infolen (u16), dt (f64), track id (u16); the value starts at 2 + infolen.
    private static func readRecord(_ body: UnsafeRawBufferPointer, into recording: inout VitalRecording) {
        guard body.count >= 12 else { return }
        let infoLength = Int(body.loadLE(UInt16.self, at: 0))
        let time = Double(bitPattern: body.loadLE(UInt64.self, at: 2))
        let trackID = body.loadLE(UInt16.self, at: 10)
        recording.recordCount += 1
        guard time > 0, time.isFinite else { return }
        if recording.startTime == 0 || time < recording.startTime { recording.startTime = time }
        if time > recording.endTime { recording.endTime = time }

        guard let track = recording.tracks[trackID], track.recordType == .numeric,
              let format = track.format, format != .none else { return }
        let valueAt = 2 + infoLength
        guard valueAt + format.byteCount <= body.count else { return }
        let value = track.measured(format.decode(body, at: valueAt))
        guard value.isFinite else { return }
        recording.numeric[trackID, default: VitalSeries()].times.append(time)
        recording.numeric[trackID, default: VitalSeries()].values.append(Float(value))
    }
}
