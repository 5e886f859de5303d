import PhysioData
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp, removed with its contents by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/physio-data-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw DataFileError.cannotOpen("mkdtemp") }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { removeTree(path) }
}

/// rm -rf for a test's own directory.
func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        for name in directoryEntries(path) { removeTree(path + "/" + name) }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// Names of the entries of a directory (no dot entries), sorted.
func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// The text of a (possibly gzip'd) file.
func readText(_ path: String) throws -> String {
    String(decoding: try LineReader.readAll(path: path), as: UTF8.self)
}

/// The directory of this test target's sources (for Fixtures/).
func testSourceDirectory(_ file: String = #filePath) -> String {
    String(file[..<file.lastIndex(of: "/")!])
}
