import PhysioCore
import PhysioHTTP
import PhysioPlatform

/// Page cursors are opaque to clients: base64url of a versioned case id.
enum Cursor {
    static func encode(_ caseID: String) -> String { Base64URL.encode(Array("c1:\(caseID)".utf8)) }

    static func decode(_ text: String) throws -> String {
        guard let bytes = Base64URL.decode(text), let decoded = String(validating: bytes, as: UTF8.self),
              decoded.hasPrefix("c1:"), CaseID.isValid(decoded.dropFirst(3))
        else { throw Problem.badRequest("cursor is not one this server issued; start again without it") }
        return String(decoded.dropFirst(3))
    }
}
