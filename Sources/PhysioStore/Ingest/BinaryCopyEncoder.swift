import PhysioCore

/// Builds PostgreSQL's binary COPY format: no text parsing in the server,
/// floats and timestamps arrive as the bytes it stores.
struct BinaryCopyEncoder {
    /// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
    static let postgresEpochOffset: Int64 = 946_684_800_000_000

    private(set) var bytes: [UInt8] = []

    init(estimatedRows: Int, bytesPerRow: Int = 80) {
        bytes.reserveCapacity(19 + estimatedRows * bytesPerRow + 2)
        bytes.append(contentsOf: [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00])  // PGCOPY\n\377\r\n\0
        appendInt32(0)  // flags
        appendInt32(0)  // header extension length
    }

    mutating func beginRow(fields: Int) { appendInt16(Int16(fields)) }

    mutating func int32(_ value: Int32) { appendInt32(4); appendInt32(value) }

    mutating func text(_ utf8: some Collection<UInt8>) {
        appendInt32(Int32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func timestamp(unixMicros: Int64) {
        appendInt32(8)
        appendInt64(unixMicros - Self.postgresEpochOffset)
    }

    /// NaN is written as NULL (a missing vital).
    mutating func float4(_ value: Float) {
        if value.isNaN { appendInt32(-1); return }
        appendInt32(4)
        appendInt32(Int32(bitPattern: value.bitPattern))
    }

    mutating func finish() { appendInt16(-1) }

    private mutating func appendInt16(_ value: Int16) {
        let v = UInt16(bitPattern: value)
        bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF))
    }

    private mutating func appendInt32(_ value: Int32) {
        let v = UInt32(bitPattern: value)
        bytes.append(UInt8(v >> 24)); bytes.append(UInt8((v >> 16) & 0xFF))
        bytes.append(UInt8((v >> 8) & 0xFF)); bytes.append(UInt8(v & 0xFF))
    }

    private mutating func appendInt64(_ value: Int64) {
        appendInt32(Int32(truncatingIfNeeded: value >> 32))
        appendInt32(Int32(truncatingIfNeeded: value))
    }
}
