import ArgumentParser
import PhysioCore
import PhysioHL7
import PhysioServer

/// `physio serve`'s HL7 v2 over MLLP flags.
struct HL7Options: ParsableArguments {
    @Option(help: "Port for HL7 v2 ORU^R01 (IHE PCD-01) over MLLP; off when not given (env PHYSIO_HL7_PORT). TLS when --tls-cert is given.")
    var hl7Port: Int?
    @Option(name: .customLong("hl7-case-id"),
            help: "FIELD or FIELD=PREFIX naming the case: PV1-19 (visit number), PID-3 (patient id) or PV1-3 (bed); repeatable, first filled wins (env PHYSIO_HL7_CASE_ID, space-separated; default PV1-19).")
    var hl7CaseID = Environment.string("PHYSIO_HL7_CASE_ID", default: "PV1-19").split(separator: " ").map(String.init)
    @Option(help: "Zone of HL7 times sent without an offset (when MSH-7 has none either): an IANA name such as Europe/Berlin, UTC or +0100; unset: such times are refused (env PHYSIO_HL7_TIME_ZONE).")
    var hl7TimeZone = Environment.string("PHYSIO_HL7_TIME_ZONE", default: "")
    @Option(name: .customLong("hl7-allow"),
            help: "Address or network senders may connect from (10.1.0.0/16, 192.168.4.20, fd00::/8); repeatable; others are closed as accepted. Unset: every address (env PHYSIO_HL7_ALLOW, space-separated).")
    var hl7Allow = Environment.string("PHYSIO_HL7_ALLOW", default: "").split(separator: " ").map(String.init)
    @Option(name: .customLong("hl7-tls-client-ca"),
            help: "PEM file of the authorities that sign senders' certificates: over TLS, a sender must present one they signed (mutual TLS, IHE ATNA node authentication); needs --tls-cert (env PHYSIO_HL7_TLS_CLIENT_CA).")
    var hl7TLSClientCA: String?
    @Option(name: .customLong("hl7-client-cases"),
            help: "NAME=PATTERN[,PATTERN…]: a sender whose client certificate has common name NAME writes only those cases (ids, or prefixes ending in '*'); repeatable; others write every case; needs --hl7-tls-client-ca (env PHYSIO_HL7_CLIENT_CASES, space-separated).")
    var hl7ClientCases = Environment.string("PHYSIO_HL7_CLIENT_CASES", default: "").split(separator: " ").map(String.init)
    @Option(help: "MLLP threads, each with its own epoll loop (env PHYSIO_HL7_THREADS).")
    var hl7Threads = Environment.int("PHYSIO_HL7_THREADS", default: 2)
    @Option(help: "Most open MLLP connections (env PHYSIO_HL7_CONNECTION_LIMIT).")
    var hl7ConnectionLimit = Environment.int("PHYSIO_HL7_CONNECTION_LIMIT", default: 1024)
    @Option(help: "Seconds an MLLP connection may stay silent with nothing owed before it is closed (env PHYSIO_HL7_IDLE_TIMEOUT).")
    var hl7IdleTimeout = Environment.int("PHYSIO_HL7_IDLE_TIMEOUT", default: 600)
    @Option(help: "Seconds a message has, from its first byte, to arrive whole; else the connection is closed (env PHYSIO_HL7_MESSAGE_DEADLINE).")
    var hl7MessageDeadline = Environment.int("PHYSIO_HL7_MESSAGE_DEADLINE", default: 30)
    @Option(help: "Largest HL7 message in bytes; larger ones are refused with AR (env PHYSIO_HL7_MAX_MESSAGE_BYTES).")
    var hl7MaxMessageBytes = Environment.int("PHYSIO_HL7_MAX_MESSAGE_BYTES", default: 1 << 20)

    /// The flag, else the environment.
    var clientAuthoritiesPath: String? { hl7TLSClientCA ?? Environment.string("PHYSIO_HL7_TLS_CLIENT_CA") }

    /// The flag, else the environment (an Optional option cannot take a default).
    var port: Int? {
        if let hl7Port { return hl7Port }
        guard let text = Environment.string("PHYSIO_HL7_PORT") else { return nil }
        guard let value = Int(text) else { Environment.fail("PHYSIO_HL7_PORT=\(text) is not a whole number") }
        return value
    }

    func check(tls: Bool) throws {
        if let port { guard (0...65535).contains(port) else { throw ValidationError("--hl7-port must be 0…65535") } }
        if clientAuthoritiesPath != nil && !tls {
            throw ValidationError("--hl7-tls-client-ca checks senders' certificates over TLS: give --tls-cert and --tls-key too")
        }
        guard HL7SenderCases(parsing: hl7ClientCases) != nil else {
            throw ValidationError("--hl7-client-cases is NAME=PATTERN[,PATTERN…], each name once: \(CasePattern.usage)")
        }
        if !hl7ClientCases.isEmpty && clientAuthoritiesPath == nil {
            throw ValidationError("--hl7-client-cases binds client certificates: give --hl7-tls-client-ca (and --tls-cert, --tls-key) too")
        }
        guard HL7CaseRule(parsing: hl7CaseID) != nil else {
            throw ValidationError("--hl7-case-id is PV1-19, PID-3 or PV1-3, optionally =PREFIX (a valid start of a case id)")
        }
        guard HL7TimeZone(parsing: hl7TimeZone) != nil else {
            throw ValidationError("--hl7-time-zone must be an IANA zone name (Europe/Berlin), UTC or an offset such as +0100")
        }
        let unreadable = hl7Allow.filter { SenderNetwork(parsing: $0) == nil }
        guard unreadable.isEmpty else {
            throw ValidationError("--hl7-allow takes an IP address or network such as 10.1.0.0/16 or fd00::/8, not \(unreadable.joined(separator: ", "))")
        }
        guard hl7Threads >= 1, hl7ConnectionLimit >= 1, hl7IdleTimeout >= 0, hl7MessageDeadline >= 0, hl7MaxMessageBytes >= 1024 else {
            throw ValidationError("--hl7-threads and --hl7-connection-limit ≥ 1; --hl7-idle-timeout, --hl7-message-deadline ≥ 0; --hl7-max-message-bytes ≥ 1024")
        }
    }

    func configuration(bind: String, perClientConnectionLimit: Int) throws -> HL7Configuration? {
        guard let port else { return nil }
        var configuration = HL7Configuration()
        configuration.listener.bindAddress = bind
        configuration.listener.port = UInt16(port)
        configuration.listener.threads = hl7Threads
        configuration.listener.connectionLimit = hl7ConnectionLimit
        configuration.listener.perClientConnectionLimit = perClientConnectionLimit
        configuration.listener.allowedSenders = hl7Allow.compactMap(SenderNetwork.init(parsing:))
        configuration.listener.idleTimeoutSeconds = Double(hl7IdleTimeout)
        configuration.listener.messageDeadlineSeconds = Double(hl7MessageDeadline)
        configuration.listener.maxMessageBytes = hl7MaxMessageBytes
        if let path = clientAuthoritiesPath {
            let authorities = try readFile(path)
            guard authorities.contains("-----BEGIN CERTIFICATE-----") else {
                throw ValidationError("--hl7-tls-client-ca \(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
            }
            configuration.listener.tlsClientAuthoritiesPEM = authorities
        }
        configuration.senderCases = HL7SenderCases(parsing: hl7ClientCases)!
        configuration.caseRule = HL7CaseRule(parsing: hl7CaseID)!
        configuration.timeZone = HL7TimeZone(parsing: hl7TimeZone)!
        return configuration
    }
}
