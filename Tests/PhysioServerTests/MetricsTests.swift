import PhysioClient
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct MetricsTests {
    @Test func prometheusTextCountsRequestsSamplesAndQueue() throws {
        let server = try TestServer()
        let client = server.client()
        #expect(try server.ingest("m-1", json: #"{"samples":[{"t":1795600000,"hr":70},{"t":1795600001,"hr":71}]}"#, client: client).status == 200)
        #expect(try server.ingest("m-1", json: #"{"samples":[{"t":1795600000,"hr":70}]}"#, client: client).status == 200)
        #expect(try server.ingest("m-1", json: #"{"samples":[{"t":"later","hr":70}]}"#, client: client).status == 422)
        #expect(try client.get("/metrics").status == 401)
        let response = try client.get("/metrics", headers: [server.bearer("read")])
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = response.text
        for line in [
            #"physio_ingest_samples_total{result="accepted"} 2"#,
            #"physio_ingest_samples_total{result="duplicate"} 1"#,
            "physio_ingest_rejected_requests_total 1",
            #"physio_http_requests_total{route="/cases/{case_id}/vitals",method="POST",status="200"} 2"#,
            #"physio_http_requests_total{route="/cases/{case_id}/vitals",method="POST",status="422"} 1"#,
            #"physio_queue_jobs{state="available"} 1"#,
            "physio_database_up 1",
            "# TYPE physio_http_request_duration_seconds histogram",
        ] {
            #expect(text.contains(line), "missing: \(line)")
        }
        #expect(text.contains(#"physio_http_request_duration_seconds_bucket{route="/cases/{case_id}/vitals",method="POST",le="+Inf"} 3"#))
        #expect(!text.contains(server.tokens["ingest"]!), "no secrets in metrics")
    }

    /// A scraper's token needs no patient data: `metrics` reads /metrics and
    /// nothing else; `read` still includes it.
    @Test func aMetricsTokenReadsMetricsAndNoPatientData() throws {
        let server = try TestServer()
        let client = server.client()
        #expect(try server.ingest("m-2", json: #"{"samples":[{"t":1795600000,"hr":70}]}"#, client: client).status == 200)
        #expect(try client.get("/metrics", headers: [server.bearer("metrics")]).status == 200)
        #expect(try client.get("/metrics", headers: [server.bearer("read")]).status == 200)
        for path in ["/cases", "/cases/m-2/vitals", "/exports/vitals", "/models"] {
            #expect(try client.get(path, headers: [server.bearer("metrics")]).status == 403, "\(path)")
        }
        #expect(try server.ingest("m-2", json: #"{"samples":[{"t":1795600001,"hr":70}]}"#, client: client).status == 200)
        let refused = try client.send("POST", "/cases/m-2/vitals", headers: [server.bearer("metrics"), ("Content-Type", "application/json")],
                                      body: Array(#"{"samples":[{"t":1795600002,"hr":70}]}"#.utf8))
        #expect(refused.status == 403)
    }

    /// Methods a client invents share one label: until 2026-12-07 each got
    /// series of its own, and 20,000 requests with invented methods, no token
    /// needed, grew a scrape to 753 MB and 34 s (an outside security audit).
    @Test func inventedMethodsShareOneLabel() throws {
        let server = try TestServer()
        for index in 0..<50 {
            let socket = try RawSocket(port: server.port)
            #expect(socket.send("INVENTED\(index) /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
            #expect(String(decoding: socket.readUntilClosed(seconds: 5), as: UTF8.self).hasPrefix("HTTP/1.1 4"))
        }
        let text = try server.client().get("/metrics", headers: [server.bearer("metrics")]).text
        #expect(!text.contains("INVENTED"))
        let other = text.split(separator: "\n").filter { $0.hasPrefix("physio_http_requests_total{") && $0.contains(#"method="other""#) }
        #expect(other.count == 1 && other.first?.hasSuffix(" 50") == true, "\(other)")
    }
}
