import PhysioCore
import PhysioHTTP
import PhysioPlatform

/// Turns an ingest body (JSON `{"samples":[…]}` or NDJSON, one sample per
/// line) into a SampleBatch, or a Problem naming every bad sample and field.
/// One bad sample rejects the whole batch.
public struct SampleDecoder: Sendable {
    public static let mediaTypes = ["application/json", "application/x-ndjson"]
    public var maxSamples: Int
    /// Errors listed in one answer, at most.
    public var maxReportedErrors = 20

    public init(maxSamples: Int = 10_000) { self.maxSamples = maxSamples }

    public func decode(caseID: String, mediaType: String?, body: [UInt8]) throws -> SampleBatch {
        let batch = try readPlain(caseID: caseID, mediaType: mediaType, body: body) ?? decodeTree(caseID: caseID, mediaType: mediaType, body: body)
        try checkClock(batch)
        return batch
    }

    /// Samples stamped more than a day ahead of the server's clock (`ClockAhead`): the batch is refused naming them.
    private func checkClock(_ batch: SampleBatch) throws {
        let now = Clock.nowMicros()
        guard let latest = batch.timestamps.max(), ClockAhead.refusal(latest, now: now) != nil else { return }
        let errors = batch.timestamps.enumerated().compactMap { index, time in
            ClockAhead.refusal(time, now: now).map { Problem.FieldError(pointer: "/samples/\(index)/t", detail: "samples[\(index)].t: \($0)", sample: index, field: "t") }
        }
        throw unprocessable(errors)
    }

    /// The batch when PlainSampleReader can read the body, else nil.
    func readPlain(caseID: String, mediaType: String?, body: [UInt8]) -> SampleBatch? {
        body.withUnsafeBytes { raw in
            switch mediaType {
            case "application/json": PlainSampleReader.json(caseID: caseID, body: raw, maxSamples: maxSamples)
            case let type? where Self.ndjsonTypes.contains(type): PlainSampleReader.ndjson(caseID: caseID, body: raw, maxSamples: maxSamples)
            default: nil
            }
        }
    }

    /// Any body, through jansson's tree: the path that answers every error.
    func decodeTree(caseID: String, mediaType: String?, body: [UInt8]) throws -> SampleBatch {
        switch mediaType {
        case "application/json": return try decodeJSON(caseID: caseID, body: body)
        case let type? where Self.ndjsonTypes.contains(type): return try decodeNDJSON(caseID: caseID, body: body)
        default:
            let given = mediaType.map { "'\($0)'" } ?? "no Content-Type"
            throw Problem.unsupportedMediaType("samples must be sent as application/json or application/x-ndjson, not \(given)",
                                               accepted: Self.mediaTypes)
        }
    }

    private static let ndjsonTypes = ["application/x-ndjson", "application/ndjson", "application/jsonl"]

