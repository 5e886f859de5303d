// libFuzzer entry for request parsing and validation, built by scripts/fuzz
// with the server sources it drives (not a SwiftPM target: `-sanitize=fuzzer`
// needs its own build of them). The first input byte picks the parser, the
// rest is what a client would send. A crash, or a broken invariant below
// (a trap), is a finding.
import CJansson
import PhysioCore
import PhysioHTTP
import PhysioPlatform

@_cdecl("LLVMFuzzerTestOneInput")
public func physioFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 8 {
    case 0: FuzzTargets.samples(body, mediaType: "application/json")
    case 1: FuzzTargets.samples(body, mediaType: "application/x-ndjson")
    case 2: FuzzTargets.bundle(body)
    case 3: FuzzTargets.query(body)
    case 4: FuzzTargets.time(body)
    case 5: FuzzTargets.cursors(body)
    case 6: FuzzTargets.mllp(body)
    default: FuzzTargets.er7(body)
    }
    return 0
}

enum FuzzTargets {
    static let decoder = SampleDecoder(maxSamples: 50)

    /// Every answer is JSON a client can parse (NUL allowed: a query
    /// argument may carry %00, and the detail quotes it escaped).
    static func checkAnswer(_ response: Response, statuses: ClosedRange<Int>) {
        precondition(statuses.contains(response.status), "status \(response.status)")
        guard case .bytes(let bytes) = response.body else { preconditionFailure("not a byte body") }
        let parsed = bytes.withUnsafeBytes { raw -> Bool in
            var error = json_error_t()
            let text = raw.baseAddress?.assumingMemoryBound(to: CChar.self) ?? UnsafePointer<CChar>(bitPattern: 1)!
            guard let root = json_loadb(text, raw.count, Int(JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES), &error) else { return false }
            physio_json_decref(root)
            return true
        }
        precondition(parsed, "the answer is not JSON")
    }

    static func samples(_ body: [UInt8], mediaType: String) {
        // The plain reader accepts only what jansson's path accepts, with the same rows.
        if let plain = decoder.readPlain(caseID: "fuzz", mediaType: mediaType, body: body) {
            let tree = try? decoder.decodeTree(caseID: "fuzz", mediaType: mediaType, body: body)
            precondition(tree.map { sameRows(plain, $0) } == true, "the plain reader disagrees with jansson's path")
        }
        do {
            let batch = try decoder.decode(caseID: "fuzz", mediaType: mediaType, body: body)
            precondition(batch.count <= decoder.maxSamples)
            for row in 0..<batch.count {
                precondition(Timestamp.validRange.contains(batch.timestamps[row]))
                var present = 0
                for vital in Vital.allCases {
                    guard let value = batch.value(vital, row: row) else { continue }
                    precondition(vital.reportableRange.contains(value), "\(vital) \(value)")
                    present += 1
                }
                precondition(present > 0, "a sample without vitals")
            }
        } catch let problem as Problem {
            precondition(problem.errors.count <= decoder.maxReportedErrors)
            checkAnswer(problem.response, statuses: 400...499)
        } catch {
            preconditionFailure("not a Problem: \(error)")
        }
    }

    static func sameRows(_ a: SampleBatch, _ b: SampleBatch) -> Bool {
        a.timestamps == b.timestamps && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
    }

    static func bundle(_ body: [UInt8]) {
        do {
            let result = try BundleDecoder().decode(body)
            // One row per Observation read, and each such entry names its own row.
            var rows = Set<[Int]>()
            for outcome in result.outcomes {
                guard case .sample(let batch, let row, let paths, _) = outcome else { continue }
                precondition(row < result.batches[batch].count && !paths.isEmpty)
                precondition(rows.insert([batch, row]).inserted)
            }
            precondition(result.batches.reduce(0) { $0 + $1.count } == rows.count)
            for batch in result.batches {
                precondition(CaseID.isValid(batch.caseID))
                precondition(batch.timestamps.allSatisfy(Timestamp.validRange.contains))
            }
            if !result.issues.isEmpty {
                checkAnswer(OperationOutcome(issues: result.issues).response(status: 422), statuses: 422...422)
            }
        } catch let problem as FHIRProblem {
            checkAnswer(problem.response, statuses: 400...499)
        } catch {
            preconditionFailure("not an OperationOutcome: \(error)")
        }
    }

    /// `a=b&c=d` as libmicrohttpd hands it over (split, decoded), through
    /// what every read route does with its parameters.
    static func query(_ body: [UInt8]) {
        let pairs = String(decoding: body, as: UTF8.self).split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        let lookup: (String) -> String? = { name in pairs.first { $0.0 == name }?.1 }
        let allowed: Set<String> = ["from", "to", "bucket", "limit", "cursor", "min_score", "format", "state", "after"]
        do {
            let query = try QueryParameters(names: pairs.map(\.0), lookup: lookup, allowed: allowed)
            let range = try query.timeRange()
            if let from = range.from, let to = range.to { precondition(from <= to) }
            _ = try query.int("limit", default: 100, range: 1...1000)
            _ = try query.double("min_score")
            _ = try query.choice("bucket", of: ["raw", "1m", "1h"], default: "raw")
            if let cursor = query.string("cursor") {
                let caseID = try Cursor.decode(cursor)
                let again = try Cursor.decode(Cursor.encode(caseID))
                precondition(again == caseID)
            }
        } catch let problem as Problem {
            checkAnswer(problem.response, statuses: 400...400)
        } catch {
            preconditionFailure("not a Problem: \(error)")
        }
    }

    /// RFC 3339 parses back from its own formatting; epoch seconds stay in range.
    static func time(_ body: [UInt8]) {
        if let micros = body.withUnsafeBufferPointer({ Timestamp.parseRFC3339(bytes: $0) }),
           Timestamp.validRange.contains(micros) {
            precondition(Timestamp.parseRFC3339(Timestamp.format(micros)) == micros)
            precondition(Timestamp.parseRFC3339(Timestamp.format(micros, fixedMicros: true)) == micros)
        }
        if let seconds = Double(String(decoding: body, as: UTF8.self)), let micros = Timestamp.fromEpochSeconds(seconds) {
            precondition(Timestamp.validRange.contains(micros))
        }
    }

    /// Last-Event-ID: a cursor the stream can step back from without overflow.
    static func cursors(_ body: [UInt8]) {
        let text = String(decoding: body, as: UTF8.self)
        if let cursor = StreamCursor(text) {
            let window: Int64 = 30_000_000
            for value in [cursor.samples, cursor.scores, cursor.episodes, cursor.reviews] {
                precondition(!value.subtractingReportingOverflow(window).overflow)
            }
            precondition(StreamCursor(cursor.text).map { $0.text == cursor.text } == true)
        }
        _ = Base64URL.decode(text).map(Base64URL.encode)
    }
}
