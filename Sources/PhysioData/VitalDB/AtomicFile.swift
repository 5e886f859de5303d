import PhysioCore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Write-then-rename: a file appears under its final name only when complete,
/// so "the file exists" is what "the download/conversion finished" means and
/// an interrupted run resumes by skipping what exists.
public enum AtomicFile {
    private static let counterLock = Lock()
    nonisolated(unsafe) private static var counter = 0

    /// A unique temporary name beside `path` that keeps a final ".gz" (writers
    /// compress by suffix) but never ends in ".csv", ".csv.gz" or ".vital",
    /// so directory scans do not take it for a finished file.
    public static func temporaryPath(for path: String) -> String {
        let number = counterLock.withLock { counter += 1; return counter }
        let tag = ".tmp-\(getpid())-\(number)"
        return path.hasSuffix(".gz") ? String(path.dropLast(3)) + tag + ".gz" : path + tag
    }

    /// Calls `body` with a temporary path, then renames it to `path`. The
    /// temporary file is removed if `body` throws. A destination that exists
    /// and is not a regular file (/dev/null, a pipe) is written in place:
    /// renaming over it would replace the device with a file.
    public static func write(to path: String, _ body: (String) throws -> Void) throws {
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR {
            return try body(path)
        }
        let temporary = temporaryPath(for: path)
        do {
            try body(temporary)
            try rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes bytes to `path`, complete or not at all.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { temporary in
            guard let file = fopen(temporary, "wb") else { throw DataFileError.cannotOpen(temporary) }
            let written = fwrite(bytes, 1, bytes.count, file)
            let closed = fclose(file)
            guard written == bytes.count, closed == 0 else {
                throw DataFileError.cannotOpen("\(path) (write: \(String(cString: strerror(errno))))")
            }
        }
    }

    public static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw DataFileError.cannotOpen("\(to) (rename: \(String(cString: strerror(errno))))")
        }
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Size in bytes, or nil when missing.
    public static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// Creates a directory and its parents (mkdir -p).
    public static func makeDirectory(_ path: String) throws {
        var partial = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            partial += component + "/"
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw DataFileError.cannotOpen("\(path) (mkdir: \(String(cString: strerror(errno))))")
            }
        }
        guard isDirectory(path) else { throw DataFileError.cannotOpen("\(path) is not a directory") }
    }
}
