import CJansson

/// A parsed JSON text (jansson). Values read from it are views that must
/// not outlive the document.
public final class JSONDocument {
    public struct ParseError: Error, Sendable {
        public let line: Int
        public let column: Int
        public let position: Int
        public let text: String
    }

    private let root: UnsafeMutablePointer<json_t>

    /// Parses one JSON value. Duplicate object keys are an error, integers
    /// read as doubles (no overflow), nesting is bounded by jansson (2048).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<JSONDocument, ParseError> {
        var error = json_error_t()
        let flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL
        let pointer = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) ?? UnsafePointer<CChar>(bitPattern: 1)!
        guard let root = json_loadb(pointer, bytes.count, Int(flags), &error) else {
            let text = withUnsafeBytes(of: &error.text) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            return .failure(ParseError(line: Int(error.line), column: Int(error.column), position: Int(error.position), text: text))
        }
        return .success(JSONDocument(root: root))
    }

    public static func parse(_ bytes: [UInt8]) -> Result<JSONDocument, ParseError> {
        bytes.withUnsafeBytes { parse($0) }
    }

    private init(root: UnsafeMutablePointer<json_t>) { self.root = root }
    deinit { physio_json_decref(root) }

    public var value: JSONValue { JSONValue(raw: root) }
}

/// A view of one value inside a JSONDocument.
public struct JSONValue {
    public enum Kind: Sendable {
        case object, array, string, number, bool, null
    }

    let raw: UnsafeMutablePointer<json_t>

    public var kind: Kind {
        switch physio_json_type(raw) {
        case JSON_OBJECT: .object
        case JSON_ARRAY: .array
        case JSON_STRING: .string
        case JSON_INTEGER, JSON_REAL: .number
        case JSON_TRUE, JSON_FALSE: .bool
        default: .null
        }
    }

    public var number: Double? { kind == .number ? json_number_value(raw) : nil }

    public var string: String? {
        guard kind == .string else { return nil }
        return String(cString: json_string_value(raw))
    }

    /// The UTF-8 bytes of a string value, without copying.
    public func withStringBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        guard kind == .string, let text = json_string_value(raw) else { return nil }
        let length = json_string_length(raw)
        return text.withMemoryRebound(to: UInt8.self, capacity: length) { body(UnsafeBufferPointer(start: $0, count: length)) }
    }

    public var bool: Bool? {
        switch physio_json_type(raw) {
        case JSON_TRUE: true
        case JSON_FALSE: false
        default: nil
        }
    }

    public var count: Int {
        switch kind {
        case .array: json_array_size(raw)
        case .object: json_object_size(raw)
        default: 0
        }
    }

    public subscript(index: Int) -> JSONValue? {
        guard kind == .array, let item = json_array_get(raw, index) else { return nil }
        return JSONValue(raw: item)
    }

    public subscript(key: String) -> JSONValue? {
        guard kind == .object, let item = json_object_get(raw, key) else { return nil }
        return JSONValue(raw: item)
    }

    /// Calls `body` with each member's key bytes and value, in document order.
    public func forEachMember(_ body: (UnsafeBufferPointer<UInt8>, JSONValue) throws -> Void) rethrows {
        guard kind == .object else { return }
        var iterator = json_object_iter(raw)
        while let current = iterator {
            let key = json_object_iter_key(current)!
            let length = json_object_iter_key_len(current)
            try key.withMemoryRebound(to: UInt8.self, capacity: length) {
                try body(UnsafeBufferPointer(start: $0, count: length), JSONValue(raw: json_object_iter_value(current)))
            }
            iterator = json_object_iter_next(raw, current)
        }
    }
}
