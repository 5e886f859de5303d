import CZlib

/// Where the parser's bytes come from: a file streamed through zlib (a
/// 100 MB decompressed recording never sits in memory whole) or a buffer.
protocol VitalByteSource {
    /// Exactly `count` bytes, valid until the next call; nil at the end of the
    /// data; throws `truncatedPacket` when the data ends part-way.
    mutating func next(_ count: Int) throws -> UnsafeRawBufferPointer?
}

/// Streams a gzip (or plain) file through gzread.
final class GzipFileSource: VitalByteSource {
    private let file: gzFile
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEnd = false

    init(path: String) throws {
        guard let file = gzopen(path, "rb") else { throw DataFileError.cannotOpen(path) }
        gzbuffer(file, 1 << 17)
        self.file = file
        buffer = .allocate(byteCount: 1 << 20, alignment: 16)
    }

    deinit {
        gzclose(file)
        buffer.deallocate()
    }

    func next(_ count: Int) throws -> UnsafeRawBufferPointer? {
        while end - start < count && !atEnd { try fill(atLeast: count) }
        if end - start < count {
            if end == start { return nil }
            throw VitalFileError.truncatedPacket
        }
        defer { start += count }
        return UnsafeRawBufferPointer(rebasing: buffer[start..<(start + count)])
    }

    /// Moves unread bytes to the front, grows the buffer if one packet needs
    /// more room, and reads what fits.
    private func fill(atLeast count: Int) throws {
        if start > 0 {
            if end > start { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start) }
            end -= start
            start = 0
        }
        if count > buffer.count {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
            larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = larger
        }
        let read = gzread(file, buffer.baseAddress! + end, UInt32(buffer.count - end))
        if read < 0 {
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
            throw VitalFileError.gzip(message)
        }
        if read == 0 { atEnd = true }
        end += Int(read)
    }
}

/// Reads from bytes already in memory (decompressed).
struct MemoryByteSource: VitalByteSource {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    /// `bytes` must outlive the source.
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func next(_ count: Int) throws -> UnsafeRawBufferPointer? {
        let available = bytes.count - position
        if available == 0 { return nil }
        guard available >= count else { throw VitalFileError.truncatedPacket }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }
}