    private func decodeJSON(caseID: String, body: [UInt8]) throws -> SampleBatch {
        let document: JSONDocument
        switch JSONDocument.parse(body) {
        case .success(let parsed): document = parsed
        case .failure(let error):
            throw Problem.badRequest("malformed JSON at line \(error.line), column \(error.column): \(error.text)")
        }
        let root = document.value
        guard root.kind == .object else {
            throw Problem.unprocessable([.init(pointer: "", detail: #"the body must be an object {"samples": [...]}"#)])
        }
        var samples: JSONValue?
        var errors: [Problem.FieldError] = []
        root.forEachMember { key, value in
            if key.elementsEqual("samples".utf8) { samples = value } else {
                let name = String(decoding: key, as: UTF8.self)
                errors.append(.init(pointer: "/\(name)", detail: "unknown field '\(name)'; the body is {\"samples\": [...]}", field: name))
            }
        }
        guard errors.isEmpty else { throw unprocessable(errors) }
        guard let samples, samples.kind == .array else {
            throw Problem.unprocessable([.init(pointer: "/samples", detail: "'samples' must be an array of sample objects", field: "samples")])
        }
        try checkCount(samples.count)
        var batch = SampleBatch(caseID: caseID, reservingCapacity: samples.count)
        for index in 0..<samples.count {
            decodeSample(samples[index]!, index: index, into: &batch, errors: &errors)
            if errors.count >= maxReportedErrors { break }
        }
        guard errors.isEmpty else { throw unprocessable(errors) }
        return batch
    }

    private func decodeNDJSON(caseID: String, body: [UInt8]) throws -> SampleBatch {
        var batch = SampleBatch(caseID: caseID)
        var errors: [Problem.FieldError] = []
        var index = 0
        var lineNumber = 0
        try body.withUnsafeBytes { buffer in
            var start = 0
            while start < buffer.count {
                var end = start
                while end < buffer.count && buffer[end] != 0x0A { end += 1 }
                lineNumber += 1
                var lineEnd = end
                if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd])
                start = end + 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                switch JSONDocument.parse(line) {
                case .failure(let error):
                    throw Problem.badRequest("malformed NDJSON on line \(lineNumber), column \(error.column): \(error.text)")
                case .success(let document):
                    try checkCount(index + 1)
                    if errors.count < maxReportedErrors {
                        decodeSample(document.value, index: index, into: &batch, errors: &errors)
                    }
                    index += 1
                }
            }
        }
        guard errors.isEmpty else { throw unprocessable(errors) }
        return batch
    }

    /// At most `maxReportedErrors`: one sample can fail several fields at once,
    /// so the count checked between samples can overshoot.
    private func unprocessable(_ errors: [Problem.FieldError]) -> Problem {
        Problem.unprocessable(Array(errors.prefix(maxReportedErrors)))
    }

    private func checkCount(_ count: Int) throws {
        if count > maxSamples {
            throw Problem.payloadTooLarge("at most \(maxSamples) samples per request; split the batch")
        }
    }

    private func decodeSample(_ sample: JSONValue, index: Int, into batch: inout SampleBatch, errors: inout [Problem.FieldError]) {
        func fail(_ field: String?, _ detail: String) {
            let pointer = field.map { "/samples/\(index)/\($0)" } ?? "/samples/\(index)"
            let location = field.map { "samples[\(index)].\($0)" } ?? "samples[\(index)]"
            errors.append(.init(pointer: pointer, detail: "\(location): \(detail)", sample: index, field: field))
        }
        guard sample.kind == .object else { return fail(nil, "a sample must be an object") }
        var timestamp: Int64?
        var sawTime = false
        var values = [Float](repeating: .nan, count: Vital.count)
        var present = 0
        let errorsBefore = errors.count
        sample.forEachMember { key, value in
            guard let field = SampleField(key) else {
                let name = String(decoding: key, as: UTF8.self)
                return fail(name, "unknown field; expected t and any of \(Vital.allCases.map(\.name).joined(separator: ", "))")
            }
            switch field {
            case .time:
                sawTime = true
                if let seconds = value.number {
                    timestamp = SampleField.time(epochSeconds: seconds)
                    if timestamp == nil { fail("t", "\(seconds) is not a time between 1970 and 2200 in epoch seconds") }
                } else if value.kind == .string {
                    timestamp = value.withStringBytes { SampleField.time(rfc3339: $0) } ?? nil
                    if timestamp == nil { fail("t", "'\(value.string ?? "")' is not an RFC 3339 time such as 2026-11-24T10:00:00.250Z") }
                } else {
                    fail("t", "must be an RFC 3339 string or epoch seconds, not \(value.kind)")
                }
            case .vital(let vital):
                if value.kind == .null { return }
                guard let number = value.number else { return fail(vital.name, "must be a number or null, not \(value.kind)") }
                guard let reading = SampleField.reading(number, of: vital) else {
                    let range = vital.reportableRange
                    return fail(vital.name, "\(number) \(vital.unit) is outside the plausible range \(range.lowerBound.clean)–\(range.upperBound.clean)")
                }
                values[vital.rawValue] = reading
                present += 1
            }
        }
        if !sawTime { fail("t", "missing; every sample needs its time") }
        if present == 0 && errors.count == errorsBefore { fail(nil, "a sample needs at least one vital") }
        guard errors.count == errorsBefore, let timestamp else { return }
        let row = batch.appendRow(timestamp: timestamp)
        for vital in Vital.allCases where !values[vital.rawValue].isNaN {
            batch.set(vital, row: row, to: values[vital.rawValue])
        }
    }
}

/// A sample's field, recognised from its key bytes without making a String,
/// and what makes each field's value acceptable (shared by both readers).
enum SampleField {
    case time
    case vital(Vital)

    private static let vitalNames: [[UInt8]] = Vital.allCases.map { Array($0.name.utf8) }

    init?(_ key: UnsafeBufferPointer<UInt8>) {
        if key.count == 1 && key[0] == 0x74 { self = .time; return }
        for (index, name) in Self.vitalNames.enumerated() where key.elementsEqual(name) {
            self = .vital(Vital(rawValue: index)!)
            return
        }
        return nil
    }

    static func time(epochSeconds seconds: Double) -> Int64? { Timestamp.fromEpochSeconds(seconds) }

    static func time(rfc3339 text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let parsed = Timestamp.parseRFC3339(bytes: text), Timestamp.validRange.contains(parsed) else { return nil }
        return parsed
    }

    /// The stored value, or nil outside the vital's reportable range. Checked
    /// before rounding to Float: 350.00000000001 rounds to 350 but is out of range.
    static func reading(_ number: Double, of vital: Vital) -> Float? {
        let range = vital.reportableRange
        guard number >= Double(range.lowerBound), number <= Double(range.upperBound) else { return nil }
        return Float.stored(number)
    }
}

extension Float {
    /// 350.0 → "350", 36.5 → "36.5".
    var clean: String { self == rounded() ? String(Int(self)) : description }
}
