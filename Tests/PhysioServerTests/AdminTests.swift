import PhysioClient
import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct AdminTests {
    @Test func deadLettersAreListedAndCanBeRetried() throws {
        let server = try TestServer()
        try server.database.connect().execute("""
            INSERT INTO inference_jobs (case_id, ts_from, ts_to, samples, state, attempts, last_error)
            VALUES ('dead', now(), now(), 1, 'failed', 10, 'boom'), ('alive', now(), now(), 1, 'available', 0, NULL)
            """)
        let client = server.client()
        let admin = [server.bearer("admin")]
        let failed = try client.get("/jobs?state=failed", headers: admin)
        #expect(failed.status == 200)
        #expect(failed.withJSON { $0["jobs"]?.count } == 1)
        #expect(failed.withJSON { $0["jobs"]?[0]?["last_error"]?.string } == "boom")
        let id = Int(failed.withJSON { $0["jobs"]?[0]?["id"]?.number } ?? 0)
        let aliveID = try server.database.scalar("SELECT id FROM inference_jobs WHERE case_id = 'alive'")!

        #expect(try client.send("POST", "/jobs/\(aliveID)/retry", headers: admin).status == 409)
        #expect(try client.send("POST", "/jobs/999999/retry", headers: admin).status == 404)
        #expect(try client.send("POST", "/jobs/abc/retry", headers: admin).status == 400)
        let retried = try client.send("POST", "/jobs/\(id)/retry", headers: admin)
        #expect(retried.status == 200)
        #expect(try server.database.scalar("SELECT state || '/' || attempts FROM inference_jobs WHERE id = \(id)") == "available/0")
        #expect(try client.get("/jobs", headers: admin).withJSON { $0["jobs"]?.count } == 0)
        #expect(try client.get("/jobs?state=done", headers: admin).status == 400)
    }

    @Test func modelsAreListedAndActivated() throws {
        let server = try TestServer()
        let first = try TestModels.register(on: server.database, seed: 1, name: "first")
        let second = try TestModels.register(on: server.database, seed: 2, name: "second")
        let client = server.client()
        let admin = [server.bearer("admin")]
        let list = try client.get("/models", headers: admin)
        #expect(list.status == 200)
        #expect(list.withJSON { $0["models"]?.count } == 2)
        #expect(list.withJSON { $0["models"]?[1]?["active"]?.bool } == true)
        #expect(list.withJSON { $0["models"]?[0]?["metadata"]?["sample_count"]?.number } == 1800)
        let activated = try client.send("POST", "/models/\(first)/activate", headers: admin)
        #expect(activated.status == 200)
        #expect(activated.withJSON { $0["active"]?.bool } == true)
        #expect(try server.database.scalar("SELECT id FROM models WHERE active") == String(first))
        #expect(try server.database.scalar("SELECT active FROM models WHERE id = \(second)") == "f")
        #expect(try client.send("POST", "/models/424242/activate", headers: admin).status == 404)
        #expect(try client.get("/models", headers: [server.bearer("read")]).status == 403)
    }

    /// A model of an earlier release's format is listed as one this release cannot read.
    @Test func aModelThisReleaseCannotReadIsListedSo() throws {
        let server = try TestServer()
        _ = try ModelStore().register(name: "format 1", body: Array(#"{"format_version":1,"forest":[]}"#.utf8), threshold: 0.5, featureNames: [],
                                      metadataJSON: "{}", activate: false, on: server.database.connect())
        _ = try TestModels.register(on: server.database, seed: 1, name: "current")
        let list = try server.client().get("/models", headers: [server.bearer("admin")])
        #expect(list.withJSON { $0["models"]?[0]?["format_version"]?.number } == 1)
        #expect(list.withJSON { $0["models"]?[0]?["readable"]?.bool } == false)
        #expect(list.withJSON { $0["models"]?[1]?["format_version"]?.number } == 2)
        #expect(list.withJSON { $0["models"]?[1]?["readable"]?.bool } == true)
    }
}
