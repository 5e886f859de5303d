import PhysioPlatform

/// An acknowledgement (ACK) answering a message, in original mode: MSA-1
/// AA, AE or AR (or CA, CE, CR for a commit acknowledgement), MSA-2 the
/// message's control id, and an ERR segment per problem. Written with the
/// message's own delimiters; ERR takes the layout of the message's
/// version (ERR-1 before v2.5, ERR-2 to ERR-4 and ERR-8 from v2.5 on).
public struct HL7Acknowledgement: Sendable {
    public enum Code: String, Sendable, CaseIterable {
        case accept = "AA", error = "AE", reject = "AR"
        case commitAccept = "CA", commitError = "CE", commitReject = "CR"
    }

    /// One ERR segment: where (segment, its sequence, field) and what
    /// (an HL7 table 0357 code, a severity, a sentence for people).
    public struct Problem: Error, Sendable, Equatable {
        public enum Severity: String, Sendable { case error = "E", warning = "W", information = "I" }
        public let segment: String
        public let sequence: Int
        public let field: Int
        public let code: Int
        public let severity: Severity
        public let text: String

        public init(segment: String, sequence: Int, field: Int, code: Int, severity: Severity = .error, text: String) {
            self.segment = segment
            self.sequence = sequence
            self.field = field
            self.code = code
            self.severity = severity
            self.text = text
        }

        /// HL7 table 0357's name for `code`.
        public var codeName: String {
            switch code {
            case 0: "Message accepted"
            case 100: "Segment sequence error"
            case 101: "Required field missing"
            case 102: "Data type error"
            case 103: "Table value not found"
            case 104: "Value too long"
            case 200: "Unsupported message type"
            case 201: "Unsupported event code"
            case 202: "Unsupported processing id"
            case 203: "Unsupported version id"
            case 205: "Duplicate key identifier"
            case 207: "Application internal error"
            default: "Error"
            }
        }
    }

    public let code: Code
    public let problems: [Problem]

    public init(code: Code, problems: [Problem] = []) {
        self.code = code
        self.problems = problems
    }

    /// The ACK's bytes (segments ended by CR, no MLLP framing). `message`
    /// nil: the input could not be read as a message; the answer then uses
    /// the standard delimiters and an empty MSA-2.
    public func encode(answering message: HL7Message?, controlID: String, now: Int64) -> [UInt8] {
        let encoding = message?.encoding ?? .standard
        let header = message?.header
        func raw(_ number: Int) -> [UInt8] { header.map { Array($0.field(number).raw) } ?? [] }
        let version = header.map { String(decoding: $0.field(12).component(1).raw, as: UTF8.self) } ?? ""
        let numericVersion = Self.versionNumber(version)
        let trigger = header.map { Array($0.field(9).component(2).raw) } ?? []

        var out: [UInt8] = []
        out.reserveCapacity(160 + problems.count * 120)
        let f = encoding.field, c = encoding.component
        // Text is UTF-8 only where the message declared it (MSH-18); HL7's
        // default is ASCII, and an 8859/1 engine would show UTF-8's "°" as "Â°".
        let utf8 = header.map { $0.field(18).component(1).text.uppercased() == "UNICODE UTF-8" } ?? false
        func text(_ value: String) -> [UInt8] {
            HL7Escapes.escape(Self.printable(utf8 ? value : Self.ascii(value)).utf8, encoding: encoding)
        }
        out += Array("MSH".utf8) + [f] + encoding.declaration + [f]
        let receivingApplication = raw(5)
        out += (receivingApplication.isEmpty ? Array("physio".utf8) : receivingApplication) + [f]
        out += raw(6) + [f] + raw(3) + [f] + raw(4) + [f]
        out += Array(Self.timestamp(now).utf8) + [f, f]
        // MSH-9.3, the message structure, exists from v2.3.1 on.
        out += Array("ACK".utf8) + (trigger.isEmpty ? [] : [c] + trigger) + (numericVersion >= 231 ? [c] + Array("ACK".utf8) : []) + [f]
        out += text(controlID) + [f]
        let processing = raw(11)
        out += (processing.isEmpty ? [0x50] : processing) + [f]
        out += version.isEmpty ? Array("2.6".utf8) : raw(12)
        if utf8 { out += [f, f, f, f, f, f] + Array("UNICODE UTF-8".utf8) }   // MSH-13…17 empty, MSH-18
        out.append(0x0D)

        out += Array("MSA".utf8) + [f] + Array(code.rawValue.utf8) + [f] + raw(10)
        // MSA-3 (text) is withdrawn in v2.7; before, engines show it.
        if let first = problems.first, numericVersion < 270 {
            out += [f] + text(Self.shortened(first.text, to: 80))
        }
        out.append(0x0D)

        func location(_ problem: Problem) -> [UInt8] {
            Array(problem.segment.utf8) + [c] + Array(String(problem.sequence).utf8)
                + (problem.field > 0 ? [c] + Array(String(problem.field).utf8) : [])
        }
        if numericVersion != 0 && numericVersion < 250 {
            // One ERR (an ACK has one before v2.5), ERR-1 repeated (ELD): segment^sequence^field^code&text&HL70357.
            if !listed.isEmpty {
                let s = encoding.subcomponent
                let elements = listed.map { problem in
                    location(problem) + (problem.field > 0 ? [] : [c]) + [c] + Array(String(problem.code).utf8) + [s]
                        + text(problem.codeName) + [s] + Array("HL70357".utf8)
                }
                out += Array("ERR".utf8) + [f] + Array(elements.joined(separator: [encoding.repetition])) + [0x0D]
            }
        } else {
            for problem in listed {
                // ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 user message.
                out += Array("ERR".utf8) + [f, f] + location(problem) + [f] + Array(String(problem.code).utf8) + [c] + text(problem.codeName) + [c]
                    + Array("HL70357".utf8) + [f] + Array(problem.severity.rawValue.utf8) + [f, f, f, f] + text(problem.text)
                out.append(0x0D)
            }
        }
        return out
    }

