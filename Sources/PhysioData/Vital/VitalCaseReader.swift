import PhysioCore

/// `.vital` file → physio case: parse, choose tracks (`VitalTrackMap`), put
/// them on the 1-s grid (`VitalResampler`).
public enum VitalCaseReader {
    public static func read(path: String, caseID: String) throws -> VitalCase {
        let recording = try VitalRecording.read(path: path)
        return VitalResampler.resample(recording, selection: VitalTrackMap.select(from: recording), caseID: caseID)
    }

    public static func read(bytes: [UInt8], caseID: String) throws -> VitalCase {
        let recording = try VitalRecording.read(bytes: bytes)
        return VitalResampler.resample(recording, selection: VitalTrackMap.select(from: recording), caseID: caseID)
    }

    /// Converts a `.vital` file to a case CSV (gzip when `output` ends in .gz),
    /// written to a temporary name and renamed, so an interrupted conversion
    /// never leaves a partial CSV under the final name.
    @discardableResult
    public static func convert(path: String, caseID: String, to output: String) throws -> VitalCase {
        let converted = try read(path: path, caseID: caseID)
        try AtomicFile.write(to: output) { temporary in
            try CaseCSV.write(converted.batch, to: temporary, originMicros: converted.startMicros)
        }
        return converted
    }

    /// The case id for a file name: "0001.vital" → "1" (VitalDB's numbering),
    /// otherwise the name without extension, with characters a case id may not
    /// hold replaced by "_".
    public static func caseID(forFile path: String) -> String {
        var name = Substring(path.split(separator: "/").last ?? Substring(path))
        for suffix in [".gz", ".vital"] where name.hasSuffix(suffix) { name = name.dropLast(suffix.count) }
        if let number = Int(name), number > 0 { return String(number) }
        let cleaned = String(name.map { CaseID.isValid(String($0)) ? $0 : "_" }.prefix(CaseID.maxLength))
        return cleaned.isEmpty ? "case" : cleaned
    }
}
