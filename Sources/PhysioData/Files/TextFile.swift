import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// Reads a text file line by line, gzip or plain (zlib reads both).
public final class LineReader {
    private let file: gzFile
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var pending: [UInt8] = []
    private var start = 0
    private var end = 0
    private var finished = false

    public init(path: String) throws {
        guard let file = gzopen(path, "rb") else { throw DataFileError.cannotOpen(path) }
        gzbuffer(file, 1 << 17)
        self.file = file
    }

    deinit { gzclose(file) }

    /// The next line without its line ending, or nil at the end.
    public func nextLine() throws -> String? {
        pending.removeAll(keepingCapacity: true)
        while true {
            if start == end {
                if finished { break }
                let count = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
                if count < 0 { throw DataFileError.corrupt("gzip stream error") }
                if count == 0 { finished = true; break }
                start = 0
                end = Int(count)
            }
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                pending.append(contentsOf: buffer[start..<newline])
                start = newline + 1
                return line()
            }
            pending.append(contentsOf: buffer[start..<end])
            start = end
        }
        return pending.isEmpty ? nil : line()
    }

    private func line() -> String {
        if pending.last == 0x0D { pending.removeLast() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Whole contents as bytes (for binary formats such as .vital).
    public static func readAll(path: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else { throw DataFileError.cannotOpen(path) }
        defer { gzclose(file) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 { throw DataFileError.corrupt("\(path): gzip stream error") }
            if count == 0 { return out }
            out.append(contentsOf: chunk[0..<Int(count)])
        }
    }
}

/// Writes text, gzip-compressed when the path ends in .gz.
public final class TextWriter {
    private var gz: gzFile?
    private var plain: UnsafeMutablePointer<FILE>?

    public init(path: String) throws {
        if path.hasSuffix(".gz") {
            guard let file = gzopen(path, "wb6") else { throw DataFileError.cannotOpen(path) }
            gz = file
        } else {
            guard let file = fopen(path, "wb") else { throw DataFileError.cannotOpen(path) }
            plain = file
        }
    }

    deinit { close() }

    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return }
        if let gz { _ = bytes.withUnsafeMutableBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) } }
        if let plain { _ = fwrite(&bytes, 1, bytes.count, plain) }
    }

    public func close() {
        if let gz { gzclose(gz) }
        if let plain { fclose(plain) }
        gz = nil
        plain = nil
    }
}

public enum DataFileError: Error, CustomStringConvertible {
    case cannotOpen(String)
    case corrupt(String)
    case format(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path): "cannot open \(path)"
        case .corrupt(let detail): detail
        case .format(let detail): detail
        }
    }
}
