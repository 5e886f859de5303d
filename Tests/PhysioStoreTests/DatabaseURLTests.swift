import PhysioStore
import Testing

/// libpq quotes malformed connection strings in its errors; the password
/// is taken out of every message that could carry it.
struct DatabaseURLTests {
    @Test(arguments: [
        ("postgresql://physio:s3cr%ZZet@127.0.0.1:5432/db", "s3cr%ZZet"),
        ("postgresql://physio:s3cret@[::1/db", "s3cret"),
        ("postgres://physio:s3cret@127.0.0.1:5432/db?sslmode=s3cretmode&password=s3cret", "s3cret"),
        ("postgresql://127.0.0.1:5432/db?password=s3cr%ZZet", "s3cr%ZZet"),
        ("host=127.0.0.1 password='s3 cret' port=notaport", "s3 cret"),
    ])
    func connectingWithAMalformedURLNeverShowsThePassword(url: String, password: String) {
        // Some are refused as they are parsed, the others (a bad sslmode or
        // port) only when connecting.
        if let problem = DatabaseURL.problem(url) {
            #expect(!problem.contains(password), "\(problem)")
            #expect(!problem.contains("s3cr"), "\(problem)")
        }
        do {
            _ = try DatabaseConnection(url: url)
            Issue.record("connected with \(url)")
        } catch {
            #expect(!String(describing: error).contains("s3cr"), "\(error)")
            #expect(String(describing: error).contains("cannot connect"))
        }
    }

    @Test func aWellFormedURLHasNoProblemAndItsPasswordIsScrubbedInAnyForm() {
        let url = "postgresql://physio:p%40ss@db.example:5432/physio"
        #expect(DatabaseURL.problem(url) == nil)
        #expect(DatabaseURL.scrub("raw p%40ss, decoded p@ss, in \(url)", url: url)
            == "raw ***, decoded ***, in postgresql://physio:***@db.example:5432/physio")
        #expect(DatabaseURL.scrub("nothing secret", url: "postgresql://physio@db.example/physio") == "nothing secret")
    }
}
