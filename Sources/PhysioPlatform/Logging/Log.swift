#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Structured logs: one JSON object per line on standard error.
/// Never pass a secret (a token, a password in a URL) as a field.
public enum Log {
    public enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error
        public var name: String { ["debug", "info", "warning", "error"][rawValue] }
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public init?(name: String) {
            switch name.lowercased() {
            case "debug": self = .debug
            case "info": self = .info
            case "warning", "warn": self = .warning
            case "error": self = .error
            default: return nil
            }
        }
    }

    public enum Value: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
        ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
        case string(String), int(Int), double(Double), bool(Bool)
        public init(stringLiteral value: String) { self = .string(value) }
        public init(integerLiteral value: Int) { self = .int(value) }
        public init(floatLiteral value: Double) { self = .double(value) }
        public init(booleanLiteral value: Bool) { self = .bool(value) }
    }

    nonisolated(unsafe) public static var minimumLevel: Level = {
        if let raw = getenv("PHYSIO_LOG_LEVEL"), let level = Level(name: String(cString: raw)) { return level }
        return .info
    }()

    public static func debug(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { write(.debug, message, fields) }
    public static func info(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { write(.info, message, fields) }
    public static func warning(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { write(.warning, message, fields) }
    public static func error(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { write(.error, message, fields) }

    public static func write(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, Value>) {
        guard level >= minimumLevel else { return }
        var json = JSONWriter(capacity: 160)
        json.beginObject()
        json.field("ts", Timestamp.format(Clock.nowMicros()))
        json.field("level", level.name)
        json.field("msg", message)
        for (name, value) in fields {
            json.key(name)
            switch value {
            case .string(let text): json.value(text)
            case .int(let number): json.value(number)
            case .double(let number): json.value(number)
            case .bool(let flag): json.value(flag)
            }
        }
        json.endObject()
        var line = json.bytes
        line.append(0x0A)
        line.withUnsafeBytes { buffer in _ = Glibc.write(2, buffer.baseAddress, buffer.count) }
    }
}
