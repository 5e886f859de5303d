import Foundation
import PackagePlugin

/// Compiles project files that live outside `Sources/` (SQL migrations, the
/// OpenAPI contract, the dashboard) into the binary, so an installed `physio`
/// needs nothing beside it.
@main
struct EmbedFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let sets: [(enumName: String, folder: String, extensions: Set<String>)]
        switch target.name {
        case "PhysioStore":
            sets = [("EmbeddedMigrations", "db/migrations", ["sql"])]
        case "PhysioServer":
            sets = [("EmbeddedContract", "openapi", ["yaml", "json"]),
                    ("EmbeddedStatic", "static", ["html", "js", "css", "svg", "png", "ico"])]
        default:
            return []
        }
        let tool = try context.tool(named: "physio-embed")
        return sets.map { set in
            let folder = root.appending(path: set.folder)
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path())) ?? [])
                .filter { set.extensions.contains(($0 as NSString).pathExtension) }
                .sorted()
                .map { folder.appending(path: $0) }
            let output = context.pluginWorkDirectoryURL.appending(path: "\(set.enumName).swift")
            return .buildCommand(
                displayName: "Embedding \(set.folder) into \(target.name)",
                executable: tool.url,
                arguments: [output.path(), set.enumName] + files.map { $0.path() },
                inputFiles: files + (FileManager.default.fileExists(atPath: folder.path()) ? [folder] : []),
                outputFiles: [output])
        }
    }
}
