import PhysioData

/// Writes `.vital` bytes field by field in Vital Recorder's layout
/// (VitalRecorder/Vital_File_Format.md in snuhvitallab/vitaldb-docs), so the
/// reader is tested against the real format rather than against itself.
struct VitalFileBuilder {
    private(set) var body: [UInt8] = []
    private var header: [UInt8] = []

    /// `longHeader`: the 26-byte header of current Vital Recorder versions
    /// (with dtstart/dtend); otherwise the 10-byte one `vitaldb.to_vital` writes.
    init(timeZoneBias: Int16 = -540, longHeader: Bool = true) {
        header += Array("VITA".utf8)
        header += le(UInt32(3))
        header += le(UInt16(longHeader ? 26 : 10))
        header += le(UInt16(bitPattern: timeZoneBias))
        header += le(UInt32(7))          // instance id
        header += le(UInt32(0x0101_0000)) // program version
        if longHeader { header += le(Double(0).bitPattern) + le(Double(0).bitPattern) }
    }

    /// The whole file, gzip'd like Vital Recorder writes it (or plain).
    func bytes(gzip: Bool = true) throws -> [UInt8] {
        gzip ? try Gzip.compress(header + body) : header + body
    }

    mutating func device(id: UInt32, type: String, name: String, port: String? = "COM1") {
        var data = le(id) + string(type) + string(name)
        if let port { data += string(port) }
        packet(9, data)
    }

    /// A TRKINFO packet; `trailing: false` stops after the name and unit, as
    /// an old recorder may write it.
    mutating func track(id: UInt16, type: UInt8 = 2, format: UInt8 = 1, name: String, unit: String = "",
                        sampleRate: Float = 0, gain: Double = 1, offset: Double = 0, device: UInt32, trailing: Bool = true) {
        var data = le(id) + [type, format] + string(name) + string(unit)
        if trailing {
            data += le(Float(0).bitPattern) + le(Float(200).bitPattern) + le(UInt32(0xFFFF_0000))
            data += le(sampleRate.bitPattern) + le(gain.bitPattern) + le(offset.bitPattern)
            data += [0] + le(device) + le(UInt32(0))   // montype, devid, reclen
        }
        packet(0, data)
    }

    /// A numeric record stored as float32 (format 1).
    mutating func number(track: UInt16, at time: Double, _ value: Float) {
        record(track: track, at: time, le(value.bitPattern))
    }

    /// A record with raw value bytes (other formats).
    mutating func record(track: UInt16, at time: Double, _ value: [UInt8]) {
        packet(1, le(UInt16(10)) + le(time.bitPattern) + le(track) + value)
    }

    mutating func wave(track: UInt16, at time: Double, samples: [Float]) {
        record(track: track, at: time, le(UInt32(samples.count)) + samples.flatMap { le($0.bitPattern) })
    }

    mutating func text(track: UInt16, at time: Double, _ value: String) {
        record(track: track, at: time, le(UInt32(0)) + string(value))
    }

    /// CMD_TRK_ORDER.
    mutating func trackOrder(_ ids: [UInt16]) {
        packet(6, [5] + le(UInt16(ids.count)) + ids.flatMap { le($0) })
    }

    mutating func packet(_ type: UInt8, _ data: [UInt8]) {
        body += [type] + le(UInt32(data.count)) + data
    }

    mutating func raw(_ bytes: [UInt8]) { body += bytes }

    private func string(_ text: String) -> [UInt8] { le(UInt32(text.utf8.count)) + Array(text.utf8) }
}

func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}
