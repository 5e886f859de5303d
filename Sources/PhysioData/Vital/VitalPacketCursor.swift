/// Reads the fields of one packet body in order. Reads past the end throw,
/// so a truncated packet is reported instead of read as garbage; optional
/// trailing fields are guarded with `remaining`.
struct VitalPacketCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - position }

    mutating func skip(_ count: Int) throws {
        try need(count)
        position += count
    }

    mutating func u8() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16() throws -> UInt16 { try integer(UInt16.self) }
    mutating func u32() throws -> UInt32 { try integer(UInt32.self) }
    mutating func i16() throws -> Int16 { Int16(bitPattern: try integer(UInt16.self)) }
    mutating func f32() throws -> Float { Float(bitPattern: try integer(UInt32.self)) }
    mutating func f64() throws -> Double { Double(bitPattern: try integer(UInt64.self)) }

    /// A u32 byte length, then that many bytes of UTF-8 (no terminator).
    mutating func string() throws -> String {
        let length = Int(try u32())
        try need(length)
        defer { position += length }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)]), as: UTF8.self)
    }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try need(MemoryLayout<T>.size)
        defer { position += MemoryLayout<T>.size }
        return bytes.loadLE(T.self, at: position)
    }

    private func need(_ count: Int) throws {
        guard count >= 0, remaining >= count else { throw VitalFileError.truncatedPacket }
    }
}
