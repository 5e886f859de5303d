import PhysioCore
import PhysioHTTP
@testable import PhysioServer
import Testing

/// The plain reader must read the common bodies itself and, for any body,
/// give exactly what jansson's path gives: the same rows, or no answer at
/// all so that path answers.
struct PlainSampleReaderTests {
    let decoder = SampleDecoder(maxSamples: 3)

    static let json = "application/json"
    static let ndjson = "application/x-ndjson"

    /// Bodies the plain reader must read without jansson.
    static let plain: [(String, String)] = [
        (json, #"{"samples":[{"t":1795600000,"hr":70,"sbp":120,"dbp":60,"spo2":99}]}"#),
        (json, #"{"samples":[]}"#),
        (json, " {\n\t\"samples\" : [ {\"t\" : 1795600000.25 , \"hr\":null, \"temp\": 36.6 } ,\r\n{\"hr\":-0,\"t\":\"2026-11-24T10:00:00.250+01:00\"} ] } \n"),
        (json, #"{"samples":[{"t":1.7956e9,"dbp":-93,"etco2":3.5E1,"rr":12e-0,"mbp":0.000001e6}]}"#),
        (json, #"{"samples":[{"t":1795600000,"spo2":99.9999999999999},{"t":1795600001,"hr":9007199254740992e-14}]}"#),
        (ndjson, "{\"t\":1795600000,\"hr\":70}\n\n  \t\n{\"t\":1795600001,\"hr\":71}\r\n{\"t\":\"2026-11-24T10:00:00Z\",\"rr\":14}"),
        (ndjson, ""),
    ]

    /// Bodies it must leave to jansson's path, whether that path accepts them or not.
    static let notPlain: [(String, String)] = [
        (json, #"{"samples":[{"t":1795600000,"h\u0072":70}]}"#),          // escape in a key
        (json, #"{"samples":[{"t":"2026-11-24T10:00:00\u005A","hr":70}]}"#),  // escape in a string
        (json, #"{"samples":[{"t":1795600000,"hr":70,"hr":71}]}"#),       // duplicate key
        (json, #"{"samples":[{"t":1795600000,"hr":null,"hr":71}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":70,"pulse":70}]}"#),    // unknown field
        (json, #"{"samples":[{"t":1795600000,"hr":70}],"extra":1}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":70}]} x"#),             // trailing text
        (json, #"{"samples":[{"t":1795600000,"hr":070}]}"#),              // leading zero
        (json, #"{"samples":[{"t":1795600000,"hr":70.}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":.5}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":-}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":+70}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":70e}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":1e400}]}"#),            // overflow
        (json, #"{"samples":[{"t":1795600000,"hr":60.000000000000000000001}]}"#),  // more digits than a Double holds
        (json, #"{"samples":[{"t":1795600000,"hr":7e1x}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":70 70}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":nul}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":nullx}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":"70"}]}"#),             // wrong type
        (json, #"{"samples":[{"t":1795600000,"hr":true}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":{"v":70}}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":700}]}"#),              // out of range
        (json, #"{"samples":[{"t":1795600000,"hr":350.00000000001}]}"#),
        (json, #"{"samples":[{"t":null,"hr":70}]}"#),
        (json, #"{"samples":[{"t":-1,"hr":70}]}"#),
        (json, #"{"samples":[{"t":"yesterday","hr":70}]}"#),
        (json, #"{"samples":[{"hr":70}]}"#),                              // no time
        (json, #"{"samples":[{"t":1795600000}]}"#),                       // no vital
        (json, #"{"samples":[{"t":1795600000,"hr":null}]}"#),
        (json, #"{"samples":[{}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":70},]}"#),              // trailing comma
        (json, #"{"samples":[{"t":1795600000,"hr":70,}]}"#),
        (json, #"{"samples":[{"t":1795600000,"hr":70}]"#),                // cut short
        (json, #"{"samples":[{"t":1,"hr":70},{"t":2,"hr":70},{"t":3,"hr":70},{"t":4,"hr":70}]}"#),  // over maxSamples
        (json, #"{"samples":{"t":1795600000,"hr":70}}"#),
        (json, #"[{"t":1795600000,"hr":70}]"#),
        (json, "{\"samples\":[{\"t\":\"2026-11-24T10:00:00Z\",\"hr\":70,\"note\":\"caf\u{e9}\"}]}"),  // not ASCII
        (json, "{\"samples\":[{\"t\":1795600000,\"hr\":70}]}\u{0}"),
        (json, ""),
        (ndjson, "{\"t\":1795600000,\"hr\":70}\n{\"t\":1795600001,\n"),
        (ndjson, "{\"t\":1795600000,\"hr\":70}\n[1]\n"),
        (ndjson, "{\"t\":1795600000,\"hr\":70}\n\r\r\n"),
        (ndjson, "{\"t\":1795600000,\"hr\":70} {\"t\":1795600001,\"hr\":70}\n"),
        ("text/plain", #"{"samples":[]}"#),
    ]

    @Test(arguments: plain)
    func commonBodiesAreReadWithoutJansson(mediaType: String, body: String) throws {
        let batch = try #require(decoder.readPlain(caseID: "c", mediaType: mediaType, body: Array(body.utf8)))
        let tree = try decoder.decodeTree(caseID: "c", mediaType: mediaType, body: Array(body.utf8))
        #expect(Self.same(batch, tree))
    }

    @Test(arguments: notPlain)
    func everythingElseIsLeftToJansson(mediaType: String, body: String) {
        #expect(decoder.readPlain(caseID: "c", mediaType: mediaType, body: Array(body.utf8)) == nil)
    }

    @Test(arguments: plain + notPlain)
    func decodingAgreesWithJanssonsPath(mediaType: String, body: String) {
        let bytes = Array(body.utf8)
        let answer = Result { try decoder.decode(caseID: "c", mediaType: mediaType, body: bytes) }
        let tree = Result { try decoder.decodeTree(caseID: "c", mediaType: mediaType, body: bytes) }
        switch (answer, tree) {
        case (.success(let batch), .success(let expected)):
            #expect(Self.same(batch, expected))
        case (.failure(let error), .failure(let expected)):
            #expect("\(error)" == "\(expected)")
        default:
            Issue.record("decode gave \(answer), jansson's path \(tree)")
        }
    }

    @Test func numbersAreTheDoublesStrtodGives() throws {
        let texts = ["0", "-0", "70", "36.6", "36.60", "98.6", "0.1", "0.3", "1.7956e9", "12e-1", "9007199254740992",
                     "4.35", "120.125", "1e22", "1e-22", "123456789012345e-22", "5e-324"]
        for text in texts {
            let body = Array(text.utf8)
            let value = body.withUnsafeBytes { PlainSampleReader.number($0) }
            if text == "5e-324" {
                #expect(value == nil, "outside the exact range, so left to strtod")
            } else {
                #expect(value == Double(text), "\(text)")
                #expect(value?.sign == Double(text)?.sign, "\(text)")
            }
        }
    }

    static func same(_ a: SampleBatch, _ b: SampleBatch) -> Bool {
        a.caseID == b.caseID && a.timestamps == b.timestamps
            && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
    }
}
