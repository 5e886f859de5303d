import PhysioHL7
import PhysioPlatform
import PhysioServer
import PhysioStore
import PhysioTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The MLLP listener's bounds: senders that trickle, flood, or send too
/// much cannot hold it, and others are served meanwhile.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct HL7ListenerTests {
    typealias M = HL7Messages

    @Test func aMessageTrickledPastTheDeadlineLosesItsConnectionWhileOthersAreServed() throws {
        let server = try HL7IngestTests.server { hl7 in hl7.listener.messageDeadlineSeconds = 1 }
        let slow = try server.mllp()
        let message = MLLPFramer.frame(Array(M.oru(id: "slow", observations: [M.obx(1, M.hr, "72", M.bpm)]).utf8))
        let started = Clock.monotonicNanos()
        var closed = false
        for (index, byte) in message.prefix(message.count - 2).enumerated() {
            guard slow.socket.send([byte]) else { closed = true; break }
            // Another sender is answered at once while the first one drips.
            if index == 20 {
                #expect(try server.mllp().exchange(M.oru(id: "fast", visit: "op-2", observations: [M.obx(1, M.hr, "70", M.bpm)]), seconds: 5)?.acknowledgement?.code == "AA")
            }
            Clock.sleep(seconds: 0.02)
            if slow.socket.isClosedByPeer { closed = true; break }
        }
        let seconds = Double(Clock.monotonicNanos() - started) / 1e9
        #expect(closed, "the connection was not closed")
        #expect(seconds < 4, "closed after \(seconds) s")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-1'") == 0)
        let metrics = try server.client().send("GET", "/metrics", headers: [server.bearer("read")]).text
        #expect(metrics.contains("physio_hl7_message_deadline_closed_total 1"))
    }

    @Test func connectionsOverTheLimitAreClosedAsTheyAreAccepted() throws {
        let server = try HL7IngestTests.server { hl7 in hl7.listener.connectionLimit = 3 }
        let open = try (0..<3).map { _ in try server.mllp() }
        for client in open { #expect(client.exchange(M.oru(id: UUIDish.next(), observations: [M.obx(1, M.hr, "72", M.bpm)]))?.acknowledgement?.code == "AA") }
        let extra = try server.mllp()
        #expect(extra.receive(seconds: 2) == nil)
        #expect(extra.socket.isClosedByPeer)
        // One closes: the next is let in.
        _ = open.first.map { shutdown($0.socket.descriptor, Int32(SHUT_RDWR)) }
        #expect(try waitUntil(seconds: 5) { try server.database.count("SELECT 1") == 1 && server.server.metrics.registry.render().contains("physio_hl7_connections 2") })
        #expect(try server.mllp().exchange(M.oru(id: "after", observations: [M.obx(1, M.hr, "72", M.bpm)]))?.acknowledgement?.code == "AA")
        #expect(server.server.metrics.registry.render().contains("physio_hl7_connections_refused_total 1"))
    }

    @Test func sendersOutsideTheAllowedNetworksAreClosedAsTheyAreAccepted() throws {
        let closed = try HL7IngestTests.server { hl7 in hl7.listener.allowedSenders = [SenderNetwork(parsing: "10.0.0.0/8")!] }
        let outsider = try closed.mllp()
        #expect(outsider.exchange(M.oru(id: "outsider", observations: [M.obx(1, M.hr, "72", M.bpm)]), seconds: 2) == nil)
        #expect(outsider.socket.isClosedByPeer)
        #expect(try closed.database.count("SELECT count(*) FROM vitals") == 0)
        #expect(closed.server.metrics.registry.render().contains("physio_hl7_connections_not_allowed_total 1"))

        let open = try HL7IngestTests.server { hl7 in
            hl7.listener.allowedSenders = [SenderNetwork(parsing: "10.0.0.0/8")!, SenderNetwork(parsing: "127.0.0.1")!]
        }
        #expect(try open.mllp().exchange(M.oru(id: "insider", observations: [M.obx(1, M.hr, "72", M.bpm)]))?.acknowledgement?.code == "AA")
    }

    @Test func anOversizedMessageIsRefusedARAndTheConnectionGoesOn() throws {
        let server = try HL7IngestTests.server { hl7 in hl7.listener.maxMessageBytes = 4096 }
        let client = try server.mllp()
        let big = M.oru(id: "big", observations: (1...200).map { M.obx($0, M.hr, "72", M.bpm) })
        let ack = try #require(client.exchange(big))
        #expect(ack.acknowledgement?.code == "AR")
        #expect(ack.acknowledgement?.controlID == "big")
        #expect(ack.errors.first?.code == "104")
        #expect(client.exchange(M.oru(id: "small", observations: [M.obx(1, M.hr, "72", M.bpm)]))?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 1)
    }

    @Test func aSenderThatAsksForNoAcknowledgementGetsNone() throws {
        let server = try HL7IngestTests.server()
        let client = try server.mllp()
        // Enhanced mode: MSH-15 NE, MSH-16 NE.
        client.send(M.oru(id: "quiet", observations: [M.obx(1, M.hr, "72", M.bpm)], headerExtra: [15: "NE", 16: "NE"]))
        // MSH-16 ER: answered only on error; this one is fine.
        client.send(M.oru(id: "quiet-2", time: "20261124100001+0000", observations: [M.obx(1, M.hr, "73", M.bpm)], headerExtra: [15: "NE", 16: "ER"]))
        let ack = try #require(client.exchange(M.oru(id: "loud", time: "20261124100002+0000", observations: [M.obx(1, M.hr, "74", M.bpm)])))
        #expect(ack.acknowledgement?.controlID == "loud")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 3)
    }
}

