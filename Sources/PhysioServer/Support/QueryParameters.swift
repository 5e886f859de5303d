import PhysioCore
import PhysioHTTP
import PhysioPlatform

/// Reads and checks a request's query parameters; anything wrong is a 400
/// that names the parameter. Unknown parameters are refused too, so a typo
/// (`form=` for `from=`) is not silently ignored.
struct QueryParameters {
    /// A parameter's decoded value (the first, if repeated), nil when absent.
    let lookup: (String) -> String?

    init(_ request: Request, allowed: Set<String>) throws {
        try self.init(names: request.queryNames, lookup: request.query, allowed: allowed)
    }

    /// From names and values already split and decoded (libmicrohttpd does
    /// that for requests; the fuzzer feeds its own).
    init(names: [String], lookup: @escaping (String) -> String?, allowed: Set<String>) throws {
        self.lookup = lookup
        for name in names where !allowed.contains(name) {
            let known = allowed.sorted().joined(separator: ", ")
            throw Problem.badRequest("unknown query parameter '\(name.prefix(64))'; this route takes \(known.isEmpty ? "none" : known)")
        }
    }

    func string(_ name: String) -> String? {
        guard let value = lookup(name), !value.isEmpty else { return nil }
        return value
    }

    /// RFC 3339 or epoch seconds.
    func time(_ name: String) throws -> Int64? {
        guard let text = string(name) else { return nil }
        if let seconds = Double(text), let micros = Timestamp.fromEpochSeconds(seconds) { return micros }
        if let micros = Timestamp.parseRFC3339(text), Timestamp.validRange.contains(micros) { return micros }
        throw Problem.badRequest("\(name)='\(text.prefix(64))' is not a time: use RFC 3339 (2026-11-24T10:00:00Z) or epoch seconds")
    }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.badRequest("\(name)='\(text.prefix(32))' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func double(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw Problem.badRequest("\(name)='\(text.prefix(32))' must be a number")
        }
        return value
    }

    func choice(_ name: String, of choices: [String], default fallback: String) throws -> String {
        guard let text = string(name) else { return fallback }
        guard choices.contains(text) else {
            throw Problem.badRequest("\(name)='\(text.prefix(32))' must be one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    /// `from` and `to`, checked to be in order.
    func timeRange() throws -> (from: Int64?, to: Int64?) {
        let from = try time("from"), to = try time("to")
        if let from, let to, from > to {
            throw Problem.badRequest("from (\(Timestamp.format(from))) is after to (\(Timestamp.format(to)))")
        }
        return (from, to)
    }
}
