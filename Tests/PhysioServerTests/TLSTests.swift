import PhysioClient
import PhysioCore
import PhysioTestSupport
import Testing

/// HTTPS through libmicrohttpd's GnuTLS, spoken to by curl with a
/// self-signed certificate made by openssl for the test.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct TLSTests {
    /// A key and a certificate for localhost and 127.0.0.1 in a fresh directory.
    static func selfSigned() throws -> (directory: String, certificate: String, key: String) {
        let directory = String(try Shell.output("mktemp -d /tmp/physio-tls.XXXXXX").filter { $0 != "\n" })
        try Shell.run("""
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
              -subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
              -keyout '\(directory)/key.pem' -out '\(directory)/cert.pem'
            """)
        return (directory, try Shell.output("cat '\(directory)/cert.pem'"), try Shell.output("cat '\(directory)/key.pem'"))
    }

    @Test func curlIngestsAndReadsOverHTTPSAndPlainHTTPIsRefused() throws {
        let pem = try selfSignedOrFail()
        defer { _ = try? Shell.run("rm -rf '\(pem.directory)'") }
        let server = try TestServer {
            $0.http.tlsCertificatePEM = pem.certificate
            $0.http.tlsKeyPEM = pem.key
            $0.http.requestDeadlineSeconds = 1
        }
        let base = "https://localhost:\(server.port)"
        let curl = "curl -sS --fail-with-body --max-time 10 --cacert '\(pem.directory)/cert.pem'"

        let ingested = try Shell.output("""
            \(curl) -X POST \(base)/cases/tls-1/vitals -H 'Authorization: Bearer \(server.tokens["ingest"]!)' \
              -H 'Content-Type: application/json' \
              --data-binary '{"samples":[{"t":"2026-11-24T10:00:00Z","hr":72,"spo2":98},{"t":"2026-11-24T10:00:01Z","hr":73}]}'
            """)
        #expect(ingested.contains(#""accepted":2"#), "\(ingested)")
        let read = try Shell.output("\(curl) '\(base)/cases/tls-1/vitals' -H 'Authorization: Bearer \(server.tokens["read"]!)'")
        #expect(read.contains(#""hr":73"#), "\(read)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'tls-1'") == 2)
        // A token never seen, its body sent with the headers: looked up first, answered 401 over TLS too.
        let unknown = try Shell.output("""
            curl -sS --max-time 10 --cacert '\(pem.directory)/cert.pem' -o /dev/null -w '%{http_code}' -X POST \(base)/cases/tls-2/vitals \
              -H 'Authorization: Bearer phy_\(String(repeating: "Q", count: 43))' -H 'Content-Type: application/json' \
              --data-binary '{"samples":[{"t":"2026-11-24T10:00:00Z","hr":72}]}' || true
            """)
        #expect(unknown == "401", "\(unknown)")

        // Without the CA curl refuses the certificate; plain HTTP gets no answer.
        #expect(throws: ShellError.self) { try Shell.run("curl -sS --max-time 10 \(base)/healthz") }
        #expect(throws: ShellError.self) { try Shell.run("curl -sS --max-time 10 http://127.0.0.1:\(server.port)/healthz") }
        #expect(throws: (any Error).self) { try server.client().get("/healthz") }

        // TLS 1.2 and 1.3 only (GnuTLS's default also offered 1.0 and 1.1); browsers are told to keep to HTTPS.
        func handshake(_ version: String) throws -> String {
            try Shell.output("echo | openssl s_client -\(version) -connect 127.0.0.1:\(server.port) 2>&1 || true")
        }
        #expect(try handshake("tls1_2").contains("TLSv1.2"))
        for old in ["tls1", "tls1_1"] {
            let answer = try handshake(old)
            #expect(!answer.contains("Cipher is") || answer.contains("Cipher is (NONE)"), "\(old): \(answer.suffix(400))")
        }
        // In 1.2, AEAD ciphers with forward secrecy only: CBC with an HMAC-SHA1 is refused.
        func cipher(_ name: String) throws -> String {
            try Shell.output("echo | openssl s_client -tls1_2 -cipher \(name) -connect 127.0.0.1:\(server.port) 2>&1 || true")
        }
        #expect(try cipher("ECDHE-ECDSA-AES128-GCM-SHA256").contains("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"))
        #expect(try cipher("ECDHE-ECDSA-CHACHA20-POLY1305").contains("Cipher is ECDHE-ECDSA-CHACHA20-POLY1305"))
        for weak in ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256"] {
            let answer = try cipher(weak)
            #expect(!answer.contains("Cipher is") || answer.contains("Cipher is (NONE)"), "\(weak): \(answer.suffix(400))")
        }
        let headers = try Shell.output("\(curl) -D - -o /dev/null '\(base)/cases/tls-1' -H 'Authorization: Bearer \(server.tokens["read"]!)'")
        #expect(headers.contains("Strict-Transport-Security: max-age=31536000"), "\(headers)")
        #expect(headers.contains("Cache-Control: no-store") && headers.contains("X-Content-Type-Options: nosniff"), "\(headers)")

        // A handshake that never finishes is cut by the request deadline too.
        let stalled = try RawSocket(port: server.port)
        stalled.send([0x16, 0x03, 0x01])
        #expect(waitUntil(seconds: 4) { stalled.isClosedByPeer })
        #expect(try Shell.output("\(curl) \(base)/healthz").contains("ok"))
    }

    /// A key file others can read is said at start (and served: the operator decides).
    @Test func aKeyFileOthersCanReadIsWarnedOf() throws {
        let pem = try selfSignedOrFail()
        defer { _ = try? Shell.run("rm -rf '\(pem.directory)'") }
        let database = try TestDatabase.create()
        func serve(mode: String) throws -> String {
            try Shell.run("chmod \(mode) '\(pem.directory)/key.pem'")
            let server = try PhysioProcess(["serve", "--port", "0", "--workers", "0",
                                            "--tls-cert", "\(pem.directory)/cert.pem", "--tls-key", "\(pem.directory)/key.pem"],
                                           environment: ["PHYSIO_DATABASE_URL": database.url], logPath: "\(pem.directory)/serve-\(mode).log")
            _ = server.waitForLog("\"msg\":\"listening\"")
            #expect(server.terminate() == 0)
            return server.log
        }
        #expect(try serve(mode: "644").contains("the TLS key file can be read by users other than its owner"))
        #expect(try !serve(mode: "600").contains("the TLS key file"))
    }

    /// openssl and curl are test requirements (scripts/test installs them).
    private func selfSignedOrFail() throws -> (directory: String, certificate: String, key: String) {
        do { return try Self.selfSigned() } catch {
            Issue.record("openssl could not make a certificate (apt install openssl): \(error)")
            throw error
        }
    }
}
