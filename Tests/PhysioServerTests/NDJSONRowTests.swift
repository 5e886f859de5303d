import PhysioHTTP
@testable import PhysioServer
import Testing

struct NDJSONRowTests {
    let vitals = NDJSONRow([("case_id", .string), ("t", .time), ("hr", .number), ("sbp", .number), ("temp", .number)])
    let scores = NDJSONRow([("case_id", .string), ("t", .time), ("anomalous", .boolean), ("rules", .list), ("model_id", .number)])

    func line(_ rewriter: NDJSONRow, _ row: String) -> String? {
        var out: [UInt8] = Array("kept".utf8)
        let ok = Array(row.utf8).withUnsafeBufferPointer { rewriter.append($0, to: &out) }
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix("kept"))
        if !ok { #expect(text == "kept", "a refused row must append nothing") }
        return ok ? String(text.dropFirst(4)) : nil
    }

    @Test func nullsTimesAndNumbers() {
        #expect(line(vitals, "or-7,2026-11-24 10:00:00.25+00,72,,36.4\n")
                == #"{"case_id":"or-7","t":"2026-11-24T10:00:00.250000Z","hr":72,"sbp":null,"temp":36.4}"# + "\n")
        #expect(line(vitals, "or-7,2026-11-24 10:00:01+00,-0.5,1e+20,NaN\n")
                == #"{"case_id":"or-7","t":"2026-11-24T10:00:01.000000Z","hr":-0.5,"sbp":1e+20,"temp":"NaN"}"# + "\n")
    }

    @Test func quotedFieldsListsAndBooleans() {
        #expect(line(scores, "\"a,\"\"b\"\"\",2026-11-24 10:00:00+00,true,\"\",3\n")
                == #"{"case_id":"a,\"b\"","t":"2026-11-24T10:00:00.000000Z","anomalous":true,"rules":[],"model_id":3}"# + "\n")
        #expect(line(scores, "c\\d,2026-11-24 10:00:00+00,false,hr_gt_140;spo2_lt_90,3\n")
                == #"{"case_id":"c\\d","t":"2026-11-24T10:00:00.000000Z","anomalous":false,"rules":["hr_gt_140","spo2_lt_90"],"model_id":3}"# + "\n")
        #expect(line(scores, "\"x\u{1}\ny\",2026-11-24 10:00:00+00,,,3\n")
                == #"{"case_id":"x\u0001\u000ay","t":"2026-11-24T10:00:00.000000Z","anomalous":null,"rules":null,"model_id":3}"# + "\n")
    }

    /// Every line parses as JSON with the values of the row.
    @Test func linesParseAsJSON() throws {
        let text = try #require(line(scores, "\"q\"\"\",2026-11-24 10:00:00.123456+00,true,hr_gt_140,12\n"))
        let parsed = try JSONDocument.parse(Array(text.utf8)).get()
        #expect(parsed.value["case_id"]?.string == "q\"")
        #expect(parsed.value["t"]?.string == "2026-11-24T10:00:00.123456Z")
        #expect(parsed.value["rules"]?.kind == .array)
        #expect(parsed.value["model_id"]?.number == 12)
    }

    @Test(arguments: [
        "or-7,2026-11-24 10:00:00+00,72,80\n",         // a field short
        "or-7,2026-11-24 10:00:00+00,72,80,36,1\n",    // a field over
        "\"or-7,2026-11-24 10:00:00+00,72,80,36\n",    // quote never closed
        "\"or\"7,2026-11-24 10:00:00+00,72,80,36\n",   // text after a closing quote
    ])
    func rowsOfAnotherShapeAreRefused(row: String) {
        #expect(line(vitals, row) == nil)
    }

    @Test func jsonNumberGrammar() {
        for good in ["0", "-0", "72", "36.4", "1e+20", "1.5e-05", "1E5", "-12.25"] {
            #expect(Array(good.utf8).withUnsafeBufferPointer { NDJSONRow.isJSONNumber($0) }, "\(good)")
        }
        for bad in ["", "-", "NaN", "Infinity", "-Infinity", "01", "1.", ".5", "1e", "1e+", "+1", "1 "] {
            #expect(!Array(bad.utf8).withUnsafeBufferPointer { NDJSONRow.isJSONNumber($0) }, "\(bad)")
        }
    }
}