/// Distinct control ids for tests.
enum UUIDish {
    nonisolated(unsafe) private static var counter = 0
    private static let lock = Lock()
    static func next() -> String { lock.withLock { counter += 1; return "id-\(counter)" } }
}

/// MLLP over TLS with the HTTP port's certificate (GnuTLS), spoken to by
/// Python's ssl module; a plain sender and a stalled handshake are refused.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct HL7TLSTests {
    @Test func messagesOverTLSAreAcknowledgedAndPlainOnesAreNot() throws {
        let pem = try TLSTests.selfSigned()
        defer { _ = try? Shell.run("rm -rf '\(pem.directory)'") }
        let server = try TestServer { configuration in
            configuration.http.tlsCertificatePEM = pem.certificate
            configuration.http.tlsKeyPEM = pem.key
            var hl7 = HL7Configuration()
            hl7.listener.port = 0
            hl7.listener.messageDeadlineSeconds = 1
            configuration.hl7 = hl7
        }
        let message = HL7Messages.oru(id: "tls-1", observations: [HL7Messages.obx(1, HL7Messages.hr, "72", HL7Messages.bpm)])
        let script = """
            import socket, ssl, sys
            context = ssl.create_default_context(cafile=sys.argv[2])
            with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(b"\\x0b" + sys.argv[3].replace("\\n", "\\r").encode() + b"\\x1c\\r")
                    answer = b""
                    while not answer.endswith(b"\\x1c\\r"):
                        chunk = tls.recv(4096)
                        if not chunk: break
                        answer += chunk
            print([s for s in answer.decode().strip("\\x0b\\x1c\\r").split("\\r") if s.startswith("MSA")][0])
            """
        let path = pem.directory + "/client.py"
        try Shell.run("cat > '\(path)' <<'PY'\n\(script)\nPY")
        let output = try Shell.output("python3 '\(path)' \(server.hl7Port) '\(pem.directory)/cert.pem' '\(message.split(separator: "\r").joined(separator: "\n"))' 2>&1 || true")
        #expect(output.contains("MSA|AA|tls-1"), "\(output)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 72") == 1)

        // A plain sender gets no acknowledgement; a handshake that stalls is cut by the deadline.
        let plain = try server.mllp()
        #expect(plain.exchange(message, seconds: 2) == nil)
        let stalled = try RawSocket(port: server.hl7Port)
        stalled.send([0x16, 0x03, 0x01])
        #expect(waitUntil(seconds: 4) { stalled.isClosedByPeer })
    }

    /// `serve --hl7-tls-client-ca`: only a sender presenting a certificate
    /// that authority signed is served; one with none or with a certificate
    /// of its own making fails the handshake, and nothing it sent is stored.
    @Test func aClientAuthorityAdmitsOnlyTheSendersItSigned() throws {
        let pem = try TLSTests.selfSigned()
        let dir = pem.directory
        defer { _ = try? Shell.run("rm -rf '\(dir)'") }
        try Shell.run("""
            cd '\(dir)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=monitors-ca \\
              -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign -keyout ca.key -out ca.pem
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=gateway-or7 -keyout gw.key -out gw.csr
            printf 'extendedKeyUsage=clientAuth\\n' > gw.ext
            openssl x509 -req -in gw.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile gw.ext -out gw.pem
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=gateway-or7 \\
              -keyout rogue.key -out rogue.pem
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=web-server -keyout web.key -out web.csr
            printf 'extendedKeyUsage=serverAuth\\n' > web.ext
            openssl x509 -req -in web.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile web.ext -out web.pem
            """)
        let database = try TestDatabase.create()
        let server = try PhysioProcess(["serve", "--port", "0", "--hl7-port", "0", "--workers", "0", "--tls-cert", "\(dir)/cert.pem",
                                        "--tls-key", "\(dir)/key.pem", "--hl7-tls-client-ca", "\(dir)/ca.pem", "--hl7-message-deadline", "2",
                                        "--hl7-client-cases", "gateway-or7=mtls-1,or7-*"],
                                       environment: ["PHYSIO_DATABASE_URL": database.url], logPath: "\(dir)/serve.log")
        defer { _ = server.terminate() }
        let hl7Port = try #require(server.waitForLog("listening for HL7").flatMap { PhysioProcess.field("port", in: $0) }, "\(server.log)")
        let httpPort = try #require(server.waitForLog(#""msg":"listening""#).flatMap { PhysioProcess.field("port", in: $0) }, "\(server.log)")
        #expect(server.log.contains(#""client_certificates":true"#), "\(server.log)")
        let script = """
            import socket, ssl, sys
            port, cafile, certificate, message = sys.argv[1:5]
            context = ssl.create_default_context(cafile=cafile)
            if certificate != "none":
                context.load_cert_chain(certificate + ".pem", certificate + ".key")
            try:
                with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as raw:
                    with context.wrap_socket(raw, server_hostname="localhost") as tls:
                        tls.sendall(b"\\x0b" + message.replace("\\n", "\\r").encode() + b"\\x1c\\r")
                        answer = b""
                        while not answer.endswith(b"\\x1c\\r"):
                            chunk = tls.recv(4096)
                            if not chunk: break
                            answer += chunk
                print([s for s in answer.decode().strip("\\x0b\\x1c\\r").split("\\r") if s.startswith("MSA")] or "no answer")
            except (ssl.SSLError, OSError) as error:
                print("refused:", type(error).__name__)
            """
        try Shell.run("cat > '\(dir)/client.py' <<'PY'\n\(script)\nPY")
        func send(_ id: String, hr: String, as certificate: String) throws -> String {
            let message = HL7Messages.oru(id: id, visit: id, observations: [HL7Messages.obx(1, HL7Messages.hr, hr, HL7Messages.bpm)])
            let text = message.split(separator: "\r").joined(separator: "\n")
            return try Shell.output("python3 '\(dir)/client.py' \(hl7Port) '\(dir)/cert.pem' '\(certificate)' '\(text)' 2>&1 || true")
        }
        let signed = try send("mtls-1", hr: "71", as: "\(dir)/gw")
        #expect(signed.contains("MSA|AA|mtls-1"), "\(signed)")
        // No certificate, one of its own making, one the authority signed for a server's use only.
        for (id, certificate) in [("mtls-2", "none"), ("mtls-3", "\(dir)/rogue"), ("mtls-4", "\(dir)/web")] {
            let refused = try send(id, hr: "99", as: certificate)
            #expect(!refused.contains("MSA|"), "\(certificate): \(refused)")
        }
        #expect(try database.count("SELECT count(*) FROM vitals WHERE case_id = 'mtls-1'") == 1)
        #expect(try database.count("SELECT count(*) FROM vitals WHERE case_id IN ('mtls-2', 'mtls-3', 'mtls-4')") == 0)
        // The gateway's certificate is bound to its theatre's cases (--hl7-client-cases): another case is AR, nothing stored.
        #expect(try send("or7-a", hr: "72", as: "\(dir)/gw").contains("MSA|AA|or7-a"))
        let elsewhere = try send("or9-a", hr: "73", as: "\(dir)/gw")
        #expect(elsewhere.contains("MSA|AR|or9-a") && elsewhere.contains("may write only cases mtls-1, or7-*"), "\(elsewhere)")
        #expect(try database.count("SELECT count(*) FROM vitals WHERE case_id = 'or9-a'") == 0)
        let token = try TokenStore().create(name: "mtls-metrics", scopes: ["read"], on: database.connect()).token
        let metrics = try Shell.output("curl -sS --max-time 10 --cacert '\(dir)/cert.pem' -H 'Authorization: Bearer \(token)' https://localhost:\(httpPort)/metrics")
        let failures = metrics.split(separator: "\n")
            .first { $0.hasPrefix("physio_hl7_tls_handshake_failures_total ") }
        #expect(failures.flatMap { Double($0.split(separator: " ").last ?? "") }.map { $0 >= 3 } == true, "\(failures ?? "")")
        // The log names the gateway that connected and why the others were refused.
        #expect(server.log.contains("HL7 sender's certificate accepted") && server.log.contains("CN=gateway-or7"), "\(server.log)")
        #expect(server.log.contains("HL7 TLS handshake refused"), "\(server.log)")
        #expect(server.log.contains("NOT trusted"), "the rogue's reason, from the verification: \(server.log)")
        #expect(server.log.contains("the sender presented no certificate"), "\(server.log)")
    }
}
