/// What a `.vital` file holds that physio uses: devices, tracks and the
/// samples of numeric tracks. Wave and string records are skipped (their
/// times still count towards `startTime`/`endTime`, as in `vitaldb`).
public struct VitalRecording: Sendable {
    public internal(set) var formatVersion: UInt32 = 0
    /// Minutes to add to local time to get UTC (−540 in Korea).
    public internal(set) var timeZoneBias: Int16 = 0
    public internal(set) var devices: [UInt32: VitalDevice] = [:]
    public internal(set) var tracks: [UInt16: VitalTrack] = [:]
    /// Numeric samples by track id; only tracks with at least one sample.
    public internal(set) var numeric: [UInt16: VitalSeries] = [:]
    /// Earliest and latest record time of any track (Unix seconds; 0 when
    /// there are no records). Records at time ≤ 0 are ignored, as in `vitaldb`.
    public internal(set) var startTime: Double = 0
    public internal(set) var endTime: Double = 0
    public internal(set) var recordCount = 0
    /// The data ended inside a packet or the gzip stream was cut short: a
    /// partial download or a recorder that stopped mid-write. What came
    /// before is kept.
    public internal(set) var isTruncated = false

    public init() {}

    /// Tracks by qualified name ("Solar8000/HR"); the first defined wins.
    public var tracksByName: [String: VitalTrack] {
        var byName: [String: VitalTrack] = [:]
        for track in tracks.values.sorted(by: { $0.id < $1.id }) where byName[track.qualifiedName] == nil {
            byName[track.qualifiedName] = track
        }
        return byName
    }

    /// Numeric samples of a track by qualified name.
    public func series(named name: String) -> VitalSeries? {
        guard let track = tracksByName[name] else { return nil }
        return numeric[track.id]
    }
}

extension VitalRecording {
    /// Reads a `.vital` file (gzip, as Vital Recorder and VitalDB write it;
    /// an already gunzipped file is read as well).
    public static func read(path: String) throws -> VitalRecording {
        var source = try GzipFileSource(path: path)
        do {
            return try VitalParser.parse(&source)
        } catch let error as VitalFileError {
            throw DataFileError.format("\(path): \(error)")
        }
    }

    /// Reads a `.vital` file held in memory, gzip or not.
    public static func read(bytes: [UInt8]) throws -> VitalRecording {
        let plain = Gzip.isGzip(bytes) ? try Gzip.decompress(bytes) : bytes
        return try plain.withUnsafeBytes { raw in
            var source = MemoryByteSource(raw)
            return try VitalParser.parse(&source)
        }
    }
}
