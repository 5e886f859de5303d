/// A device of a recording (DEVINFO packet). Device id 0 is Vital Recorder itself.
public struct VitalDevice: Sendable, Equatable {
    public let id: UInt32
    public let typeName: String
    /// The name tracks are known by, e.g. "Solar8000"; the type name when empty.
    public let name: String
    public let port: String
}

/// A track of a recording (TRKINFO packet).
public struct VitalTrack: Sendable, Equatable {
    public let id: UInt16
    public let recordType: VitalFormat.RecordType?   // nil: a type this reader does not know
    public let format: VitalSampleFormat?
    public let name: String
    public let unit: String
    public let sampleRate: Float
    public let gain: Double
    public let offset: Double
    public let monitorType: UInt8
    public let deviceID: UInt32
    /// "Device/Track" as VitalDB names it (e.g. "Solar8000/HR"), or the bare
    /// track name for device 0 or a device without a DEVINFO packet.
    public let qualifiedName: String

    /// The measured value of a stored numeric sample: integer formats are ADC
    /// counts (`offset + stored * gain`, as the format specifies); floats are
    /// stored as measured, as `vitaldb.VitalFile` reads them.
    func measured(_ stored: Double) -> Double {
        guard let format, format.isInteger, gain != 0 else { return stored }
        return offset + stored * gain
    }
}

/// The numeric samples of one track in file order: times in Unix seconds.
public struct VitalSeries: Sendable {
    public internal(set) var times: [Double] = []
    public internal(set) var values: [Float] = []

    public var count: Int { times.count }
}
