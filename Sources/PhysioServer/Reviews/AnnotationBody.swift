import PhysioCore
import PhysioHTTP

/// The body of `POST …/annotate`: `{"verdict":"false_alarm","reason":"line_flush","note":"…"}`.
/// Every error is collected and named by its JSON pointer (422); unknown
/// members are errors too, so a misspelt `reason` is never dropped silently.
struct AnnotationBody {
    static let maxNoteCharacters = 2000
    /// As many as a problem lists (the contract's `errors` holds at most 20).
    static let maxErrors = 20

    let verdict: ReviewVerdict
    let reason: ReviewReason?
    /// nil when absent, null or empty.
    let note: String?

    init(_ request: Request) throws {
        let value = try Self.object(request, required: true)!
        var errors: [Problem.FieldError] = []
        var verdict: ReviewVerdict?
        var reason: ReviewReason?
        var note: String?
        var sawVerdict = false
        value.value.forEachMember { keyBytes, member in
            let key = String(decoding: keyBytes, as: UTF8.self)
            switch key {
            case "verdict":
                sawVerdict = true
                verdict = member.string.flatMap(ReviewVerdict.init(rawValue:))
                if verdict == nil {
                    errors.append(Self.error("/verdict", "verdict must be one of \(Self.list(ReviewVerdict.allCases))", field: key))
                }
            case "reason":
                guard member.kind != .null else { break }
                reason = member.string.flatMap(ReviewReason.init(rawValue:))
                if reason == nil {
                    errors.append(Self.error("/reason", "reason must be null or one of \(Self.list(ReviewReason.allCases))", field: key))
                }
            case "note":
                note = Self.note(member, errors: &errors)
            default:
                errors.append(Self.error("/" + Self.pointerEscaped(key), "unknown field '\(key.prefix(64))'; expected verdict, reason, note", field: key))
            }
        }
        if !sawVerdict { errors.insert(Self.error("/verdict", "verdict is required: one of \(Self.list(ReviewVerdict.allCases))", field: "verdict"), at: 0) }
        guard errors.isEmpty, let verdict else { throw Problem.unprocessable(Array(errors.prefix(Self.maxErrors))) }
        self.verdict = verdict
        self.reason = reason
        self.note = note
    }

    /// A body's free-text `note`: nil when null or empty; an error when not
    /// a string or longer than `maxNoteCharacters`. (jansson refuses
    /// \u0000 with 400, which PostgreSQL's text could not hold.)
    static func note(_ member: JSONValue, errors: inout [Problem.FieldError]) -> String? {
        guard member.kind != .null else { return nil }
        guard let text = member.string else {
            errors.append(error("/note", "note must be a string", field: "note"))
            return nil
        }
        if text.unicodeScalars.count > maxNoteCharacters {
            errors.append(error("/note", "note is longer than \(maxNoteCharacters) characters", field: "note"))
            return nil
        }
        return text.isEmpty ? nil : text
    }

    /// The body as a JSON object; nil for an empty body when not `required`.
    /// 415 for a body that is not JSON, 400 for malformed JSON, 422 for JSON that is not an object.
    static func object(_ request: Request, required: Bool) throws -> JSONDocument? {
        if request.body.isEmpty && !required { return nil }
        guard let type = request.mediaType, type == "application/json" || type.hasSuffix("+json") else {
            throw Problem.unsupportedMediaType("send the body as application/json", accepted: ["application/json"])
        }
        let document: JSONDocument
        switch JSONDocument.parse(request.body) {
        case .success(let parsed): document = parsed
        case .failure(let error): throw Problem.badRequest("malformed JSON at line \(error.line), column \(error.column): \(error.text)")
        }
        guard document.value.kind == .object else {
            throw Problem.unprocessable([error("", "the body must be a JSON object")])
        }
        return document
    }

    static func error(_ pointer: String, _ detail: String, field: String? = nil) -> Problem.FieldError {
        Problem.FieldError(pointer: pointer, detail: detail, field: field)
    }

    static func list<T: RawRepresentable>(_ values: [T]) -> String where T.RawValue == String {
        values.map(\.rawValue).joined(separator: ", ")
    }

    /// RFC 6901: `~` as `~0`, `/` as `~1`.
    static func pointerEscaped(_ key: String) -> String {
        var escaped = ""
        for character in key {
            switch character {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
