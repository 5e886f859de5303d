#if canImport(Glibc)
import Glibc
#endif

/// Runs a Python script with the test suite's interpreter (PHYSIO_TEST_PYTHON,
/// a venv scripts/test makes with pandas, fhir.resources, vitaldb).
public enum PythonScript {
    public static var isAvailable: Bool { getenv("PHYSIO_TEST_PYTHON") != nil }
    public static let skipMessage = "PHYSIO_TEST_PYTHON (the test suite's python) is not set: run scripts/test"

    /// The script's output (standard output and error), whatever its exit status:
    /// the caller checks for what a passing script prints.
    public static func run(_ script: String, arguments: [String] = []) throws -> String {
        let path = "/tmp/physio-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).py"
        guard let file = fopen(path, "wb") else { throw ShellError(message: "cannot write \(path)") }
        fputs(script, file)
        fclose(file)
        defer { unlink(path) }
        let python = String(cString: getenv("PHYSIO_TEST_PYTHON"))
        return try Shell.output("'\(python)' '\(path)' \(arguments.map { "'\($0)'" }.joined(separator: " ")) 2>&1 || true")
    }
}
