import PhysioCore
import PhysioData
import Testing
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

struct AtomicFileTests {
    /// Writing to a device or pipe (`--out /dev/null`) must not replace it with a file.
    @Test func aPipeStaysAPipe() throws {
        var template = Array("/tmp/physio-atomic.XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { _ = system("rm -rf '\(directory)'") }
        let pipe = directory + "/out"
        #expect(mkfifo(pipe, 0o600) == 0)
        let received = Locked<[UInt8]>([])
        let done = WaitGroup()
        done.add()
        startThread {
            defer { done.done() }
            guard let file = fopen(pipe, "rb") else { return }
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = fread(&buffer, 1, buffer.count, file)
            fclose(file)
            received.withLock { $0 = Array(buffer[0..<count]) }
        }
        try AtomicFile.write(Array("model".utf8), to: pipe)
        #expect(done.wait(seconds: 5))
        #expect(received.value == Array("model".utf8))
        var info = stat()
        #expect(stat(pipe, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test func aRegularFileAppearsComplete() throws {
        let path = "/tmp/physio-atomic-\(getpid()).txt"
        defer { unlink(path) }
        try AtomicFile.write(Array("first".utf8), to: path)
        try AtomicFile.write(Array("second".utf8), to: path)
        #expect(try LineReader(path: path).nextLine() == "second")
    }
}
