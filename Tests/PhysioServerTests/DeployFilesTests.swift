import PhysioData
import PhysioTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// deploy/: the systemd unit parses, and its example settings are real ones.
struct DeployFilesTests {
    static let deploy = Shell.repositoryRoot + "/deploy"

    static func text(_ path: String) throws -> String {
        String(decoding: try LineReader.readAll(path: path), as: UTF8.self)
    }

    /// Every variable `serve --help` names is in the README's configuration table.
    @Test func theReadmeDocumentsEveryServeSetting() throws {
        let readme = try Self.text(Shell.repositoryRoot + "/README.md")
        let help = try Shell.output("'\(PhysioProcess.binary)' serve --help 2>&1")
        let names = Set(help.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).filter { $0.hasPrefix("PHYSIO_") && $0.count > 7 })
        #expect(names.count >= 20, "\(help)")
        for name in names.sorted() {
            #expect(readme.contains("`\(name)`"), "\(name) is not in the README's configuration table")
        }
    }

    @Test func everyExampleSettingIsOneTheReadmeDocuments() throws {
        let readme = try Self.text(Shell.repositoryRoot + "/README.md")
        let names = try Self.text(Self.deploy + "/physio.env").split(separator: "\n")
            .filter { !$0.hasPrefix("#") && $0.contains("=") }
            .map { String($0[..<$0.firstIndex(of: "=")!]) }
        #expect(names.count >= 5)
        for name in names {
            #expect(readme.contains("`\(name)`"), "\(name) is not in the README's configuration table")
        }
    }

    static let units = ["physio.service": "serve", "physio-work.service": "work", "physio-migrate.service": "migrate",
                        "physio-retention.service": "retention", "physio-retention.timer": nil]

    @Test(.enabled(if: access("/usr/bin/systemd-analyze", X_OK) == 0, "systemd-analyze is not installed"))
    func theUnitsVerify() throws {
        let directory = String(try Shell.output("mktemp -d /tmp/physio-unit.XXXXXX").filter { $0 != "\n" })
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        // The units name the installed binary and settings; point both at this build.
        for (name, command) in Self.units {
            let unit = try Self.text(Self.deploy + "/" + name)
                .replacing("/usr/local/bin/physio", with: PhysioProcess.binary)
                .replacing("/etc/physio/physio.env", with: Self.deploy + "/physio.env")
            if let command { #expect(unit.contains("ExecStart=\(PhysioProcess.binary) \(command)\n"), "\(name)") }
            let copy = fopen("\(directory)/\(name)", "w")
            fputs(unit, copy)
            fclose(copy)
        }
        for name in Self.units.keys.sorted() {
            let output = try Shell.output("cd '\(directory)' && systemd-analyze verify '\(name)' 2>&1; echo status=$?")
            #expect(output.hasSuffix("status=0\n") && !output.contains("\(name):"), "\(name): \(output)")
        }
    }

    /// The schema is migrated by its own unit, once, not at each start of a
    /// node (README, Upgrading); the server comes back after any exit.
    @Test func theServiceDoesNotMigrateAndRestartsAfterAnyExit() throws {
        let unit = try Self.text(Self.deploy + "/physio.service")
        #expect(!unit.contains("ExecStartPre") && !unit.contains("physio migrate\n"))
        #expect(unit.contains("Restart=always"))
        #expect(try Self.text(Self.deploy + "/physio-migrate.service").contains("Type=oneshot"))
    }
}
