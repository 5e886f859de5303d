/// Constants of Vital Recorder's `.vital` format (file format version 3), as
/// specified in `snuhvitallab/vitaldb-docs` (VitalRecorder/Vital_File_Format.md)
/// and read by the `vitaldb` Python package (`VitalFile.load_vital`).
///
/// A `.vital` file is gzip of: the header — `"VITA"`, format version (u32),
/// `headerlen` (u16), then `headerlen` bytes: tz bias (i16, minutes), instance
/// id (u32), program version (u32) and, when `headerlen` is 26, dtstart and
/// dtend (f64) — followed by packets, each a type byte, a u32 data length
/// and that many bytes. Everything is little-endian and packed.
public enum VitalFormat {
    public static let signature: [UInt8] = Array("VITA".utf8)
    /// Bytes before the variable header: signature, version, headerlen.
    public static let fixedHeaderLength = 10
    /// A packet larger than this is taken as corruption rather than allocated.
    public static let maxPacketLength = 64 << 20

    public enum PacketType: UInt8 {
        case trackInfo = 0    // SAVE_TRKINFO
        case record = 1       // SAVE_REC
        case command = 6      // SAVE_CMD
        case deviceInfo = 9   // SAVE_DEVINFO
    }

    /// `rec_type` of a track.
    public enum RecordType: UInt8, Sendable {
        case wave = 1
        case numeric = 2
        case string = 5
    }
}

/// `recfmt`: how a sample is stored. Integer formats are ADC counts, scaled
/// by the track's gain and offset (`value = offset + stored * gain`).
public enum VitalSampleFormat: UInt8, Sendable {
    case none = 0, float32 = 1, float64 = 2, int8 = 3, uint8 = 4, int16 = 5, uint16 = 6, int32 = 7, uint32 = 8

    public var byteCount: Int {
        switch self {
        case .none: 0
        case .int8, .uint8: 1
        case .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64: 8
        }
    }

    public var isInteger: Bool { rawValue >= 3 }

    /// The stored value at `offset` (no scaling).
    func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Double {
        switch self {
        case .none: .nan
        case .float32: Double(Float(bitPattern: bytes.loadLE(UInt32.self, at: offset)))
        case .float64: Double(bitPattern: bytes.loadLE(UInt64.self, at: offset))
        case .int8: Double(Int8(bitPattern: bytes[offset]))
        case .uint8: Double(bytes[offset])
        case .int16: Double(Int16(bitPattern: bytes.loadLE(UInt16.self, at: offset)))
        case .uint16: Double(bytes.loadLE(UInt16.self, at: offset))
        case .int32: Double(Int32(bitPattern: bytes.loadLE(UInt32.self, at: offset)))
        case .uint32: Double(bytes.loadLE(UInt32.self, at: offset))
        }
    }
}

extension UnsafeRawBufferPointer {
    /// A little-endian integer at any (unaligned) offset.
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