    /// `text` without control characters: a sender's escaped `\X1C\` quoted
    /// back raw would end the MLLP frame inside the ACK.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
    }

    /// `text` in ASCII: the few non-ASCII characters physio's sentences use
    /// spelled out, anything else (a sender's own bytes quoted back) as "?".
    static func ascii(_ text: String) -> String {
        guard !text.utf8.contains(where: { $0 >= 0x80 }) else {
            return text.unicodeScalars.map { scalar -> String in
                if scalar.isASCII { return String(scalar) }
                switch scalar {
                case "°": return "deg "
                case "–", "—", "−": return "-"
                case "×": return "x"
                case "…": return "..."
                case "≥": return ">="
                case "≤": return "<="
                case "‘", "’": return "'"
                case "“", "”": return "\""
                default: return "?"
                }
            }.joined()
        }
        return text
    }

    /// Most ERR segments an ACK carries: an engine shows them to people.
    public static let maxListed = 50

    /// The problems written: all, or the first `maxListed` − 1 and one
    /// saying how many more there were (none is left out unsaid).
    var listed: [Problem] {
        guard problems.count > Self.maxListed else { return problems }
        let shown = problems.prefix(Self.maxListed - 1)
        let rest = problems.dropFirst(Self.maxListed - 1)
        let severity: Problem.Severity = rest.contains { $0.severity == .error } ? .error : .warning
        return Array(shown) + [Problem(segment: "MSH", sequence: 1, field: 0, code: severity == .error ? 207 : 0, severity: severity,
            text: "\(rest.count) more problems not listed (\(rest.filter { $0.severity == .warning }.count) of them values not stored)")]
    }

    /// `text` within `limit` characters (MSA-3 is an ST of 80), cut at a word
    /// and marked "...": ERR carries the whole text.
    static func shortened(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        let head = text.prefix(limit - 3)
        let cut = head.lastIndex(of: " ").map { head[..<$0] } ?? head
        return String(cut) + "..."
    }

    /// "2.5.1" as 251, "2.3" as 230; 0 when not a version number.
    public static func versionNumber(_ version: String) -> Int {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let major = Int(parts[0]), let minor = Int(parts[1]),
              major < 10, minor < 10 else { return 0 }
        let patch = parts.count == 3 ? Int(parts[2]) ?? -1 : 0
        guard (0...9).contains(patch) else { return 0 }
        return major * 100 + minor * 10 + patch
    }

    /// YYYYMMDDHHMMSS.SSSS+0000 (HL7 DTM, UTC).
    static func timestamp(_ micros: Int64) -> String {
        let iso = Timestamp.format(micros, fixedMicros: true)  // 2026-11-24T10:00:00.123456Z
        let digits = iso.filter(\.isNumber)                     // 20261124100000123456
        return String(digits.prefix(14)) + "." + String(digits.dropFirst(14).prefix(4)) + "+0000"
    }
}
