import ArgumentParser
import PhysioCore
import PhysioStore

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once (only its SHA-256 is stored).")

        @Option(name: .customLong("scope"), parsing: .upToNextOption,
                help: "Scopes: ingest, read, export, admin, review, metrics (repeat, list several, or join them with commas; admin includes review, read includes metrics).")
        var scopeArguments: [String]
        @Option(help: "A name to recognise the token by, e.g. or-7.")
        var name: String
        @Option(help: "Stop accepting it after this PostgreSQL interval, e.g. '90 days', '12 hours' (default: never).")
        var expiresIn: String?
        @Option(name: .customLong("cases"), parsing: .upToNextOption,
                help: "Bind an ingest-only token to these cases: ids, or prefixes ending in '*' (e.g. 'or7-*'); default: every case.")
        var casePatterns: [String] = []
        @OptionGroup var database: DatabaseOptions

        /// `--scope read,review` as `--scope read review`.
        var scopes: [String] { scopeArguments.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty } }

        func validate() throws {
            if scopes.isEmpty { throw ValidationError("--scope needs a scope: \(TokenStore.scopes.joined(separator: ", "))") }
            let unknown = scopes.filter { !TokenStore.scopes.contains($0) }
            if !unknown.isEmpty { throw ValidationError("unknown scope \(unknown.joined(separator: ", ")); use \(TokenStore.scopes.joined(separator: ", "))") }
            if let bad = casePatterns.first(where: { CasePattern($0) == nil }) {
                throw ValidationError("--cases '\(bad.prefix(80))': \(CasePattern.usage)")
            }
            if let reason = TokenStore.unusableCases(cases, scopes: scopes) { throw ValidationError(reason) }
        }

        var cases: [CasePattern]? { casePatterns.isEmpty ? nil : casePatterns.compactMap(CasePattern.init) }

        func run() throws {
            let connection = try DatabaseConnection(url: database.url(), applicationName: "physio-token")
            if let reason = try TokenStore().unusableName(name, on: connection) { throw ValidationError(reason) }
            if let expiresIn, let reason = try TokenStore().unusableExpiry(expiresIn, on: connection) { throw ValidationError(reason) }
            let created = try TokenStore().create(name: name, scopes: Array(Set(scopes)).sorted(), expiresIn: expiresIn, cases: cases,
                                                  on: connection)
            print(created.token)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let connection = try DatabaseConnection(url: database.url(), applicationName: "physio-token")
            print("id\tname\tscopes\tcreated\trevoked\texpires\tcases")
            for token in try TokenStore().list(on: connection) {
                let expires = token.expiresAt.map { token.expired ? "\($0) (expired)" : $0 } ?? "-"
                let cases = token.cases.map { $0.map(\.description).joined(separator: ",") } ?? "all"
                print("\(token.id)\t\(token.name)\t\(token.scopes.joined(separator: ","))\t\(token.createdAt)\t\(token.revokedAt ?? "-")\t\(expires)\t\(cases)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by id or name (servers stop accepting it within their cache time, 5 s).")
        @Argument(help: "Token id or name.") var token: String
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let connection = try DatabaseConnection(url: database.url(), applicationName: "physio-token")
            let count: Int
            do { count = try TokenStore().revoke(idOrName: token, on: connection) } catch let ambiguous as TokenStore.AmbiguousToken {
                throw ValidationError(ambiguous.description)
            }
            guard count > 0 else { throw ValidationError("no active token with id or name '\(token)'") }
            print("revoked \(count) token\(count == 1 ? "" : "s")")
        }
    }
}
